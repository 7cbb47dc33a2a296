using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ehr.Web.Components.Workflows;

/// <summary>
/// Where things are in a definition's text, for the editor: the line of a JSON path as the validator reports it
/// (<c>nodes[3].assignee.role</c>; a path that does not exist yet, such as a missing property, gives its nearest
/// existing parent's line), the path and line of a node by id, and a node's JSON on its own. Lenient: text that stops
/// being JSON half-way still gives the lines of what came before.
/// </summary>
public sealed class WorkflowJsonText
{
    private static readonly JsonReaderOptions ReaderOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _nodeIndexes = new(StringComparer.Ordinal);
    private readonly string _text;

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int Index { get; set; }

        public string? Property { get; set; }
    }

    public WorkflowJsonText(string? text)
    {
        _text = text ?? "";
        Read();
    }

    /// <summary>How many lines the text has (at least one).</summary>
    public int LineCount { get; private set; } = 1;

    /// <summary>The 1-based line where <paramref name="path"/> (or its nearest existing parent) starts; null when nothing of it is there.</summary>
    public int? LineOf(string? path)
    {
        if (path is null)
        {
            return null;
        }

        // The server's refusals name the content itself: "content.nodes[1]" is "nodes[1]" here.
        path = path == "content" ? "" : path.StartsWith("content.", StringComparison.Ordinal) ? path["content.".Length..] : path;
        while (true)
        {
            if (_lines.TryGetValue(path, out var line))
            {
                return line;
            }

            if (path.Length == 0)
            {
                return null;
            }

            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut <= 0 ? "" : path[..cut];
        }
    }

    /// <summary>The path of the node with this id (<c>nodes[2]</c>), when the text has one.</summary>
    public string? NodePath(string? nodeId) => nodeId is not null && _nodeIndexes.TryGetValue(nodeId, out var index) ? $"nodes[{index}]" : null;

    /// <summary>The line of a problem: its path's, else its node's.</summary>
    public int? LineOf(string? path, string? nodeId) =>
        (string.IsNullOrEmpty(path) || path == "content" ? null : LineOf(path)) ?? LineOf(NodePath(nodeId));

    /// <summary>The node with this id as JSON on its own (indented), or null.</summary>
    public string? NodeJson(string nodeId)
    {
        try
        {
            using var document = JsonDocument.Parse(_text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("nodes", out var nodes)
                && nodes.ValueKind == JsonValueKind.Array)
            {
                foreach (var node in nodes.EnumerateArray())
                {
                    if (node.ValueKind == JsonValueKind.Object && node.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                        && id.GetString() == nodeId)
                    {
                        return JsonSerializer.Serialize(node, Indented);
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private void Read()
    {
        var bytes = Encoding.UTF8.GetBytes(_text);
        var newlines = new List<int>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                newlines.Add(i);
            }
        }

        LineCount = newlines.Count + 1;
        int Line(long offset)
        {
            var found = newlines.BinarySearch((int)offset);
            return (found >= 0 ? found : ~found) + 1;
        }

        var stack = new Stack<Frame>();
        var reader = new Utf8JsonReader(bytes, ReaderOptions);
        try
        {
            while (reader.Read())
            {
                var line = Line(reader.TokenStartIndex);
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var owner = stack.Peek();
                        owner.Property = reader.GetString();
                        _lines.TryAdd(Join(owner.Path, owner.Property), line);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var path = ValuePath(stack);
                        _lines.TryAdd(path, line);
                        stack.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        stack.Pop();
                        break;
                    default:
                        var at = ValuePath(stack);
                        _lines.TryAdd(at, line);
                        // A node's id: nodes[i].id, its string value.
                        if (reader.TokenType == JsonTokenType.String && stack.Count == 3 && at.EndsWith(".id", StringComparison.Ordinal)
                            && at.StartsWith("nodes[", StringComparison.Ordinal) && reader.GetString() is { } id
                            && int.TryParse(at.AsSpan(6, at.IndexOf(']', StringComparison.Ordinal) - 6), out var index))
                        {
                            _nodeIndexes.TryAdd(id, index);
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Half-typed JSON: the lines read so far still help.
        }
    }

    private static string ValuePath(Stack<Frame> stack)
    {
        if (stack.Count == 0)
        {
            return "";
        }

        var top = stack.Peek();
        return top.IsArray ? $"{top.Path}[{top.Index++}]" : Join(top.Path, top.Property);
    }

    private static string Join(string parent, string? property) => parent.Length == 0 ? property ?? "" : $"{parent}.{property}";
}
