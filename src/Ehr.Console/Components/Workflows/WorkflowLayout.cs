using System.Text.Json;

namespace Ehr.Web.Components.Workflows;

/// <summary>A node of the diagram: where it is drawn, its layer (column) and its place in that layer (row).</summary>
public sealed record DiagramNode(string Id, string Kind, string? Title, int Index, int Layer, int Row, double X, double Y)
{
    /// <summary>What the box says: the title, else the id.</summary>
    public string Label => string.IsNullOrWhiteSpace(Title) ? Id : Title;
}

/// <summary>
/// An edge of the diagram (by its index in the definition's <c>edges</c>), its outcome label, and whether it goes back
/// to an earlier (or the same) layer: a loop, drawn below the boxes.
/// </summary>
public sealed record DiagramEdge(int Index, string From, string To, string Outcome, bool Back);

/// <summary>
/// The diagram of a workflow definition, read from its JSON leniently (a draft need not be valid: nodes without an
/// id and edges naming no node are left out) and laid out in layers: the start in the first column, each node in the
/// column after the furthest node that leads to it (longest path over the edges that go forward in breadth-first
/// order from the start, so a loop cannot push a node right for ever); nodes the start never reaches in a last column.
/// Within a column, nodes are ordered by the mean row of their predecessors (then by their order in the JSON), which
/// keeps most edges short and uncrossed. Pure: the same JSON gives the same drawing.
/// </summary>
public sealed class WorkflowLayout
{
    public const double BoxWidth = 150;
    public const double BoxHeight = 58;
    public const double ColumnGap = 50;
    public const double RowGap = 28;
    public const double Margin = 16;

    private WorkflowLayout(IReadOnlyList<DiagramNode> nodes, IReadOnlyList<DiagramEdge> edges)
    {
        Nodes = nodes;
        Edges = edges;
        var columns = nodes.Count == 0 ? 0 : nodes.Max(n => n.Layer) + 1;
        var rows = nodes.Count == 0 ? 0 : nodes.Max(n => n.Row) + 1;
        Width = Margin * 2 + columns * BoxWidth + Math.Max(0, columns - 1) * ColumnGap;
        Height = Margin * 2 + rows * BoxHeight + Math.Max(0, rows - 1) * RowGap + (edges.Any(e => e.Back) ? 40 : 0);
    }

    public IReadOnlyList<DiagramNode> Nodes { get; }

    public IReadOnlyList<DiagramEdge> Edges { get; }

    public double Width { get; }

    public double Height { get; }

    public DiagramNode? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>The layout of <paramref name="json"/>, or null when it is not a JSON object at all.</summary>
    public static WorkflowLayout? Of(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return document.RootElement.ValueKind == JsonValueKind.Object ? Of(document.RootElement) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static WorkflowLayout Of(JsonElement root)
    {
        var raw = new List<(string Id, string Kind, string? Title, int Index)>();
        if (root.TryGetProperty("nodes", out var nodes) && nodes.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var node in nodes.EnumerateArray())
            {
                if (node.ValueKind == JsonValueKind.Object && Text(node, "id") is { Length: > 0 } id && raw.All(r => r.Id != id))
                {
                    raw.Add((id, Text(node, "kind") ?? "?", Text(node, "title"), index));
                }

                index++;
            }
        }

        var known = raw.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var edges = new List<(int Index, string From, string To, string Outcome)>();
        if (root.TryGetProperty("edges", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var edge in list.EnumerateArray())
            {
                if (edge.ValueKind == JsonValueKind.Object && Text(edge, "from") is { } from && Text(edge, "to") is { } to && known.Contains(from) && known.Contains(to))
                {
                    edges.Add((index, from, to, Text(edge, "outcome") ?? "next"));
                }

                index++;
            }
        }

        // Breadth-first distances from the start: an edge is "forward" when it leads further from it.
        var distance = new Dictionary<string, int>(StringComparer.Ordinal);
        var start = raw.FirstOrDefault(r => r.Kind == "start").Id ?? raw.FirstOrDefault().Id;
        if (start is not null)
        {
            distance[start] = 0;
            var queue = new Queue<string>([start]);
            while (queue.Count > 0)
            {
                var at = queue.Dequeue();
                foreach (var edge in edges.Where(e => e.From == at && !distance.ContainsKey(e.To)))
                {
                    distance[edge.To] = distance[at] + 1;
                    queue.Enqueue(edge.To);
                }
            }
        }

        bool Forward((int Index, string From, string To, string Outcome) e) =>
            distance.TryGetValue(e.From, out var a) && distance.TryGetValue(e.To, out var b) && b > a;

        // Longest path over forward edges (a DAG: distances strictly grow along them).
        var layer = distance.ToDictionary(d => d.Key, _ => 0, StringComparer.Ordinal);
        foreach (var id in distance.OrderBy(d => d.Value).Select(d => d.Key))
        {
            foreach (var edge in edges.Where(e => e.From == id && Forward(e)))
            {
                layer[edge.To] = Math.Max(layer[edge.To], layer[id] + 1);
            }
        }

        var lastLayer = layer.Count == 0 ? -1 : layer.Values.Max();
        foreach (var node in raw.Where(r => !layer.ContainsKey(r.Id)))
        {
            layer[node.Id] = lastLayer + 1;
        }

        // Rows: column by column, by the mean row of the predecessors already placed, then by JSON order.
        var row = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var column in raw.GroupBy(r => layer[r.Id]).OrderBy(g => g.Key))
        {
            var ordered = column
                .Select(n =>
                {
                    var placed = edges.Where(e => e.To == n.Id && row.ContainsKey(e.From)).Select(e => (double)row[e.From]).ToList();
                    return (Node: n, Weight: placed.Count == 0 ? double.MaxValue : placed.Average());
                })
                .OrderBy(n => n.Weight)
                .ThenBy(n => n.Node.Index)
                .ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                row[ordered[i].Node.Id] = i;
            }
        }

        var placedNodes = raw
            .Select(n => new DiagramNode(n.Id, n.Kind, n.Title, n.Index, layer[n.Id], row[n.Id],
                Margin + layer[n.Id] * (BoxWidth + ColumnGap), Margin + row[n.Id] * (BoxHeight + RowGap)))
            .ToList();
        var diagramEdges = edges.Select(e => new DiagramEdge(e.Index, e.From, e.To, e.Outcome, layer[e.To] <= layer[e.From])).ToList();
        return new WorkflowLayout(placedNodes, diagramEdges);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
