using System.Text.RegularExpressions;
using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Web.Components.Forms;

/// <summary>One item of the form being built, where it sits: its parent (null at the top), depth, position among its
/// siblings, a key (<c>0.2.1</c>, the positions from the top) and its FHIR path (<c>Questionnaire.item[0].item[2]</c>).</summary>
internal sealed record BuilderNode(Questionnaire.ItemComponent Item, Questionnaire.ItemComponent? Parent, int Depth, int Index,
    string Key, string Path, int Order);

/// <summary>
/// The form builder's model: the Firely <see cref="Questionnaire"/> itself (no parallel model to keep in step, and
/// every edit leaves a resource that serialises to valid Questionnaire JSON), with the tree operations the builder
/// offers. Items are identified by reference; link ids are generated unique and kept unique when edited, and
/// references to them (enableWhen questions, link ids named in expressions) follow a rename. Moves never change a
/// link id; what a move or a deletion does to conditions (a condition now on a later question, or on one that is
/// gone) is reported back in plain words for the builder to show.
/// </summary>
internal sealed partial class FormBuilderModel
{
    public FormBuilderModel(Questionnaire questionnaire)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        Questionnaire = questionnaire;
    }

    public Questionnaire Questionnaire { get; private set; }

    /// <summary>A new, empty draft form.</summary>
    public static FormBuilderModel Blank(string title = "New form") => new(new Questionnaire
    {
        Status = PublicationStatus.Draft,
        Title = title,
        Name = NameFrom(title),
        SubjectType = [ResourceType.Patient],
    });

    private static string NameFrom(string title)
    {
        var name = new string(title.Where(char.IsAsciiLetterOrDigit).ToArray());
        return name.Length > 0 && char.IsAsciiLetter(name[0]) ? name : "Form" + name;
    }

    // ------------------------------------------------------------------ reading

    /// <summary>Every item in document order (a group before its children).</summary>
    public IReadOnlyList<BuilderNode> Nodes
    {
        get
        {
            var nodes = new List<BuilderNode>();
            void Walk(List<Questionnaire.ItemComponent> items, Questionnaire.ItemComponent? parent, int depth, string key, string path)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    var k = key.Length == 0 ? $"{i}" : $"{key}.{i}";
                    var p = $"{path}.item[{i}]";
                    nodes.Add(new BuilderNode(items[i], parent, depth, i, k, p, nodes.Count));
                    Walk(items[i].Item, items[i], depth + 1, k, p);
                }
            }
            Walk(Questionnaire.Item, null, 0, "", "Questionnaire");
            return nodes;
        }
    }

    public BuilderNode? NodeOf(Questionnaire.ItemComponent item) => Nodes.FirstOrDefault(n => ReferenceEquals(n.Item, item));

    public BuilderNode? NodeAt(string key) => Nodes.FirstOrDefault(n => n.Key == key);

    /// <summary>The item a FHIR path points into (<c>Questionnaire.item[1].enableWhen[0].question</c> → item[1]).</summary>
    public BuilderNode? NodeAtPath(string? path)
    {
        if (path is null) return null;
        return Nodes.Where(n => path == n.Path || path.StartsWith(n.Path + ".", StringComparison.Ordinal))
            .OrderByDescending(n => n.Path.Length).FirstOrDefault();
    }

    public BuilderNode? NodeWithLinkId(string? linkId) => linkId is null ? null : Nodes.FirstOrDefault(n => n.Item.LinkId == linkId);

    private List<Questionnaire.ItemComponent> SiblingsOf(Questionnaire.ItemComponent? parent) => parent?.Item ?? Questionnaire.Item;

    private Questionnaire.ItemComponent? ParentOf(Questionnaire.ItemComponent item) => NodeOf(item)?.Parent;

    private static bool IsQuestion(Questionnaire.ItemComponent item) => item.Type is not (null or ItemType.Group or ItemType.Display);

    /// <summary>
    /// The questions an item's enableWhen may name: the ones before it in the form (they are answered first), not
    /// its own enclosing items, and of a type a condition can compare (not attachments).
    /// </summary>
    public IReadOnlyList<Questionnaire.ItemComponent> ConditionCandidates(Questionnaire.ItemComponent item)
    {
        var nodes = Nodes;
        var own = nodes.FirstOrDefault(n => ReferenceEquals(n.Item, item));
        if (own is null) return [];
        var ancestors = new HashSet<Questionnaire.ItemComponent>(ReferenceEqualityComparer.Instance);
        for (var p = own.Parent; p is not null; p = ParentOf(p)) ancestors.Add(p);
        return nodes.Where(n => n.Order < own.Order && IsQuestion(n.Item) && n.Item.Type != ItemType.Attachment
                && !ancestors.Contains(n.Item) && !string.IsNullOrEmpty(n.Item.LinkId))
            .Select(n => n.Item).ToList();
    }

    // ------------------------------------------------------------------ link ids

    public bool LinkIdInUse(string linkId, Questionnaire.ItemComponent? except = null) =>
        Nodes.Any(n => n.Item.LinkId == linkId && !ReferenceEquals(n.Item, except));

    /// <summary>A link id no item has: <c>question-3</c>, <c>group-1</c>, <c>display-2</c> (the lowest free number).</summary>
    public string NewLinkId(ItemType type, IReadOnlySet<string>? alsoTaken = null)
    {
        var stem = type switch
        {
            ItemType.Group => "group",
            ItemType.Display => "display",
            _ => "question",
        };
        var taken = Nodes.Select(n => n.Item.LinkId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (alsoTaken is not null) taken.UnionWith(alsoTaken);
        for (var n = 1; ; n++)
        {
            var candidate = $"{stem}-{n}";
            if (!taken.Contains(candidate)) return candidate;
        }
    }

    /// <summary>Why a link id cannot be used (null when it can): empty, spaces, too long, or another item's.</summary>
    public string? CheckLinkId(string? linkId, Questionnaire.ItemComponent item)
    {
        if (string.IsNullOrWhiteSpace(linkId)) return "A link id cannot be empty.";
        if (linkId.Any(char.IsWhiteSpace)) return "A link id cannot contain spaces.";
        if (linkId.Length > 255) return "A link id is at most 255 characters long.";
        if (LinkIdInUse(linkId, item)) return $"Another item already has the link id '{linkId}'.";
        return null;
    }

    /// <summary>
    /// Renames an item's link id, and every reference to it: enableWhen questions and the link id written as a
    /// string literal in the form's expressions (<c>where(linkId = 'old')</c>). Returns why not, or null when done.
    /// </summary>
    public string? ChangeLinkId(Questionnaire.ItemComponent item, string? linkId)
    {
        var problem = CheckLinkId(linkId, item);
        if (problem is not null) return problem;
        var old = item.LinkId;
        item.LinkId = linkId;
        if (string.IsNullOrEmpty(old) || old == linkId) return null;
        RenameReferences(new Dictionary<string, string>(StringComparer.Ordinal) { [old] = linkId! }, Nodes.Select(n => n.Item));
        return null;
    }

    private void RenameReferences(IReadOnlyDictionary<string, string> renames, IEnumerable<Questionnaire.ItemComponent> within, bool formExpressions = true)
    {
        foreach (var item in within)
        {
            foreach (var condition in item.EnableWhen)
                if (condition.Question is { } q && renames.TryGetValue(q, out var renamed)) condition.Question = renamed;
            RenameInExpressions(item, renames);
        }
        if (formExpressions) RenameInExpressions(Questionnaire, renames);
    }

    private static void RenameInExpressions(IExtendable element, IReadOnlyDictionary<string, string> renames)
    {
        foreach (var ext in element.Extension)
        {
            if (ext.Value is not Expression { Expression_: { } text } expression) continue;
            expression.Expression_ = Literal().Replace(text, m =>
                renames.TryGetValue(m.Groups[1].Value, out var renamed) ? $"'{renamed}'" : m.Value);
        }
    }

    [GeneratedRegex(@"'((?:[^'\\]|\\.)*)'")]
    private static partial Regex Literal();

    // ------------------------------------------------------------------ tree operations

    /// <summary>
    /// Adds a new item of a type: inside <paramref name="parent"/> (null: at the top), after <paramref name="after"/>
    /// when it is one of its children, else last. A choice starts with two options and a group with one question, so
    /// the new item is already a valid one.
    /// </summary>
    public Questionnaire.ItemComponent Add(ItemType type, Questionnaire.ItemComponent? parent = null, Questionnaire.ItemComponent? after = null)
    {
        var item = NewItem(type);
        var siblings = SiblingsOf(parent);
        var position = after is null ? -1 : siblings.IndexOf(after);
        siblings.Insert(position < 0 ? siblings.Count : position + 1, item);
        if (type == ItemType.Group) item.Item.Add(NewItem(ItemType.String));
        return item;
    }

    private Questionnaire.ItemComponent NewItem(ItemType type)
    {
        var item = new Questionnaire.ItemComponent
        {
            LinkId = NewLinkId(type),
            Type = type,
            Text = type switch
            {
                ItemType.Group => "New section",
                ItemType.Display => "Text shown to the person answering",
                _ => $"New {type.GetLiteral()} question",
            },
        };
        if (type is ItemType.Choice or ItemType.OpenChoice)
        {
            item.AnswerOption.Add(NewOption(item));
            item.AnswerOption.Add(NewOption(item));
        }
        return item;
    }

    /// <summary>A new coded answer option with a code the item does not use yet.</summary>
    public static Questionnaire.AnswerOptionComponent NewOption(Questionnaire.ItemComponent item)
    {
        var codes = item.AnswerOption.Select(o => (o.Value as Coding)?.Code).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var system = item.AnswerOption.Select(o => (o.Value as Coding)?.System).FirstOrDefault(s => s is not null);
        var n = 1;
        while (codes.Contains($"option-{n}")) n++;
        return new Questionnaire.AnswerOptionComponent { Value = new Coding(system, $"option-{n}", $"Option {n}") };
    }

    /// <summary>Deletes an item and what it contains. Returns the conditions left pointing at an item that is gone.</summary>
    public IReadOnlyList<string> Delete(Questionnaire.ItemComponent item)
    {
        var node = NodeOf(item);
        if (node is null) return [];
        var removed = Subtree(item).Select(i => i.LinkId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        SiblingsOf(node.Parent).Remove(item);
        var notes = new List<string>();
        foreach (var other in Nodes)
        {
            foreach (var condition in other.Item.EnableWhen)
            {
                if (condition.Question is { } q && removed.Contains(q))
                    notes.Add($"'{Caption(other.Item)}' is shown depending on '{q}', which was deleted: change or remove that condition.");
            }
        }
        return notes;
    }

    private static IEnumerable<Questionnaire.ItemComponent> Subtree(Questionnaire.ItemComponent item)
    {
        yield return item;
        foreach (var child in item.Item)
            foreach (var d in Subtree(child)) yield return d;
    }

    /// <summary>
    /// Copies an item (and its children) right after it, with new link ids; conditions inside the copy that named
    /// items of the original now name their copies, conditions on items outside stay as they were.
    /// </summary>
    public Questionnaire.ItemComponent Duplicate(Questionnaire.ItemComponent item)
    {
        var node = NodeOf(item) ?? throw new InvalidOperationException("The item is not in the form.");
        var copy = (Questionnaire.ItemComponent)item.DeepCopy();
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in Subtree(copy))
        {
            var fresh = NewLinkId(c.Type ?? ItemType.String, taken);
            taken.Add(fresh);
            if (c.LinkId is { } old) renames.TryAdd(old, fresh);
            c.LinkId = fresh;
        }
        RenameReferences(renames, Subtree(copy), formExpressions: false);
        var siblings = SiblingsOf(node.Parent);
        siblings.Insert(siblings.IndexOf(item) + 1, copy);
        return copy;
    }

    /// <summary>Whether an item may go inside <paramref name="parent"/> (null: the top level): not into itself or its own children, not into a display item.</summary>
    public static bool CanMove(Questionnaire.ItemComponent item, Questionnaire.ItemComponent? parent)
    {
        if (parent is null) return true;
        if (parent.Type == ItemType.Display) return false;
        return !Subtree(item).Any(i => ReferenceEquals(i, parent));
    }

    /// <summary>
    /// Moves an item to position <paramref name="index"/> among the children of <paramref name="parent"/> (null:
    /// the top level; the index counts the siblings as they are before the move). Returns the conditions the move
    /// left pointing at a question that no longer comes before the item it controls, or refuses (an exception) a
    /// move into the item itself.
    /// </summary>
    public IReadOnlyList<string> Move(Questionnaire.ItemComponent item, Questionnaire.ItemComponent? parent, int index)
    {
        if (!CanMove(item, parent)) throw new InvalidOperationException("An item cannot go inside itself or inside a display item.");
        var node = NodeOf(item) ?? throw new InvalidOperationException("The item is not in the form.");
        var before = ConditionsOutOfOrder();
        var from = SiblingsOf(node.Parent);
        var to = SiblingsOf(parent);
        if (ReferenceEquals(from, to) && node.Index < index) index--;
        from.Remove(item);
        to.Insert(Math.Clamp(index, 0, to.Count), item);
        return ConditionsOutOfOrder().Except(before).ToList();
    }

    public IReadOnlyList<string> MoveUp(Questionnaire.ItemComponent item)
    {
        var node = NodeOf(item);
        return node is null || node.Index == 0 ? [] : Move(item, node.Parent, node.Index - 1);
    }

    public IReadOnlyList<string> MoveDown(Questionnaire.ItemComponent item)
    {
        var node = NodeOf(item);
        if (node is null || node.Index >= SiblingsOf(node.Parent).Count - 1) return [];
        return Move(item, node.Parent, node.Index + 2);
    }

    /// <summary>Moves an item into the group just above it (as its last item), when there is one.</summary>
    public IReadOnlyList<string> Indent(Questionnaire.ItemComponent item)
    {
        var node = NodeOf(item);
        if (node is null || node.Index == 0) return [];
        var previous = SiblingsOf(node.Parent)[node.Index - 1];
        return previous.Type == ItemType.Group ? Move(item, previous, previous.Item.Count) : [];
    }

    /// <summary>Moves an item out of its group, right after the group.</summary>
    public IReadOnlyList<string> Outdent(Questionnaire.ItemComponent item)
    {
        var node = NodeOf(item);
        if (node?.Parent is not { } parent) return [];
        var parentNode = NodeOf(parent)!;
        return Move(item, parentNode.Parent, parentNode.Index + 1);
    }

    public bool CanIndent(Questionnaire.ItemComponent item)
    {
        var node = NodeOf(item);
        return node is { Index: > 0 } && SiblingsOf(node.Parent)[node.Index - 1].Type == ItemType.Group;
    }

    /// <summary>The conditions naming a question that is not before the item they control, in words.</summary>
    public IReadOnlyList<string> ConditionsOutOfOrder()
    {
        var nodes = Nodes;
        var order = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in nodes)
            if (n.Item.LinkId is { } id) order.TryAdd(id, n.Order);
        var notes = new List<string>();
        foreach (var n in nodes)
        {
            foreach (var condition in n.Item.EnableWhen)
            {
                if (condition.Question is { } q && order.TryGetValue(q, out var at) && at >= n.Order)
                    notes.Add($"'{Caption(n.Item)}' depends on '{q}', which now comes after it: move one of them, or change the condition.");
            }
        }
        return notes;
    }

    /// <summary>
    /// Changes an item's type, dropping what the new type cannot have (answer options, initial values, bounds, units,
    /// a maximum length); returns what was dropped and the conditions elsewhere that compare this item's answers
    /// (they may need a new answer), or refuses a display item with children.
    /// </summary>
    public IReadOnlyList<string> ChangeType(Questionnaire.ItemComponent item, ItemType type)
    {
        if (item.Type == type) return [];
        if (type == ItemType.Display && item.Item.Count > 0)
            return ["A display item cannot contain items: move its items out first."];
        var notes = new List<string>();
        item.Type = type;
        if (type is not (ItemType.Choice or ItemType.OpenChoice or ItemType.Integer or ItemType.Date or ItemType.Time or ItemType.String or ItemType.Text))
        {
            if (item.AnswerOption.Count > 0 || item.AnswerValueSet is not null) notes.Add("The answer options were removed: this type takes none.");
            item.AnswerOption.Clear();
            item.AnswerValueSet = null;
        }
        else if (item.AnswerOption.RemoveAll(o => o.Value is null || !OptionFits(type, o.Value)) > 0)
        {
            notes.Add("Answer options that do not fit this type were removed.");
        }
        if (type is ItemType.Choice or ItemType.OpenChoice && item.AnswerOption.Count == 0 && item.AnswerValueSet is null)
        {
            item.AnswerOption.Add(NewOption(item));
            item.AnswerOption.Add(NewOption(item));
        }
        if (item.Initial.Count > 0)
        {
            item.Initial.Clear();
            notes.Add("The initial value was removed: set it again for the new type.");
        }
        if (item.MaxLength is not null && type is not (ItemType.Boolean or ItemType.Decimal or ItemType.Integer or ItemType.String or ItemType.Text or ItemType.Url or ItemType.OpenChoice))
        {
            item.MaxLength = null;
            notes.Add("The maximum length was removed: it does not apply to this type.");
        }
        if ((SdcExtensions.ValueOf(item, SdcExtensions.MinValue) ?? SdcExtensions.ValueOf(item, SdcExtensions.MaxValue)) is not null)
        {
            SdcExtensions.Set(item, SdcExtensions.MinValue, null);
            SdcExtensions.Set(item, SdcExtensions.MaxValue, null);
            notes.Add("The minimum and maximum were removed: set them again for the new type.");
        }
        if (type is not (ItemType.Quantity or ItemType.Decimal or ItemType.Integer) && SdcExtensions.UnitsOf(item).Count > 0)
        {
            item.Extension.RemoveAll(e => e.Url is SdcExtensions.Unit or SdcExtensions.UnitOption);
            notes.Add("The unit was removed: it applies to numbers and quantities only.");
        }
        if (type != ItemType.Quantity && item.Extension.Any(e => e.Url == SdcExtensions.UnitOption))
        {
            var first = item.Extension.First(e => e.Url == SdcExtensions.UnitOption).Value;
            item.Extension.RemoveAll(e => e.Url == SdcExtensions.UnitOption);
            SdcExtensions.Set(item, SdcExtensions.Unit, first);
        }
        if (type is ItemType.Group or ItemType.Display)
        {
            SdcExtensions.Set(item, SdcExtensions.CalculatedExpression, null);
            item.ReadOnly = type == ItemType.Display ? null : item.ReadOnly;
        }
        if (type == ItemType.Display)
        {
            item.Required = null;
            item.Repeats = null;
        }
        if (type is not (ItemType.Choice or ItemType.OpenChoice)) SdcExtensions.SetItemControl(item, null);
        if (item.LinkId is { } id)
        {
            foreach (var other in Nodes.Where(n => n.Item.EnableWhen.Any(c => c.Question == id)))
                notes.Add($"'{Caption(other.Item)}' is shown depending on this item's answer: check that its condition still fits a {type.GetLiteral()} answer.");
        }
        return notes;
    }

    private static bool OptionFits(ItemType type, DataType value) => type switch
    {
        ItemType.Choice or ItemType.OpenChoice => value is Coding or FhirString or Integer or Date or Time or ResourceReference,
        ItemType.Integer => value is Integer,
        ItemType.Date => value is Date,
        ItemType.Time => value is Time,
        ItemType.String or ItemType.Text => value is FhirString,
        _ => false,
    };

    public static string Caption(Questionnaire.ItemComponent item) =>
        string.IsNullOrWhiteSpace(item.Text) ? item.LinkId ?? "(no link id)" : item.Text;

    // ------------------------------------------------------------------ JSON

    public string ToJson() => QuestionnaireJson.Serialize(Questionnaire, pretty: true);

    /// <summary>Replaces the whole form from JSON when it reads as a Questionnaire; otherwise keeps it and returns the problems (each with its path).</summary>
    public IReadOnlyList<FormProblem> ReplaceFromJson(string json)
    {
        var parsed = QuestionnaireJson.ParseQuestionnaire(json);
        if (parsed.Resource is null) return parsed.Problems;
        Questionnaire = parsed.Resource;
        return [];
    }
}
