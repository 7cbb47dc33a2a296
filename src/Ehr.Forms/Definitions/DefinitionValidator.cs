using Ehr.Forms.Expressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using static Ehr.Forms.Definitions.FormProblemCodes;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;
using Operator = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemOperator;

namespace Ehr.Forms.Definitions;

/// <summary>
/// Checks a form definition before it can be published. Every problem names the item's link id, a stable code and a
/// plain message; features the engine does not implement are reported as <see cref="FormProblemCodes.Unsupported"/>
/// by name, so nothing in a definition is silently ignored.
/// </summary>
public sealed class DefinitionValidator(IAnswerValueSets valueSets)
{
    public DefinitionValidator() : this(InMemoryAnswerValueSets.Empty) { }

    public IReadOnlyList<FormProblem> Validate(Questionnaire questionnaire)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        var run = new Run(questionnaire, valueSets);
        run.Check();
        return run.Problems;
    }

    private sealed class Run(Questionnaire questionnaire, IAnswerValueSets valueSets)
    {
        private readonly ItemIndex _index = ItemIndex.Of(questionnaire);
        public List<FormProblem> Problems { get; } = [];

        private void Add(ItemNode? node, string code, string message, string? path = null) =>
            Problems.Add(new FormProblem(node?.Item.LinkId, code, message, path ?? node?.Path));

        public void Check()
        {
            CheckExtensions(null, questionnaire, "Questionnaire");
            if (questionnaire.ModifierExtension.Count > 0)
                Add(null, Unsupported, $"Modifier extension {string.Join(", ", questionnaire.ModifierExtension.Select(e => e.Url))} is not supported.", "Questionnaire.modifierExtension");
            var formVariables = CheckVariables(null, questionnaire, "Questionnaire", new HashSet<string>(StringComparer.Ordinal));
            var launchNames = LaunchContextNames();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in _index.All)
            {
                if (string.IsNullOrWhiteSpace(node.Item.LinkId))
                    Add(node, LinkIdMissing, "Every item needs a link id.");
                else if (!seen.Add(node.Item.LinkId))
                    Add(node, LinkIdDuplicate, $"The link id '{node.Item.LinkId}' is used by more than one item.");
                CheckItem(node);
                CheckEnableWhen(node);
                var scope = new HashSet<string>(formVariables, StringComparer.Ordinal);
                scope.UnionWith(launchNames);
                foreach (var ancestor in node.Ancestors().Reverse())
                    scope.UnionWith(VariableNames(ancestor.Item));
                CheckVariables(node, node.Item, node.Path, scope);
                scope.UnionWith(VariableNames(node.Item));
                CheckItemExpressions(node, scope);
            }
            CheckCalculationCycles();
        }

        private HashSet<string> LaunchContextNames()
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var ext in questionnaire.Extension.Where(e => e.Url == Sdc.LaunchContext))
            {
                var name = ext.GetExtension("name")?.Value switch
                {
                    Coding c => c.Code,
                    Id id => id.Value,
                    Code c => c.Value,
                    _ => null,
                };
                if (name is null)
                    Add(null, ExtensionValueInvalid, "A launchContext extension needs a name.", "Questionnaire.extension");
                else
                    names.Add(name);
            }
            return names;
        }

        private static IEnumerable<string> VariableNames(IExtendable element) =>
            element.Extension.Where(e => e.Url == Sdc.Variable).Select(e => (e.Value as Expression)?.Name).OfType<string>();

        private HashSet<string> CheckVariables(ItemNode? node, IExtendable element, string path, HashSet<string> outer)
        {
            var scope = new HashSet<string>(outer, StringComparer.Ordinal);
            var own = new HashSet<string>(StringComparer.Ordinal);
            foreach (var ext in element.Extension.Where(e => e.Url == Sdc.Variable))
            {
                if (ext.Value is not Expression expression)
                {
                    Add(node, ExtensionValueInvalid, "A variable extension must hold an Expression.", path);
                    continue;
                }
                if (string.IsNullOrWhiteSpace(expression.Name) || !IsIdentifier(expression.Name))
                    Add(node, VariableNameInvalid, $"The variable name '{expression.Name}' is not a valid name (letters, digits and _ , starting with a letter).", path);
                else if (FormPath.BuiltInVariables.Contains(expression.Name) || !own.Add(expression.Name))
                    Add(node, VariableNameDuplicate, $"The variable name '{expression.Name}' is already in use here.", path);
                // A variable may read the variables declared before it on the same element.
                CheckExpression(node, expression, "variable", path, scope);
                if (expression.Name is not null) scope.Add(expression.Name);
            }
            return scope;
        }

        private static bool IsIdentifier(string name) =>
            char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

        private void CheckExpression(ItemNode? node, Expression expression, string what, string path, IReadOnlySet<string> scope)
        {
            if (expression.Language is not ("text/fhirpath" or null))
            {
                Add(node, Unsupported, $"The {what} uses the expression language '{expression.Language}'; only text/fhirpath is supported.", path);
                return;
            }
            if (expression.Language is null)
                Add(node, ExtensionValueInvalid, $"The {what} does not say its language (text/fhirpath).", path);
            if (expression.Reference is not null)
                Add(node, Unsupported, $"The {what} refers to an external expression ({expression.Reference}); only inline expressions are supported.", path);
            if (string.IsNullOrWhiteSpace(expression.Expression_))
            {
                if (expression.Reference is null) Add(node, ExpressionMissing, $"The {what} has no expression.", path);
                return;
            }
            if (!FormPath.TryCompile(expression.Expression_, out _, out var error))
            {
                Add(node, ExpressionInvalid, $"The {what} '{expression.Expression_}' does not compile: {error}", path);
                return;
            }
            foreach (var name in FormPath.VariablesReadBy(expression.Expression_))
            {
                if (!FormPath.BuiltInVariables.Contains(name) && !scope.Contains(name))
                    Add(node, ExpressionUnknownVariable, $"The {what} reads %{name}, which is not declared here (a variable on this item, an enclosing item, the form, or a launch context).", path);
            }
        }

        private void CheckItemExpressions(ItemNode node, IReadOnlySet<string> scope)
        {
            var item = node.Item;
            if (Sdc.ExpressionOf(item, Sdc.CalculatedExpression) is { } calculated)
            {
                if (!node.IsQuestion)
                    Add(node, CalculatedOnGroupOrDisplay, "Only a question can have a calculated value; this item is a group or a display.");
                CheckExpression(node, calculated, "calculatedExpression", node.Path, scope);
            }
            if (Sdc.ExpressionOf(item, Sdc.InitialExpression) is { } initial)
            {
                if (!node.IsQuestion)
                    Add(node, InitialNotAllowed, "Only a question can have an initial value; this item is a group or a display.");
                if (item.Initial.Count > 0)
                    Add(node, InitialWithExpression, "An item cannot have both initial values and an initialExpression.");
                CheckExpression(node, initial, "initialExpression", node.Path, scope);
            }
            if (Sdc.ExpressionOf(item, Sdc.EnableWhenExpression) is { } enable)
            {
                if (item.EnableWhen.Count > 0)
                    Add(node, EnableWhenWithExpression, "An item cannot have both enableWhen and an enableWhenExpression.");
                CheckExpression(node, enable, "enableWhenExpression", node.Path, scope);
            }
            foreach (var url in new[] { Sdc.CalculatedExpression, Sdc.InitialExpression, Sdc.EnableWhenExpression })
            {
                if (item.Extension.Count(e => e.Url == url) > 1)
                    Add(node, ExtensionValueInvalid, $"The extension {url} appears more than once.");
                if (item.Extension.Any(e => e.Url == url && e.Value is not Expression))
                    Add(node, ExtensionValueInvalid, $"The extension {url} must hold an Expression.");
            }
        }

        private void CheckExtensions(ItemNode? node, IExtendable element, string path)
        {
            foreach (var ext in element.Extension)
            {
                if (!Sdc.IsKnown(ext.Url))
                    Add(node, Unsupported, $"The extension {ext.Url} is not supported.", path);
            }
        }

        private void CheckItem(ItemNode node)
        {
            var item = node.Item;
            CheckExtensions(node, item, node.Path);
            if (item.ModifierExtension.Count > 0)
                Add(node, Unsupported, $"Modifier extension {string.Join(", ", item.ModifierExtension.Select(e => e.Url))} is not supported.");
            if (item.Type is null)
            {
                Add(node, TypeMissing, "Every item needs a type.");
                return;
            }
            var type = item.Type.Value;
            if (type == ItemType.Group && item.Item.Count == 0)
                Add(node, GroupWithoutItems, "A group must contain at least one item.");
            if (type == ItemType.Display)
            {
                if (item.Item.Count > 0) Add(node, DisplayWithChildren, "A display item cannot contain items.");
                if (item.Required == true) Add(node, DisplayRequired, "A display item cannot be required: it takes no answer.");
                if (item.Repeats == true) Add(node, DisplayRepeats, "A display item cannot repeat: it takes no answer.");
                if (item.ReadOnly == true) Add(node, DisplayReadOnly, "A display item cannot be read-only: it takes no answer.");
            }
            if (item.MaxLength is { } maxLength)
            {
                if (type is not (ItemType.Boolean or ItemType.Decimal or ItemType.Integer or ItemType.String or ItemType.Text or ItemType.Url or ItemType.OpenChoice))
                    Add(node, MaxLengthNotAllowed, $"maxLength does not apply to a {type.GetLiteral()} item.");
                if (maxLength <= 0) Add(node, MaxLengthInvalid, "maxLength must be a positive number.");
            }
            CheckAnswerOptions(node, type);
            CheckInitial(node, type);
            CheckRange(node, type);
            CheckUnits(node, type);
            if (Sdc.ValueOf(item, Sdc.MaxDecimalPlaces) is { } places)
            {
                if (type != ItemType.Decimal && type != ItemType.Quantity)
                    Add(node, MinMaxNotAllowed, $"maxDecimalPlaces does not apply to a {type.GetLiteral()} item.");
                if (places is not Integer { Value: >= 0 })
                    Add(node, MaxDecimalPlacesInvalid, "maxDecimalPlaces must be a whole number, zero or more.");
            }
            if (Sdc.ValueOf(item, Sdc.MinLength) is { } minLength)
            {
                if (type is not (ItemType.String or ItemType.Text or ItemType.Url or ItemType.OpenChoice))
                    Add(node, MinMaxNotAllowed, $"minLength does not apply to a {type.GetLiteral()} item.");
                if (minLength is not Integer { Value: >= 0 } min)
                    Add(node, ExtensionValueInvalid, "minLength must be a whole number, zero or more.");
                else if (item.MaxLength is { } max && min.Value > max)
                    Add(node, MinGreaterThanMax, $"minLength ({min.Value}) is greater than maxLength ({max}).");
            }
            // The chart stores an Observation's code as system and code: an extracted question needs one such coding.
            if (node.IsQuestion && Sdc.ExtractsObservation(questionnaire, item)
                && !item.Code.Any(c => !string.IsNullOrEmpty(c.System) && !string.IsNullOrEmpty(c.Code)))
                Add(node, ExtractWithoutCode, "An item marked for observation extraction needs a code with its system (the Observation's code).");
            CheckOccurs(node, type);
            if (Sdc.ValueOf(item, Sdc.ObservationExtract) is { } extract)
            {
                if (extract is not FhirBoolean)
                    Add(node, ExtensionValueInvalid, "observationExtract must hold a boolean.");
                if (type is ItemType.Attachment or ItemType.Reference or ItemType.Url && (extract as FhirBoolean)?.Value == true)
                    Add(node, Unsupported, $"observationExtract on a {type.GetLiteral()} item: an Observation's value cannot hold it.");
                if (!node.IsQuestion && ((extract as FhirBoolean)?.Value == true))
                    Add(node, Unsupported, "observationExtract on a group or display item (extraction of a group as one Observation with components) is not supported.");
            }
        }

        private void CheckOccurs(ItemNode node, ItemType type)
        {
            var item = node.Item;
            var min = Sdc.ValueOf(item, Sdc.MinOccurs);
            var max = Sdc.ValueOf(item, Sdc.MaxOccurs);
            if (min is null && max is null) return;
            if (type == ItemType.Display)
            {
                Add(node, MinMaxNotAllowed, "minOccurs and maxOccurs do not apply to a display item: it takes no answer.");
                return;
            }
            if (min is not null and not Integer { Value: >= 0 })
                Add(node, ExtensionValueInvalid, "minOccurs must be a whole number, zero or more.");
            if (max is not null and not Integer { Value: >= 1 })
                Add(node, ExtensionValueInvalid, "maxOccurs must be a whole number, one or more.");
            var (least, most) = Sdc.Occurs(item);
            if (least > most)
                Add(node, MinGreaterThanMax, $"minOccurs ({least}) is greater than maxOccurs ({most}).");
            if ((least > 1 || most > 1) && item.Repeats != true)
                Add(node, OccursNeedsRepeats, "More than one answer (minOccurs or maxOccurs above 1) needs the item to repeat.");
        }

        private static bool AllowsAnswerOptions(ItemType type) => type is ItemType.Choice or ItemType.OpenChoice
            or ItemType.Integer or ItemType.Date or ItemType.Time or ItemType.String or ItemType.Text;

        private void CheckAnswerOptions(ItemNode node, ItemType type)
        {
            var item = node.Item;
            var hasOptions = item.AnswerOption.Count > 0;
            var hasValueSet = !string.IsNullOrEmpty(item.AnswerValueSet);
            if ((hasOptions || hasValueSet) && !AllowsAnswerOptions(type))
            {
                Add(node, AnswerOptionNotAllowed, $"A {type.GetLiteral()} item cannot have answer options or an answer value set.");
                return;
            }
            if (hasOptions && hasValueSet)
            {
                Add(node, AnswerOptionAndValueSet, "An item has either answer options or an answer value set, not both.");
                return;
            }
            if (type is ItemType.Choice or ItemType.OpenChoice && !hasOptions && !hasValueSet)
                Add(node, ChoiceWithoutOptions, $"A {type.GetLiteral()} item needs answer options or an answer value set.");
            if (hasValueSet)
            {
                var known = item.AnswerValueSet!.StartsWith('#')
                    ? ContainedValueSets.Resolve(questionnaire, item.AnswerValueSet) is not null
                    : valueSets.Find(item.AnswerValueSet) is not null;
                if (!known)
                    Add(node, AnswerValueSetUnknown, item.AnswerValueSet.StartsWith('#')
                        ? $"The answer value set {item.AnswerValueSet} is not contained in the form, or lists no concepts (filters and whole code systems cannot be expanded here)."
                        : $"The answer value set {item.AnswerValueSet} is not held in this tenant.");
            }
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < item.AnswerOption.Count; i++)
            {
                var option = item.AnswerOption[i];
                var path = $"{node.Path}.answerOption[{i}]";
                CheckExtensions(node, option, path);
                if (option.Value is Coding coding)
                {
                    CheckExtensions(node, coding, path + ".valueCoding");
                    if (string.IsNullOrEmpty(coding.Code))
                        Add(node, AnswerOptionWithoutCode, "An answer option's coding needs a code.", path);
                }
                if (option.Value is null || !OptionTypeFits(type, option.Value))
                {
                    Add(node, AnswerOptionType, $"An answer option of a {type.GetLiteral()} item cannot be a {option.Value?.TypeName ?? "missing value"}.", path);
                    continue;
                }
                if (!keys.Add(Answers.Key(option.Value)))
                    Add(node, AnswerOptionDuplicate, $"The answer option {Answers.Describe(option.Value)} is listed twice.", path);
                foreach (var ext in option.Extension.Concat((option.Value as Coding)?.Extension ?? []))
                {
                    if (ext.Url is Sdc.OrdinalValue or Sdc.ItemWeight or Sdc.Iso21090CoValue && ext.Value is not (FhirDecimal or Integer))
                        Add(node, OrdinalValueInvalid, "An answer option's score (ordinalValue / itemWeight) must be a number.", path);
                }
            }
        }

        private static bool OptionTypeFits(ItemType type, DataType value) => type switch
        {
            ItemType.Choice or ItemType.OpenChoice => value is Coding or FhirString or Integer or Date or Time or ResourceReference,
            ItemType.Integer => value is Integer,
            ItemType.Date => value is Date,
            ItemType.Time => value is Time,
            ItemType.String or ItemType.Text => value is FhirString,
            _ => false,
        };

        private void CheckInitial(ItemNode node, ItemType type)
        {
            var item = node.Item;
            if (item.Initial.Count == 0) return;
            if (!node.IsQuestion)
            {
                Add(node, InitialNotAllowed, "A group or display item cannot have an initial value.");
                return;
            }
            if (item.AnswerOption.Count > 0)
                Add(node, InitialWithAnswerOptions, "An item with answer options marks its default with initialSelected, not initial.");
            if (item.Initial.Count > 1 && item.Repeats != true)
                Add(node, InitialRepeats, "Only a repeating item can have more than one initial value.");
            for (var i = 0; i < item.Initial.Count; i++)
            {
                if (item.Initial[i].Value is not { } value || !Answers.TypeFits(type, value))
                    Add(node, InitialType, $"The initial value of a {type.GetLiteral()} item cannot be a {item.Initial[i].Value?.TypeName ?? "missing value"}.", $"{node.Path}.initial[{i}]");
            }
        }

        private void CheckRange(ItemNode node, ItemType type)
        {
            var min = Sdc.ValueOf(node.Item, Sdc.MinValue);
            var max = Sdc.ValueOf(node.Item, Sdc.MaxValue);
            if (min is null && max is null) return;
            if (type is not (ItemType.Integer or ItemType.Decimal or ItemType.Date or ItemType.DateTime or ItemType.Time or ItemType.Quantity))
            {
                Add(node, MinMaxNotAllowed, $"minValue / maxValue do not apply to a {type.GetLiteral()} item.");
                return;
            }
            foreach (var (bound, name) in new[] { (min, "minValue"), (max, "maxValue") })
            {
                if (bound is not null && !Answers.BoundFits(type, bound))
                    Add(node, MinMaxType, $"The {name} of a {type.GetLiteral()} item cannot be a {bound.TypeName}.");
            }
            if (min is not null && max is not null && Answers.BoundFits(type, min) && Answers.BoundFits(type, max)
                && Answers.Compare(min, max) is > 0)
                Add(node, MinGreaterThanMax, $"minValue ({Answers.Describe(min)}) is greater than maxValue ({Answers.Describe(max)}).");
        }

        private void CheckUnits(ItemNode node, ItemType type)
        {
            var item = node.Item;
            var unitExtensions = item.Extension.Where(e => e.Url is Sdc.Unit or Sdc.UnitOption).ToList();
            if (unitExtensions.Count == 0) return;
            if (type is not (ItemType.Quantity or ItemType.Decimal or ItemType.Integer))
                Add(node, UnitNotAllowed, $"Units do not apply to a {type.GetLiteral()} item.");
            if (unitExtensions.Any(e => e.Value is not Coding))
                Add(node, ExtensionValueInvalid, "A unit must be a Coding (UCUM).");
            if (type != ItemType.Quantity && unitExtensions.Any(e => e.Url == Sdc.UnitOption))
                Add(node, UnitNotAllowed, "unitOption applies to quantity items only; use questionnaire-unit for a decimal or integer.");
        }

        private void CheckEnableWhen(ItemNode node)
        {
            var item = node.Item;
            if (item.EnableWhen.Count > 1 && item.EnableBehavior is null)
                Add(node, EnableBehaviorMissing, "With more than one enableWhen, enableBehavior (all or any) must say how they combine.");
            for (var i = 0; i < item.EnableWhen.Count; i++)
            {
                var condition = item.EnableWhen[i];
                var path = $"{node.Path}.enableWhen[{i}]";
                if (string.IsNullOrEmpty(condition.Question) || !_index.ByLinkId.TryGetValue(condition.Question, out var target))
                {
                    Add(node, EnableWhenUnknownQuestion, $"enableWhen refers to '{condition.Question}', which is not an item of this form.", path + ".question");
                    continue;
                }
                if (target.Order >= node.Order)
                {
                    Add(node, EnableWhenLaterQuestion, $"enableWhen refers to '{condition.Question}', which is not before this item (it must be answered first).", path + ".question");
                    continue;
                }
                if (!target.IsQuestion)
                {
                    Add(node, EnableWhenNotAQuestion, $"enableWhen refers to '{condition.Question}', a {target.Type?.GetLiteral()} item that takes no answer.", path + ".question");
                    continue;
                }
                if (condition.Operator is null)
                {
                    Add(node, EnableWhenOperatorIncompatible, "enableWhen needs an operator.", path + ".operator");
                    continue;
                }
                if (condition.Answer is null)
                {
                    Add(node, EnableWhenAnswerMissing, "enableWhen needs an answer to compare with.", path);
                    continue;
                }
                var op = condition.Operator.Value;
                var targetType = target.Type!.Value;
                if (op == Operator.Exists)
                {
                    if (condition.Answer is not FhirBoolean)
                        Add(node, EnableWhenAnswerType, "With the operator 'exists' the answer must be a boolean.", path);
                    continue;
                }
                if (!Answers.EnableWhenAnswerFits(targetType, target.Item, condition.Answer))
                {
                    Add(node, EnableWhenAnswerType, $"enableWhen compares '{condition.Question}' (a {targetType.GetLiteral()} item) with a {condition.Answer.TypeName}.", path);
                    continue;
                }
                if (op is Operator.GreaterThan or Operator.LessThan or Operator.GreaterOrEqual or Operator.LessOrEqual
                    && !Answers.IsOrdered(condition.Answer))
                    Add(node, EnableWhenOperatorIncompatible, $"The operator '{op.GetLiteral()}' cannot order {condition.Answer.TypeName} answers; use = or != .", path + ".operator");
            }
        }

        private void CheckCalculationCycles()
        {
            var calculated = _index.All
                .Where(n => Sdc.ExpressionOf(n.Item, Sdc.CalculatedExpression)?.Expression_ is not null)
                .ToDictionary(n => n.LinkId, n => n, StringComparer.Ordinal);
            if (calculated.Count == 0) return;
            var graph = CalculationGraph.Build(questionnaire, _index, calculated.Keys);
            foreach (var cycle in graph.Cycles())
            {
                var first = calculated[cycle[0]];
                Add(first, CalculationCycle, $"Calculated items depend on each other in a circle: {string.Join(" -> ", cycle.Append(cycle[0]))}.");
            }
        }
    }
}
