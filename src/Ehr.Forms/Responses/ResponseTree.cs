using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Responses;

/// <summary>
/// One item of a response, with the definition it answers and the response item it sits in (null at the top). Its
/// path is worked out when asked for (only problems need it; the engine walks the tree many times).
/// </summary>
internal sealed class ItemInstance(QuestionnaireResponse.ItemComponent item, ItemInstance? parent, ItemNode? definition, int? answer, int position)
{
    private string? _path;

    public QuestionnaireResponse.ItemComponent Item { get; } = item;
    public ItemInstance? Parent { get; } = parent;
    public ItemNode? Definition { get; } = definition;

    /// <summary>Where it sat when the tree was read: <c>QuestionnaireResponse.item[0].answer[0].item[2]</c>.</summary>
    public string Path => _path ??= $"{Parent?.Path ?? "QuestionnaireResponse"}{(answer is { } a ? $".answer[{a}]" : "")}.item[{position}]";
    public List<ItemInstance> Children { get; } = [];

    public IEnumerable<ItemInstance> SelfAndDescendants()
    {
        yield return this;
        foreach (var child in Children)
            foreach (var d in child.SelfAndDescendants()) yield return d;
    }
}

/// <summary>
/// A response's items matched to the definition. Children of a group sit in <c>item</c>; children of a question sit
/// in <c>answer.item</c> (as R4 says) or, leniently, in <c>item</c>.
/// </summary>
internal sealed class ResponseTree
{
    private ResponseTree(QuestionnaireResponse response, ItemIndex index)
    {
        Response = response;
        Walk(response.Item, null, null, null, index);
    }

    public QuestionnaireResponse Response { get; }
    public List<ItemInstance> Roots { get; } = [];
    public List<ItemInstance> All { get; } = [];

    /// <summary>Items naming a link id the definition does not have, or sitting under the wrong parent.</summary>
    public List<(ItemInstance Instance, bool Unknown)> Strays { get; } = [];

    public static ResponseTree Of(QuestionnaireResponse response, ItemIndex index) => new(response, index);

    public IEnumerable<ItemInstance> InstancesOf(ItemNode definition) => All.Where(i => ReferenceEquals(i.Definition, definition));

    /// <summary>The children of a container (a response item, or the response itself when null).</summary>
    public IEnumerable<ItemInstance> ChildrenOf(ItemInstance? container) => container is null ? Roots : container.Children;

    private void Walk(IList<QuestionnaireResponse.ItemComponent> items, ItemInstance? parent, ItemNode? parentDefinition, int? answer, ItemIndex index)
    {
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            index.ByLinkId.TryGetValue(item.LinkId ?? "", out var definition);
            var instance = new ItemInstance(item, parent, definition, answer, i);
            if (definition is null) Strays.Add((instance, true));
            else if (!ReferenceEquals(definition.Parent, parentDefinition)) Strays.Add((instance, false));
            else
            {
                All.Add(instance);
                (parent?.Children ?? Roots).Add(instance);
            }
            Walk(item.Item, instance, definition, null, index);
            for (var a = 0; a < item.Answer.Count; a++)
                Walk(item.Answer[a].Item, instance, definition, a, index);
        }
    }
}
