using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace Ehr.Forms.Definitions;

/// <summary>The kinds of <see cref="FormChange"/>.</summary>
public static class FormChangeKind
{
    public const string Added = "added";
    public const string Removed = "removed";
    public const string Changed = "changed";
    public const string Moved = "moved";
}

/// <summary>
/// One difference between two versions of a form: an item added, removed or moved (<see cref="LinkId"/>), or one
/// property of an item or of the form itself (<see cref="LinkId"/> null) changed, with the value before and after
/// (text as it is, anything else as compact JSON) and a sentence for people.
/// </summary>
public sealed record FormChange(string Change, string? LinkId, string? Property, string? Before, string? After, string Description);

/// <summary>
/// A readable, item-by-item comparison of two Questionnaires: the form's own properties, then items in the newer
/// version's order (added, moved, changed property by property), then removed items in the older version's order.
/// Items are matched by link id; their children are compared as items of their own, so a changed child is not
/// reported again as a change of its parent.
/// </summary>
public static class FormDiff
{
    public static IReadOnlyList<FormChange> Compare(Questionnaire before, Questionnaire after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<FormChange>();
        CompareProperties(null, Shallow(before), Shallow(after), changes);

        var old = Tree.Of(before);
        var current = Tree.Of(after);
        foreach (var (linkId, now) in current.Items)
        {
            if (!old.Items.TryGetValue(linkId, out var was))
            {
                changes.Add(new FormChange(FormChangeKind.Added, linkId, null, null, Summary(now.Item), $"Item '{linkId}' added{Where(now.Parent)}: {Summary(now.Item)}."));
                continue;
            }

            // Moved: another parent, or another place among the siblings both versions share (an insertion before it
            // does not move it).
            var (wasAt, nowAt) = (old.PlaceAmong(linkId, current), current.PlaceAmong(linkId, old));
            if (was.Parent != now.Parent || wasAt != nowAt)
            {
                changes.Add(new FormChange(FormChangeKind.Moved, linkId, null, Place(was.Parent, wasAt), Place(now.Parent, nowAt),
                    $"Item '{linkId}' moved from {Place(was.Parent, wasAt)} to {Place(now.Parent, nowAt)}."));
            }

            CompareProperties(linkId, Shallow(was.Item), Shallow(now.Item), changes);
        }

        foreach (var (linkId, was) in old.Items.Where(o => !current.Items.ContainsKey(o.Key)))
        {
            changes.Add(new FormChange(FormChangeKind.Removed, linkId, null, Summary(was.Item), null, $"Item '{linkId}' removed: {Summary(was.Item)}."));
        }

        return changes;
    }

    private sealed record Node(Questionnaire.ItemComponent Item, string? Parent);

    /// <summary>A questionnaire's items by link id (the first of a duplicated one) in document order, with their parents and each parent's children.</summary>
    private sealed class Tree
    {
        private const string Top = "";

        public Dictionary<string, Node> Items { get; } = new(StringComparer.Ordinal);

        private Dictionary<string, List<string>> Children { get; } = new(StringComparer.Ordinal);

        public static Tree Of(Questionnaire questionnaire)
        {
            var tree = new Tree();
            tree.Walk(questionnaire.Item, null);
            return tree;
        }

        /// <summary>The item's position (from 0) among its siblings that sit under the same parent in <paramref name="other"/> too.</summary>
        public int PlaceAmong(string linkId, Tree other)
        {
            var parent = Items[linkId].Parent;
            return Children[parent ?? Top]
                .Where(id => other.Items.TryGetValue(id, out var there) && there.Parent == parent)
                .ToList()
                .IndexOf(linkId);
        }

        private void Walk(IEnumerable<Questionnaire.ItemComponent> items, string? parent)
        {
            var siblings = Children.TryGetValue(parent ?? Top, out var list) ? list : Children[parent ?? Top] = [];
            foreach (var item in items)
            {
                if (item.LinkId is { Length: > 0 } linkId && Items.TryAdd(linkId, new Node(item, parent)))
                {
                    siblings.Add(linkId);
                }

                Walk(item.Item, item.LinkId);
            }
        }
    }

    private static string Place(string? parent, int index) =>
        (parent is null ? "the top level" : $"under '{parent}'") + $", position {index + 1}";

    private static string Where(string? parent) => parent is null ? "" : $" under '{parent}'";

    private static string Summary(Questionnaire.ItemComponent item) =>
        $"{item.Type?.GetLiteral() ?? "untyped"} \"{item.Text ?? item.LinkId}\"";

    /// <summary>The element's own properties as JSON, without its child items (they are compared on their own).</summary>
    private static JsonObject Shallow(Questionnaire questionnaire)
    {
        var copy = (Questionnaire)questionnaire.DeepCopy();
        copy.Item.Clear();
        var json = JsonNode.Parse(QuestionnaireJson.Serialize(copy))!.AsObject();
        json.Remove("resourceType");
        return json;
    }

    private static JsonObject Shallow(Questionnaire.ItemComponent item)
    {
        var copy = (Questionnaire.ItemComponent)item.DeepCopy();
        copy.Item.Clear();
        var holder = new Questionnaire { Item = [copy] };
        return JsonNode.Parse(QuestionnaireJson.Serialize(holder))!["item"]![0]!.AsObject();
    }

    private static void CompareProperties(string? linkId, JsonObject before, JsonObject after, List<FormChange> changes)
    {
        var names = before.Select(p => p.Key).Union(after.Select(p => p.Key), StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            var was = Render(before[name]);
            var now = Render(after[name]);
            if (was == now)
            {
                continue;
            }

            var subject = linkId is null ? "The form's" : $"Item '{linkId}':";
            var description = (was, now) switch
            {
                (null, _) => $"{subject} {name} set to {now}.",
                (_, null) => $"{subject} {name} removed (was {was}).",
                _ => $"{subject} {name} changed from {was} to {now}.",
            };
            changes.Add(new FormChange(FormChangeKind.Changed, linkId, name, was, now, description));
        }
    }

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    private static string? Render(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        _ => node.ToJsonString(Compact),
    };
}
