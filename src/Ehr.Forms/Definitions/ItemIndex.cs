using Hl7.Fhir.Model;

namespace Ehr.Forms.Definitions;

/// <summary>One item of a questionnaire with where it sits: its parent, its document order and its path.</summary>
internal sealed class ItemNode(Questionnaire.ItemComponent item, ItemNode? parent, int order, string path)
{
    public Questionnaire.ItemComponent Item { get; } = item;
    public ItemNode? Parent { get; } = parent;
    public int Order { get; } = order;
    public string Path { get; } = path;
    public List<ItemNode> Children { get; } = [];
    public string LinkId => Item.LinkId ?? "";
    public Questionnaire.QuestionnaireItemType? Type => Item.Type;
    public bool IsQuestion => Type is not (null or Questionnaire.QuestionnaireItemType.Group or Questionnaire.QuestionnaireItemType.Display);

    public IEnumerable<ItemNode> Ancestors()
    {
        for (var p = Parent; p is not null; p = p.Parent) yield return p;
    }
}

/// <summary>The items of a questionnaire in document (pre-)order, by link id.</summary>
internal sealed class ItemIndex
{
    private ItemIndex(Questionnaire questionnaire)
    {
        Questionnaire = questionnaire;
        var order = 0;
        void Walk(IList<Questionnaire.ItemComponent> items, ItemNode? parent, string basePath, List<ItemNode> siblings)
        {
            for (var i = 0; i < items.Count; i++)
            {
                var node = new ItemNode(items[i], parent, order++, $"{basePath}.item[{i}]");
                All.Add(node);
                siblings.Add(node);
                if (!string.IsNullOrEmpty(node.Item.LinkId)) ByLinkId.TryAdd(node.Item.LinkId, node);
                Walk(items[i].Item, node, node.Path, node.Children);
            }
        }
        Walk(questionnaire.Item, null, "Questionnaire", Roots);
    }

    public Questionnaire Questionnaire { get; }
    public List<ItemNode> All { get; } = [];
    public List<ItemNode> Roots { get; } = [];

    /// <summary>The first item with each link id (duplicates are a definition problem, reported by the validator).</summary>
    public Dictionary<string, ItemNode> ByLinkId { get; } = new(StringComparer.Ordinal);

    public static ItemIndex Of(Questionnaire questionnaire) => new(questionnaire);
}
