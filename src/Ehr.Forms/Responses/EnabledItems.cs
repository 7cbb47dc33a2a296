using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Responses;

/// <summary>
/// Which items of a form are enabled by a response's answers, item by item, by the same rules the server applies
/// (<see cref="ResponseEngine.Process"/>): enableWhen with enableBehavior, enableWhenExpression, an enclosing item's
/// enablement. A renderer asks it which questions to show, including questions not answered yet, which a processed
/// response (answers only) cannot tell. Pass a response <see cref="ResponseEngine.Process"/> returned, so calculated
/// items hold their values; the response is read, never changed.
/// </summary>
public sealed class EnabledItems
{
    private readonly ItemIndex _index;
    private readonly ResponseTree _tree;
    private readonly Enablement _enablement;
    private readonly Dictionary<Questionnaire.ItemComponent, ItemNode> _nodes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<QuestionnaireResponse.ItemComponent, ItemInstance> _instances = new(ReferenceEqualityComparer.Instance);

    private EnabledItems(FormPlan plan, QuestionnaireResponse response, IAnswerValueSets valueSets)
    {
        _index = plan.Index;
        _tree = ResponseTree.Of(response, _index);
        var evaluation = new Evaluation(plan, valueSets, new Dictionary<string, Resource>());
        _enablement = new Enablement(_index, _tree, evaluation);
        foreach (var node in _index.All) _nodes.TryAdd(node.Item, node);
        foreach (var instance in _tree.All) _instances.TryAdd(instance.Item, instance);
    }

    public static EnabledItems Of(Questionnaire questionnaire, QuestionnaireResponse response, IAnswerValueSets? valueSets = null)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(response);
        return new EnabledItems(FormPlan.Of(questionnaire), response, valueSets ?? InMemoryAnswerValueSets.Empty);
    }

    /// <summary>As <see cref="Of(Questionnaire, QuestionnaireResponse, IAnswerValueSets?)"/>, with the definition's plan at hand.</summary>
    public static EnabledItems Of(FormPlan plan, QuestionnaireResponse response, IAnswerValueSets? valueSets = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(response);
        return new EnabledItems(plan, response, valueSets ?? InMemoryAnswerValueSets.Empty);
    }

    /// <summary>
    /// Whether <paramref name="definition"/> (an item of the questionnaire, by reference) is enabled where it sits:
    /// inside <paramref name="container"/>, the response item of the enclosing group or question (by reference, from
    /// the response given), or at the top level when null. A container the response does not have yet (an empty
    /// repetition on screen) is given as null: the item's own conditions are then read over the whole response.
    /// </summary>
    public bool IsEnabled(Questionnaire.ItemComponent definition, QuestionnaireResponse.ItemComponent? container)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!_nodes.TryGetValue(definition, out var node)) return false;
        var instance = container is not null && _instances.TryGetValue(container, out var found) ? found : null;
        return _enablement.IsEnabledIn(node, instance);
    }
}
