using Ehr.Forms.Definitions;
using Ehr.Forms.Expressions;
using Hl7.Fhir.Model;
using Hl7.FhirPath;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Forms.Responses;

/// <summary>
/// Evaluates one questionnaire's expressions against one response: builds the SDC environment (<c>%resource</c>,
/// <c>%context</c>, <c>%questionnaire</c>, <c>%qitem</c>, launch context, then form-level, enclosing items' and the
/// item's own variables in declaration order) and scores answers from the questionnaire's options.
/// </summary>
internal sealed class Evaluation(FormPlan plan, IAnswerValueSets valueSets, IReadOnlyDictionary<string, Resource> launchContext)
{
    private readonly ItemIndex _index = plan.Index;
    private readonly PocoNode _questionnaireNode = plan.Questionnaire.ToPocoNode();
    private readonly Dictionary<string, AnswerValueSet?> _valueSets = new(StringComparer.Ordinal);

    public List<FormProblem> Problems { get; } = [];

    /// <summary>
    /// Evaluates an expression of <paramref name="definition"/> (null: the form). As SDC says, its focus and
    /// <c>%context</c> are the item's own response item (<paramref name="self"/>; the enclosing one while it does not
    /// exist yet, or the response); the variables of each enclosing item are evaluated on that item's response item,
    /// the form's on the response.
    /// </summary>
    public List<PocoNode>? Evaluate(Expression expression, ItemNode? definition, QuestionnaireResponse response,
        ItemInstance? container, QuestionnaireResponse.ItemComponent? self, string what)
    {
        if (expression.Expression_ is not { } text || expression.Language is not ("text/fhirpath" or null)) return null;
        try
        {
            var root = response.ToPocoNode();
            // The response items from the top down to the container, each found among its parent's children (not by
            // searching the whole response, which costs as much as the response is long, for every expression).
            var chain = Chain(container).Reverse().ToList();
            var nodes = new Dictionary<ItemInstance, PocoNode>(ReferenceEqualityComparer.Instance);
            PocoNode? parentNode = root;
            foreach (var instance in chain)
            {
                var node = (parentNode is null ? null : ChildHolding(parentNode, instance.Item)) ?? Find(root, instance.Item);
                nodes[instance] = node ?? root;
                parentNode = node;
            }
            var containerNode = container is null ? root : nodes[container];
            var contextNode = self is null ? containerNode : ChildHolding(containerNode, self) ?? Find(root, self) ?? root;
            var environment = BaseEnvironment(root, contextNode, definition);
            foreach (var variable in plan.FormVariables)
                AddVariable(environment, variable, root);
            if (definition is not null)
            {
                foreach (var ancestor in definition.Ancestors().Reverse())
                {
                    var instance = chain.LastOrDefault(i => ReferenceEquals(i.Definition, ancestor));
                    var ancestorNode = instance is null ? contextNode : nodes[instance];
                    foreach (var variable in plan.VariablesOf(ancestor))
                        AddVariable(environment, variable, ancestorNode);
                }
                foreach (var variable in plan.VariablesOf(definition))
                    AddVariable(environment, variable, contextNode);
            }
            environment["context"] = [contextNode];
            return FormPath.Evaluate(plan.Compile(text), contextNode, Context(environment));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or InvalidCastException or NotSupportedException)
        {
            Problems.Add(new FormProblem(definition?.LinkId, FormProblemCodes.ExpressionFailed,
                $"The {what} '{text}' could not be evaluated: {e.Message}", definition?.Path));
            return null;
        }
    }

    private static IEnumerable<ItemInstance> Chain(ItemInstance? instance)
    {
        for (var i = instance; i is not null; i = i.Parent) yield return i;
    }

    private Dictionary<string, IEnumerable<PocoNode>> BaseEnvironment(PocoNode root, PocoNode context, ItemNode? definition)
    {
        var environment = new Dictionary<string, IEnumerable<PocoNode>>(StringComparer.Ordinal)
        {
            ["resource"] = [root],
            ["rootResource"] = [root],
            ["context"] = [context],
            ["questionnaire"] = [_questionnaireNode],
        };
        if (definition is not null) environment["qitem"] = [definition.Item.ToPocoNode()];
        foreach (var (name, resource) in launchContext) environment[name] = [resource.ToPocoNode()];
        return environment;
    }

    private void AddVariable(Dictionary<string, IEnumerable<PocoNode>> environment, Expression? variable, PocoNode context)
    {
        if (variable?.Name is not { } name || variable.Expression_ is not { } text || variable.Language is not ("text/fhirpath" or null)) return;
        environment["context"] = [context];
        environment[name] = FormPath.Evaluate(plan.Compile(text), context, Context(environment));
    }

    private SdcEvaluationContext Context(Dictionary<string, IEnumerable<PocoNode>> environment) =>
        new(new Dictionary<string, IEnumerable<PocoNode>>(environment, StringComparer.Ordinal), Ordinal, OrdinalOfValue);

    /// <summary>The node of a response item that sits directly in <paramref name="parent"/> (its items or its answers' items).</summary>
    private static PocoNode? ChildHolding(PocoNode parent, object target)
    {
        foreach (var child in parent.Children())
        {
            if (child.Name == "item")
            {
                foreach (var element in child)
                    if (ReferenceEquals(element.Poco, target)) return element;
            }
            else if (child.Name == "answer")
            {
                foreach (var answer in child)
                    foreach (var items in answer.Children())
                    {
                        if (items.Name != "item") continue;
                        foreach (var element in items)
                            if (ReferenceEquals(element.Poco, target)) return element;
                    }
            }
        }
        return null;
    }

    private static PocoNode? Find(PocoNode node, object target)
    {
        if (ReferenceEquals(node.Poco, target)) return node;
        foreach (var child in node.Children())
        {
            if (child.Name is not ("item" or "answer")) continue;
            foreach (var element in child)
                if (Find(element, target) is { } found) return found;
        }
        return null;
    }

    public decimal? Ordinal(string? linkId, Coding coding)
    {
        if (linkId is not null && _index.ByLinkId.TryGetValue(linkId, out var node)) return OrdinalIn(node, coding);
        // A coding outside any known item (built by the expression itself): the first option anywhere that matches.
        foreach (var candidate in _index.All)
            if (OrdinalIn(candidate, coding) is { } score) return score;
        return null;
    }

    private decimal? OrdinalIn(ItemNode node, Coding coding)
    {
        foreach (var option in node.Item.AnswerOption)
        {
            if (option.Value is Coding c && Answers.AreEqual(c, coding)) return Sdc.OrdinalOf(option) ?? Sdc.OrdinalOf(c);
        }
        return node.Item.AnswerValueSet is { } vs ? ValueSet(vs)?.Find(coding)?.Ordinal : null;
    }

    public decimal? OrdinalOfValue(string? linkId, DataType value)
    {
        if (linkId is null || !_index.ByLinkId.TryGetValue(linkId, out var node)) return null;
        var option = node.Item.AnswerOption.FirstOrDefault(o => o.Value is not null && Answers.AreEqual(o.Value, value));
        return option is null ? null : Sdc.OrdinalOf(option);
    }

    public AnswerValueSet? ValueSet(string canonical)
    {
        if (!_valueSets.TryGetValue(canonical, out var set))
        {
            set = canonical.StartsWith('#') ? ContainedValueSets.Resolve(_index.Questionnaire, canonical) : valueSets.Find(canonical);
            _valueSets[canonical] = set;
        }
        return set;
    }

    /// <summary>Turns an expression's result into an answer of the item's type, or says why it cannot.</summary>
    public static DataType? ToAnswer(PocoNode result, Questionnaire.ItemComponent item, out string? error)
    {
        error = null;
        var type = item.Type!.Value;
        var poco = result.Poco;
        // FHIR values (not FHIRPath system values such as FPDecimal) that already have the right type are taken as they are.
        if (poco is DataType dt && dt.GetType().Namespace == "Hl7.Fhir.Model" && Answers.TypeFits(type, dt))
            return (DataType)dt.DeepCopy();
        var json = (poco as PrimitiveType)?.JsonValue;
        decimal? number = json switch
        {
            int i => i,
            long l => l,
            decimal d => d,
            _ => null,
        };
        switch (type)
        {
            case ItemType.Integer when number is { } n && n == Math.Truncate(n):
                return new Integer((int)n);
            case ItemType.Decimal when number is { } n:
                return new FhirDecimal(n);
            case ItemType.Boolean when json is bool b:
                return new FhirBoolean(b);
            case ItemType.String or ItemType.Text when poco is PrimitiveType p && p.ToString() is { } s:
                return new FhirString(s);
            case ItemType.Url when poco is PrimitiveType p:
                return new FhirUri(p.ToString());
            case ItemType.Date when poco is PrimitiveType p && json is not null:
                var text = p.ToString()!;
                return new Date(text.Length > 10 ? text[..10] : text);
            case ItemType.DateTime when poco is PrimitiveType p && json is not null:
                return new FhirDateTime(p.ToString());
            case ItemType.Time when poco is PrimitiveType p && json is not null:
                return new Time(p.ToString());
            case ItemType.Quantity when number is { } n:
                var unit = Sdc.ValueOf(item, Sdc.Unit) as Coding;
                return new Quantity { Value = n, Unit = unit?.Display ?? unit?.Code, System = unit?.System, Code = unit?.Code };
            case ItemType.Quantity when json is Hl7.Fhir.ElementModel.Types.Quantity q:
                return new Quantity { Value = q.Value, Unit = q.Unit, Code = q.Unit, System = "http://unitsofmeasure.org" };
            case ItemType.Choice or ItemType.OpenChoice when poco is CodeableConcept { Coding.Count: > 0 } cc:
                return (Coding)cc.Coding[0].DeepCopy();
            case ItemType.Choice or ItemType.OpenChoice when poco is PrimitiveType p && json is string code
                && item.AnswerOption.Select(o => o.Value).OfType<Coding>().FirstOrDefault(c => c.Code == code) is { } option:
                return (Coding)option.DeepCopy();
            case ItemType.OpenChoice when poco is PrimitiveType p && json is string:
                return new FhirString(p.ToString());
        }
        error = $"the result {poco?.TypeName ?? "(nothing)"} '{poco}' is not a {Answers.ExpectedType(type)} answer";
        return null;
    }
}
