using Ehr.Forms.Definitions;
using Ehr.Forms.Expressions;
using Hl7.Fhir.Model;
using static Ehr.Forms.Definitions.FormProblemCodes;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Forms.Responses;

/// <summary>How strictly a response is checked.</summary>
public enum ResponseCheck
{
    /// <summary>An in-progress save (autosave): everything but missing required answers.</summary>
    Save,

    /// <summary>Completing the response: required answers too.</summary>
    Complete,
}

/// <summary>
/// The server's version of a response: a copy of what was sent, with calculated items and scores recomputed, answers
/// on disabled items and items the form does not have removed, and every problem found (link id, code, message).
/// </summary>
public sealed record ResponseOutcome(QuestionnaireResponse Response, IReadOnlyList<FormProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>What prefill (initialExpression) may read: the launch context by name (<c>patient</c>, <c>encounter</c>, <c>user</c> ...).</summary>
public sealed record PrefillContext(IReadOnlyDictionary<string, Resource> LaunchContext, DateTimeOffset Authored)
{
    public static PrefillContext ForPatient(Patient patient, DateTimeOffset authored) =>
        new(new Dictionary<string, Resource>(StringComparer.Ordinal) { ["patient"] = patient }, authored);
}

/// <summary>
/// Evaluates a QuestionnaireResponse against the exact Questionnaire it answers: enableWhen (every operator,
/// enableBehavior, enableWhenExpression), variables, calculated items and scores (ordinalValue / itemWeight, never the
/// client's numbers), types, required, cardinality, answer options and value sets, ranges, lengths, decimal places
/// and units. Pure: no database, no clock except what it is given.
/// </summary>
public sealed class ResponseEngine(IAnswerValueSets valueSets)
{
    private static readonly IReadOnlyDictionary<string, Resource> NoLaunchContext = new Dictionary<string, Resource>();

    public ResponseEngine() : this(InMemoryAnswerValueSets.Empty) { }

    /// <summary>Checks and recalculates a response; the input is not changed.</summary>
    public ResponseOutcome Process(Questionnaire questionnaire, QuestionnaireResponse response, ResponseCheck check = ResponseCheck.Complete)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        return Process(FormPlan.Of(questionnaire), response, check);
    }

    /// <summary>Checks and recalculates a response against a plan kept for its definition version; the input is not changed.</summary>
    public ResponseOutcome Process(FormPlan plan, QuestionnaireResponse response, ResponseCheck check = ResponseCheck.Complete)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(response);
        var copy = (QuestionnaireResponse)response.DeepCopy();
        return new Run(plan, copy, new Evaluation(plan, valueSets, NoLaunchContext), check).Execute();
    }

    /// <summary>
    /// Starts a response: initial values, initialSelected options and initialExpression evaluated over the launch
    /// context (for example the patient's chart), then calculations. The result is in progress and checked as a save.
    /// </summary>
    public ResponseOutcome Prefill(Questionnaire questionnaire, PrefillContext context)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        return Prefill(FormPlan.Of(questionnaire), context);
    }

    /// <summary>Prefill (see the other overload) with a plan kept for the definition version.</summary>
    public ResponseOutcome Prefill(FormPlan plan, PrefillContext context)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(context);
        var questionnaire = plan.Questionnaire;
        var index = plan.Index;
        var evaluation = new Evaluation(plan, valueSets, context.LaunchContext);
        var response = new QuestionnaireResponse
        {
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            Questionnaire = questionnaire.Url is null ? null : questionnaire.Version is null ? questionnaire.Url : $"{questionnaire.Url}|{questionnaire.Version}",
            Authored = context.Authored.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (context.LaunchContext.TryGetValue("patient", out var patient) && patient.Id is not null)
            response.Subject = new ResourceReference($"Patient/{patient.Id}");
        foreach (var root in index.Roots)
            if (PrefillItem(root, response, evaluation) is { } item) response.Item.Add(item);
        var outcome = new Run(plan, response, evaluation, ResponseCheck.Save).Execute();
        return outcome;
    }

    private static QuestionnaireResponse.ItemComponent? PrefillItem(ItemNode node, QuestionnaireResponse response, Evaluation evaluation)
    {
        var item = node.Item;
        if (item.Type == ItemType.Display) return null;
        var result = new QuestionnaireResponse.ItemComponent { LinkId = item.LinkId, Text = item.Text };
        if (item.Type == ItemType.Group)
        {
            foreach (var child in node.Children)
                if (PrefillItem(child, response, evaluation) is { } c) result.Item.Add(c);
            return result.Item.Count > 0 ? result : null;
        }
        var values = new List<DataType>();
        values.AddRange(item.Initial.Select(i => i.Value).OfType<DataType>().Select(v => (DataType)v.DeepCopy()));
        values.AddRange(item.AnswerOption.Where(o => o.InitialSelected == true && o.Value is not null).Select(o => (DataType)o.Value.DeepCopy()));
        if (Sdc.ExpressionOf(item, Sdc.InitialExpression) is { } expression
            && evaluation.Evaluate(expression, node, response, null, null, "initialExpression") is { } results)
        {
            foreach (var r in results)
            {
                if (Evaluation.ToAnswer(r, item, out var error) is { } value) values.Add(value);
                else evaluation.Problems.Add(new FormProblem(node.LinkId, CalculatedTypeMismatch, $"The initialExpression gave an unusable value: {error}.", node.Path));
            }
        }
        if (item.Repeats != true && values.Count > 1) values = values.Take(1).ToList();
        foreach (var value in values) result.Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = value });
        foreach (var child in node.Children)
        {
            if (PrefillItem(child, response, evaluation) is not { } c) continue;
            if (result.Answer.Count == 0) result.Answer.Add(new QuestionnaireResponse.AnswerComponent());
            result.Answer[0].Item.Add(c);
        }
        return result.Answer.Count > 0 ? result : null;
    }

    private sealed class Run(FormPlan plan, QuestionnaireResponse response, Evaluation evaluation, ResponseCheck check)
    {
        private readonly ItemIndex _index = plan.Index;
        private readonly List<FormProblem> _problems = [];
        private readonly IReadOnlySet<string> _calculated = plan.CalculatedLinkIds;

        // The tree the calculations last read, and whether items were added, removed or moved since: answers given to
        // calculated items leave it as it is, so most calculations share one reading of the response.
        private ResponseTree? _tree;
        private bool _treeStale;

        private ResponseTree CurrentTree()
        {
            if (_tree is null || _treeStale)
            {
                _tree = ResponseTree.Of(response, _index);
                _treeStale = false;
            }
            return _tree;
        }

        public ResponseOutcome Execute()
        {
            RemoveStrays();
            var order = plan.EvaluationOrder;

            // Answers on disabled items are reported once, then dropped; dropping them can change scores and
            // enablement, so calculate and decide again until nothing changes (bounded by the number of items).
            var reportedDisabled = new HashSet<object>(ReferenceEqualityComparer.Instance);
            for (var round = 0; round <= _index.All.Count; round++)
            {
                Calculate(order);
                var tree = ResponseTree.Of(response, _index);
                var enablement = new Enablement(_index, tree, evaluation);
                var disabled = tree.All.Where(i => !enablement.IsEnabled(i)).ToList();
                if (disabled.Count == 0) break;
                foreach (var instance in disabled)
                {
                    // Reported on each answered question (where a renderer shows it), not on the enclosing group.
                    foreach (var answered in instance.SelfAndDescendants().Where(IsAnsweredByTheClient))
                    {
                        if (reportedDisabled.Add(answered.Item))
                            _problems.Add(new FormProblem(answered.Item.LinkId, AnswerOnDisabledItem,
                                "This item is not enabled by the answers given, so it cannot be answered.", answered.Path));
                    }
                    Detach(tree, instance);
                }
            }
            PruneEmpty();
            var final = ResponseTree.Of(response, _index);
            var finalEnablement = new Enablement(_index, final, evaluation);
            CheckCardinalityAndRequired(final, finalEnablement);
            foreach (var instance in final.All) new AnswerChecks(instance, evaluation, _problems).Check();
            _problems.AddRange(evaluation.Problems);
            return new ResponseOutcome(response, _problems);
        }

        private bool IsAnsweredByTheClient(ItemInstance instance) =>
            instance.Item.Answer.Any(a => a.Value is not null) && !_calculated.Contains(instance.Item.LinkId ?? "");

        private void RemoveStrays()
        {
            var tree = ResponseTree.Of(response, _index);
            foreach (var (instance, unknown) in tree.Strays)
            {
                _problems.Add(unknown
                    ? new FormProblem(instance.Item.LinkId, UnknownItem, $"The form has no item '{instance.Item.LinkId}'.", instance.Path)
                    : new FormProblem(instance.Item.LinkId, MisplacedItem,
                        $"The item '{instance.Item.LinkId}' is not where the form puts it (it belongs under {instance.Definition?.Parent?.LinkId ?? "the top level"}).", instance.Path));
                Detach(tree, instance);
            }
        }

        private void Detach(ResponseTree tree, ItemInstance instance)
        {
            _treeStale = true;
            if (instance.Parent is null) response.Item.Remove(instance.Item);
            else
            {
                instance.Parent.Item.Item.Remove(instance.Item);
                foreach (var answer in instance.Parent.Item.Answer) answer.Item.Remove(instance.Item);
            }
            _ = tree;
        }

        private void Calculate(IReadOnlyList<ItemNode> order)
        {
            foreach (var node in order)
            {
                var expression = Sdc.ExpressionOf(node.Item, Sdc.CalculatedExpression)!;
                var tree = CurrentTree();
                // One value per instance of the enclosing group (each repetition of a repeating group scores its own).
                var containers = node.Parent is null
                    ? new List<ItemInstance?> { null }
                    : tree.InstancesOf(node.Parent).Cast<ItemInstance?>().ToList();
                if (containers.Count == 0) containers.Add(EnsurePath(node.Parent!));
                var enablement = new Enablement(_index, tree, evaluation);
                foreach (var original in containers)
                {
                    var container = original;
                    if (!enablement.IsEnabledIn(node, container))
                    {
                        SetAnswers(tree, container, node, []);
                        continue;
                    }
                    // The item's own response item is the expression's context: make it if the client left it out.
                    var self = tree.ChildrenOf(container).FirstOrDefault(i => ReferenceEquals(i.Definition, node))?.Item;
                    if (self is null)
                    {
                        self = new QuestionnaireResponse.ItemComponent { LinkId = node.LinkId, Text = node.Item.Text };
                        Insert(container, node, self);
                        tree = ResponseTree.Of(response, _index);
                        container = container is null ? null : tree.All.First(i => ReferenceEquals(i.Item, container.Item));
                    }
                    var results = evaluation.Evaluate(expression, node, response, container, self, "calculatedExpression");
                    if (results is null)
                    {
                        SetAnswers(tree, container, node, []);
                        continue;
                    }
                    var answers = new List<QuestionnaireResponse.AnswerComponent>();
                    foreach (var result in results)
                    {
                        if (Evaluation.ToAnswer(result, node.Item, out var error) is { } value)
                            answers.Add(new QuestionnaireResponse.AnswerComponent { Value = value });
                        else
                            _problems.Add(new FormProblem(node.LinkId, CalculatedTypeMismatch, $"The calculatedExpression gave an unusable value: {error}.", node.Path));
                    }
                    if (node.Item.Repeats != true && answers.Count > 1)
                    {
                        _problems.Add(new FormProblem(node.LinkId, NotRepeating, "The calculatedExpression gave more than one value for an item that does not repeat.", node.Path));
                        answers = answers.Take(1).ToList();
                    }
                    SetAnswers(tree, container, node, answers);
                }
            }
        }

        private void SetAnswers(ResponseTree tree, ItemInstance? container, ItemNode node, List<QuestionnaireResponse.AnswerComponent> answers)
        {
            var existing = tree.ChildrenOf(container).Where(i => ReferenceEquals(i.Definition, node)).ToList();
            if (answers.Count == 0)
            {
                foreach (var e in existing) Detach(tree, e);
                return;
            }
            var target = existing.FirstOrDefault()?.Item;
            foreach (var extra in existing.Skip(1)) Detach(tree, extra);
            if (target is null)
            {
                target = new QuestionnaireResponse.ItemComponent { LinkId = node.LinkId, Text = node.Item.Text };
                Insert(container, node, target);
            }
            // Nested items under a calculated question's answers are kept on the first answer.
            var nested = target.Answer.SelectMany(a => a.Item).ToList();
            if (nested.Count > 0) _treeStale = true;
            target.Answer.Clear();
            target.Answer.AddRange(answers);
            target.Answer[0].Item.AddRange(nested);
        }

        /// <summary>Creates the response items leading to a definition item that the response does not have yet.</summary>
        private ItemInstance EnsurePath(ItemNode definition)
        {
            var tree = ResponseTree.Of(response, _index);
            if (tree.InstancesOf(definition).FirstOrDefault() is { } present) return present;
            ItemInstance? container = definition.Parent is null ? null : EnsurePath(definition.Parent);
            var item = new QuestionnaireResponse.ItemComponent { LinkId = definition.LinkId, Text = definition.Item.Text };
            Insert(container, definition, item);
            return ResponseTree.Of(response, _index).InstancesOf(definition).First();
        }

        /// <summary>Inserts a response item among its siblings in the form's order.</summary>
        private void Insert(ItemInstance? container, ItemNode definition, QuestionnaireResponse.ItemComponent item)
        {
            _treeStale = true;
            IList<QuestionnaireResponse.ItemComponent> siblings;
            if (container is null) siblings = response.Item;
            else if (container.Definition?.IsQuestion == true)
            {
                if (container.Item.Answer.Count == 0) container.Item.Answer.Add(new QuestionnaireResponse.AnswerComponent());
                siblings = container.Item.Answer[0].Item;
            }
            else siblings = container.Item.Item;
            var position = siblings.Count;
            for (var i = 0; i < siblings.Count; i++)
            {
                if (_index.ByLinkId.TryGetValue(siblings[i].LinkId ?? "", out var other) && other.Order > definition.Order)
                {
                    position = i;
                    break;
                }
            }
            siblings.Insert(position, item);
        }

        /// <summary>
        /// A required item without an answer; for a required section that is missing altogether, its required
        /// questions too (enabled as far as can be told without it), so a renderer can point at each of them.
        /// </summary>
        private void ReportMissing(ItemNode item, ItemInstance? container, Enablement enablement)
        {
            var path = container?.Path ?? "QuestionnaireResponse";
            if (item.Type != ItemType.Group)
            {
                _problems.Add(new FormProblem(item.LinkId, Required, "This question needs an answer.", path));
                return;
            }
            _problems.Add(new FormProblem(item.LinkId, Required, "This section needs at least one answer.", path));
            foreach (var child in item.Children)
            {
                if (Sdc.IsRequired(child.Item) && enablement.IsEnabledIn(child, container)) ReportMissing(child, container, enablement);
            }
        }

        /// <summary>
        /// Removes items left without answers or items (R4 qrs-1), such as groups opened for a calculation that gave
        /// nothing; an empty answer is reported, an empty item is only removed.
        /// </summary>
        private void PruneEmpty()
        {
            bool Prune(IList<QuestionnaireResponse.ItemComponent> items)
            {
                for (var i = items.Count - 1; i >= 0; i--)
                {
                    var item = items[i];
                    Prune(item.Item);
                    for (var a = item.Answer.Count - 1; a >= 0; a--)
                    {
                        Prune(item.Answer[a].Item);
                        if (item.Answer[a].Value is not null || item.Answer[a].Item.Count > 0) continue;
                        // The engine never makes an answer without a value; this one came from the client.
                        _problems.Add(new FormProblem(item.LinkId, AnswerEmpty, "An answer must have a value.", null));
                        item.Answer.RemoveAt(a);
                    }
                    if (item.Answer.Count == 0 && item.Item.Count == 0) items.RemoveAt(i);
                }
                return items.Count == 0;
            }
            Prune(response.Item);
        }

        /// <summary>
        /// minOccurs / maxOccurs: how many answers a repeating question has, or how many times a repeating group is
        /// there. Too many is reported while saving too; too few only on completion (none at all is REQUIRED).
        /// </summary>
        private void CheckOccurs(ItemNode child, List<ItemInstance> instances)
        {
            var (least, most) = Sdc.Occurs(child.Item);
            if (least is null && most is null) return;
            var count = child.Type == ItemType.Group
                ? instances.Count
                : instances.Sum(i => i.Item.Answer.Count(a => a.Value is not null));
            var path = instances.Count > 0 ? instances[0].Path : null;
            if (count > most)
                _problems.Add(new FormProblem(child.LinkId, TooManyAnswers, $"At most {most} {(child.Type == ItemType.Group ? "repetitions" : "answers")}; the response has {count}.", path));
            else if (check == ResponseCheck.Complete && count > 0 && count < least)
                _problems.Add(new FormProblem(child.LinkId, TooFewAnswers, $"At least {least} {(child.Type == ItemType.Group ? "repetitions" : "answers")}; the response has {count}.", path));
        }

        private void CheckCardinalityAndRequired(ResponseTree tree, Enablement enablement)
        {
            // Containers: the response itself, and every present instance of every group or question with children.
            var containers = new List<(ItemInstance? Instance, IEnumerable<ItemNode> Children)> { (null, _index.Roots) };
            containers.AddRange(tree.All.Where(i => i.Definition!.Children.Count > 0).Select(i => ((ItemInstance?)i, (IEnumerable<ItemNode>)i.Definition!.Children)));
            foreach (var (container, children) in containers)
            {
                var present = tree.ChildrenOf(container).ToList();
                foreach (var child in children)
                {
                    var instances = present.Where(i => ReferenceEquals(i.Definition, child)).ToList();
                    if (instances.Count > 1 && !(child.Type == ItemType.Group && child.Item.Repeats == true))
                    {
                        _problems.Add(new FormProblem(child.LinkId, NotRepeating, child.Type == ItemType.Group
                            ? "This group does not repeat, but the response has it more than once."
                            : "A question appears once in a response; several answers go inside it (when it repeats).", instances[1].Path));
                    }
                    CheckOccurs(child, instances);
                    if (check != ResponseCheck.Complete || !Sdc.IsRequired(child.Item)) continue;
                    if (!enablement.IsEnabledIn(child, container)) continue;
                    var answered = instances.Any(i => child.Type == ItemType.Group
                        ? i.SelfAndDescendants().Skip(1).Any(d => d.Item.Answer.Any(a => a.Value is not null))
                        : i.Item.Answer.Any(a => a.Value is not null));
                    if (!answered) ReportMissing(child, container, enablement);
                }
            }
        }
    }
}
