using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Json.Pointer;
using Json.Schema;
using static Ehr.Workflow.Definitions.WorkflowProblemCodes;

namespace Ehr.Workflow.Definitions;

/// <summary>A definition read from JSON, or why it could not be read.</summary>
public sealed record ParsedDefinition(WorkflowDefinition? Definition, IReadOnlyList<WorkflowProblem> Problems)
{
    public bool Succeeded => Definition is not null;
}

/// <summary>
/// Reads workflow definitions: JSON, then the published JSON Schema (<see cref="SchemaText"/>, draft 2020-12), then
/// the model. Never throws on bad input; each schema verdict becomes a <see cref="WorkflowProblem"/> with a stable code
/// and a path such as <c>nodes[3].assignee.role</c>, naming the node when the path is inside one.
/// </summary>
public static class WorkflowJson
{
    private const string ResourceName = "workflow-definition.schema.json";

    /// <summary>The JSON Schema every definition must meet, as published to the designer.</summary>
    public static string SchemaText { get; } = ReadSchema();

    private static readonly JsonDocument SchemaDocument = JsonDocument.Parse(SchemaText);

    // A private registry: building into the global one twice (tests, several hosts in one process) is refused.
    private static readonly JsonSchema Schema = JsonSchema.FromText(SchemaText, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 64 };

    /// <summary>How definitions, states and effects are written: camelCase, enums as camelCase strings.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static ParsedDefinition Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            return new ParsedDefinition(null, [new WorkflowProblem(null, InvalidJson, $"Not valid JSON: {e.Message}")]);
        }

        using (document)
        {
            var problems = SchemaProblems(document.RootElement);
            if (problems.Count > 0) return new ParsedDefinition(null, problems);
            try
            {
                return new ParsedDefinition(document.RootElement.Deserialize<WorkflowDefinition>(Options), []);
            }
            catch (JsonException e)
            {
                // The schema accepted what the model cannot hold (a number too large for an int, say).
                return new ParsedDefinition(null, [new WorkflowProblem(null, SchemaViolation, e.Message, FormatPath(e.Path))]);
            }
        }
    }

    public static string Serialize(WorkflowDefinition definition) => JsonSerializer.Serialize(definition, Options);

    /// <summary>The schema's verdicts on a document, one problem per failed keyword.</summary>
    public static IReadOnlyList<WorkflowProblem> SchemaProblems(JsonElement document)
    {
        var results = Schema.Evaluate(document, Evaluation);
        if (results.IsValid) return [];
        var problems = new List<WorkflowProblem>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.Errors is not { Count: > 0 }) continue;
            // An if-branch that does not apply is not an error of the document.
            if (Segments(detail.EvaluationPath).Contains("if")) continue;
            foreach (var (keyword, message) in detail.Errors)
                problems.AddRange(Describe(document, detail, keyword, message));
        }

        return problems.Distinct().ToList();
    }

    private static IEnumerable<WorkflowProblem> Describe(JsonElement document, EvaluationResults detail, string keyword, string libraryMessage)
    {
        var location = detail.InstanceLocation;
        var instance = location.Evaluate(document);
        var schema = SchemaNode(detail.SchemaLocation);
        var nodeId = NodeIdAt(document, location);
        var path = FormatPointer(location);
        WorkflowProblem At(string code, string message, string? at = null) => new(nodeId, code, message, at ?? path);

        switch (keyword)
        {
            case "required":
            {
                var names = schema?.TryGetProperty("required", out var required) == true
                    ? required.EnumerateArray().Select(r => r.GetString()!).ToList()
                    : [];
                var missing = instance is { ValueKind: JsonValueKind.Object } obj
                    ? names.Where(n => !obj.TryGetProperty(n, out _)).ToList()
                    : names;
                foreach (var name in missing)
                    yield return At(Required, $"'{name}' is required here.", Join(path, name));
                if (missing.Count == 0) yield return At(Required, libraryMessage);
                break;
            }
            case "" when Segments(detail.EvaluationPath) is [.., "additionalProperties"]:
                yield return At(UnknownProperty, $"'{Segments(location)[^1]}' is not a property of this {Describe(location)}.");
                break;
            case "type":
                yield return At(WrongType, $"Expected {Article(schema?.TryGetProperty("type", out var type) == true ? type.ToString() : "another type")}, got {Article(Kind(instance))}.");
                break;
            case "const":
                yield return At(NotAllowed, $"Must be {schema?.GetProperty("const").GetRawText()}.");
                break;
            case "enum":
                yield return At(NotAllowed, $"Must be one of: {string.Join(", ", schema?.GetProperty("enum").EnumerateArray().Select(e => e.ToString()) ?? [])}.");
                break;
            case "pattern":
                yield return At(InvalidFormat, PatternMessage(detail.SchemaLocation, instance));
                break;
            case "minLength" or "maxLength" or "minimum" or "maximum" or "minItems" or "maxItems" or "minProperties" or "maxProperties" or "exclusiveMinimum" or "exclusiveMaximum":
                yield return At(OutOfRange, RangeMessage(keyword, schema?.GetProperty(keyword).ToString()));
                break;
            case "uniqueItems":
                yield return At(Duplicate, "The same value appears more than once.");
                break;
            default:
                yield return At(SchemaViolation, libraryMessage);
                break;
        }
    }

    private static string PatternMessage(Uri schemaLocation, JsonElement? instance)
    {
        var value = instance?.ValueKind == JsonValueKind.String ? $"'{instance.Value.GetString()}'" : "The value";
        var fragment = schemaLocation.OriginalString;
        // The named $defs say what they are; anything else falls back to the pattern itself.
        foreach (var (def, what) in new[]
                 {
                     ("/$defs/duration", "an ISO-8601 duration in weeks, days, hours, minutes and seconds (PT72H, P3D, P1W)"),
                     ("/$defs/id", "a node id: a letter, then letters, digits, '_' or '-' (at most 64)"),
                     ("/$defs/name", "a name: a letter or '_', then letters, digits or '_' (at most 64)"),
                     ("/$defs/outcome", "an outcome name: a letter, then letters, digits, '_' or '-'"),
                     ("/$defs/key", "a key: lower-case letters, digits, '.', '_' and '-'"),
                     ("/$defs/eventType", "an event type such as note.signed"),
                     ("/$defs/actionName", "an action name such as note.requestCosign"),
                 })
        {
            if (fragment.Contains(def + "/", StringComparison.Ordinal) || fragment.EndsWith(def, StringComparison.Ordinal))
                return $"{value} is not {what}.";
        }

        return $"{value} is not in the expected format.";
    }

    private static string RangeMessage(string keyword, string? limit) => keyword switch
    {
        "minLength" => $"At least {limit} characters.",
        "maxLength" => $"At most {limit} characters.",
        "minimum" => $"At least {limit}.",
        "maximum" => $"At most {limit}.",
        "exclusiveMinimum" => $"More than {limit}.",
        "exclusiveMaximum" => $"Less than {limit}.",
        "minItems" => $"At least {limit} items.",
        "maxItems" => $"At most {limit} items.",
        "minProperties" => $"At least {limit} properties.",
        _ => $"At most {limit} properties.",
    };

    private static string Describe(JsonPointer location) => Segments(location) switch
    {
        ["nodes", _, _] => "node",
        ["edges", _, _] => "edge",
        [_] => "definition",
        _ => "object",
    };

    private static string[] Segments(JsonPointer pointer)
    {
        var segments = new string[pointer.SegmentCount];
        for (var i = 0; i < segments.Length; i++) segments[i] = pointer[i].ToString();
        return segments;
    }

    private static string Kind(JsonElement? e) => e?.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Article(string type)
    {
        var t = type.Trim('"');
        return t is "object" or "array" or "integer" ? $"an {t}" : t is "null" or "nothing" ? t : $"a {t}";
    }

    /// <summary>
    /// The subschema a schema location points at, within our own schema document. JsonSchema.Net's locations carry an
    /// extra index after some keywords (<c>#/$defs/node/allOf/1/then/1</c>): a numeric segment on an object that has
    /// no such property is skipped.
    /// </summary>
    private static JsonElement? SchemaNode(Uri location)
    {
        var text = location.OriginalString;
        var hash = text.IndexOf('#', StringComparison.Ordinal);
        var current = SchemaDocument.RootElement;
        if (hash < 0) return current;
        foreach (var raw in text[(hash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object)
            {
                if (current.TryGetProperty(segment, out var child)) current = child;
                else if (!int.TryParse(segment, out _)) return null;
            }
            else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, out var i) && i < current.GetArrayLength())
            {
                current = current[i];
            }
            else
            {
                return null;
            }
        }

        return current;
    }

    private static string? NodeIdAt(JsonElement document, JsonPointer location)
    {
        if (Segments(location) is not ["nodes", var at, ..] || !int.TryParse(at, out var index)) return null;
        if (!document.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array || index >= nodes.GetArrayLength()) return null;
        var node = nodes[index];
        return node.ValueKind == JsonValueKind.Object && node.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
    }

    /// <summary><c>/nodes/3/assignee/role</c> as <c>nodes[3].assignee.role</c>.</summary>
    internal static string FormatPointer(JsonPointer pointer)
    {
        var path = "";
        foreach (var segment in Segments(pointer))
            path = int.TryParse(segment, out var i) && i >= 0 ? $"{path}[{i}]" : Join(path, segment);
        return path;
    }

    private static string? FormatPath(string? stjPath) => stjPath?.TrimStart('$').TrimStart('.');

    internal static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string ReadSchema()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
