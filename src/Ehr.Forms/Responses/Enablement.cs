using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;
using Operator = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemOperator;

namespace Ehr.Forms.Responses;

/// <summary>
/// Whether an item is enabled where it sits in a response: its enclosing items are enabled and its own enableWhen
/// (combined by enableBehavior, "all" when absent) or enableWhenExpression holds. The question an enableWhen names is
/// looked up in the nearest enclosing response item that contains it, then anywhere in the response. With no answer,
/// every operator but <c>exists</c> is false.
/// </summary>
internal sealed class Enablement(ItemIndex index, ResponseTree tree, Evaluation evaluation)
{
    private readonly Dictionary<(ItemNode, object?), bool> _cache = [];

    public bool IsEnabled(ItemInstance instance) => IsEnabledIn(instance.Definition!, instance.Parent);

    public bool IsEnabledIn(ItemNode definition, ItemInstance? container)
    {
        var key = (definition, (object?)container?.Item);
        if (_cache.TryGetValue(key, out var known)) return known;
        _cache[key] = true; // a definition whose conditions lead back to itself is rejected at publication; do not loop here
        var enabled = (container is null || IsEnabled(container)) && OwnConditionsHold(definition, container);
        _cache[key] = enabled;
        return enabled;
    }

    private bool OwnConditionsHold(ItemNode definition, ItemInstance? container)
    {
        var item = definition.Item;
        if (Sdc.ExpressionOf(item, Sdc.EnableWhenExpression) is { } expression)
        {
            var self = tree.ChildrenOf(container).FirstOrDefault(i => ReferenceEquals(i.Definition, definition))?.Item;
            var result = evaluation.Evaluate(expression, definition, tree.Response, container, self, "enableWhenExpression");
            return result is [{ Poco: PrimitiveType { JsonValue: true } }];
        }
        if (item.EnableWhen.Count == 0) return true;
        var any = item.EnableBehavior == Questionnaire.EnableWhenBehavior.Any;
        foreach (var condition in item.EnableWhen)
        {
            var holds = Holds(condition, container);
            if (any && holds) return true;
            if (!any && !holds) return false;
        }
        return !any;
    }

    private bool Holds(Questionnaire.EnableWhenComponent condition, ItemInstance? container)
    {
        if (condition.Question is null || !index.ByLinkId.TryGetValue(condition.Question, out var target) || condition.Answer is null)
            return false;
        var answers = AnswersOf(target, container).ToList();
        var expected = condition.Answer;
        switch (condition.Operator)
        {
            case Operator.Exists:
                return (answers.Count > 0) == ((expected as FhirBoolean)?.Value == true);
            case Operator.Equal:
                return answers.Any(a => Answers.AreEqual(a, expected));
            case Operator.NotEqual:
                return answers.Count > 0 && !answers.Any(a => Answers.AreEqual(a, expected));
            case Operator.GreaterThan:
                return answers.Any(a => Answers.Compare(a, expected) > 0);
            case Operator.LessThan:
                return answers.Any(a => Answers.Compare(a, expected) < 0);
            case Operator.GreaterOrEqual:
                return answers.Any(a => Answers.Compare(a, expected) >= 0);
            case Operator.LessOrEqual:
                return answers.Any(a => Answers.Compare(a, expected) <= 0);
            default:
                return false;
        }
    }

    private IEnumerable<DataType> AnswersOf(ItemNode target, ItemInstance? container)
    {
        for (var scope = container; scope is not null; scope = scope.Parent)
        {
            var found = scope.SelfAndDescendants().Where(i => ReferenceEquals(i.Definition, target)).ToList();
            if (found.Count > 0) return Values(found);
        }
        return Values(tree.InstancesOf(target));
    }

    private IEnumerable<DataType> Values(IEnumerable<ItemInstance> instances) =>
        instances.Where(i => IsEnabled(i)).SelectMany(i => i.Item.Answer).Select(a => a.Value).OfType<DataType>();
}
