using System.Text.Json;
using System.Text.Json.Nodes;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Web.Components.Forms;
using Ehr.Workflow.Definitions;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Web.Components.Workflows;

/// <summary>
/// The small pieces the workflow pages share: how a version starts, a blank definition, a refusal in words, a
/// location's override, the sample start a test run begins with, and the title a definition's JSON carries.
/// </summary>
public static class WorkflowText
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>"on note.signed", "by hand", or "?" while a draft does not read.</summary>
    public static string Starts(WorkflowDefinitionVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        return version.TriggerType switch
        {
            TriggerTypes.Event => $"on {version.TriggerEvent}",
            TriggerTypes.Manual => "by hand",
            _ => "?",
        };
    }

    /// <summary>A new workflow: started by hand, straight to its end; the author adds the rest.</summary>
    public static string Blank(string title)
    {
        var definition = new JsonObject
        {
            ["schemaVersion"] = 1,
            ["title"] = title,
            ["description"] = "",
            ["variables"] = new JsonObject(),
            ["nodes"] = new JsonArray(
                new JsonObject { ["id"] = "start", ["kind"] = "start", ["title"] = "Started by hand", ["trigger"] = new JsonObject { ["type"] = "manual", ["inputs"] = new JsonObject() } },
                new JsonObject { ["id"] = "done", ["kind"] = "end", ["outcome"] = "done" }),
            ["edges"] = new JsonArray(new JsonObject { ["from"] = "start", ["to"] = "done" }),
        };
        return definition.ToJsonString(Indented);
    }

    /// <summary>The title a definition carries (what the version's title follows), or null when it has none or does not read.</summary>
    public static string? TitleOf(string? content)
    {
        try
        {
            return JsonNode.Parse(content ?? "") is JsonObject o && o["title"] is JsonValue v && v.TryGetValue<string>(out var title) && !string.IsNullOrWhiteSpace(title)
                ? title.Trim()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Describe(EhrException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.FieldErrors.Count > 0 ? string.Join(" ", e.FieldErrors.Select(f => $"{f.Path}: {f.Message}")) : e.Message;
    }

    /// <summary>A location's override: its draft when it has one, else a new draft copied from the newest of its own, else from what the standard has in force.</summary>
    public static async Task<Guid> OverrideAsync(ConsoleSession session, FormSummary workflow, Guid locationId)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(workflow);
        var own = workflow.Overrides.FirstOrDefault(o => o.LocationId == locationId);
        if (own?.Draft is { } existing)
        {
            return existing.Id;
        }

        var from = (own?.Versions.Count > 0 ? own.Versions[0] : null) ?? workflow.Standard?.InForce ?? (workflow.Standard?.Versions.Count > 0 ? workflow.Standard.Versions[0] : null) ?? workflow.Versions.First();
        var draft = await session.RunAsync(sp => sp.GetRequiredService<ChangeWorkflowDefinitions>().CreateDraftAsync(
            new NewWorkflowDraft(workflow.Key, locationId, null, null, from.Id), default));
        return draft.Artifact.Id;
    }

    /// <summary>
    /// What a test run starts with: for an event trigger, a payload with each field the catalog describes for that event
    /// (a sample value of its type); for a manual one, each declared input (its default, else a sample of its type).
    /// </summary>
    public static string SampleStart(string? content, WorkflowCatalogView? catalog)
    {
        var start = StartNode(content);
        var trigger = start?["trigger"] as JsonObject;
        var sample = new JsonObject();
        if (trigger?["type"]?.GetValue<string>() == TriggerTypes.Event)
        {
            var type = trigger["event"]?.GetValue<string>();
            foreach (var field in catalog?.Events.FirstOrDefault(e => e.Type == type)?.Payload ?? [])
            {
                sample[field.Name] = SampleOf(field.Type);
            }
        }
        else if (trigger?["inputs"] is JsonObject inputs)
        {
            foreach (var (name, input) in inputs)
            {
                if (name == "startedBy")
                {
                    continue;
                }

                var declared = input as JsonObject;
                sample[name] = declared?["default"]?.DeepClone()
                               ?? SampleOf(Enum.TryParse<WorkflowValueType>(declared?["type"]?.GetValue<string>(), ignoreCase: true, out var t) ? t : WorkflowValueType.Any);
            }
        }

        return sample.ToJsonString(Indented);
    }

    /// <summary>The trigger's type (event, manual) and event, or nulls while the JSON does not say.</summary>
    public static (string? Type, string? Event, string? Filter) TriggerOf(string? content)
    {
        var trigger = StartNode(content)?["trigger"] as JsonObject;
        try
        {
            return (trigger?["type"]?.GetValue<string>(), trigger?["event"]?.GetValue<string>(), trigger?["filter"]?.GetValue<string>());
        }
        catch (InvalidOperationException)
        {
            return (null, null, null);
        }
    }

    /// <summary>The action nodes (id, action name), in the order of the JSON.</summary>
    public static IReadOnlyList<(string NodeId, string Action)> ActionNodes(string? content)
    {
        var list = new List<(string, string)>();
        foreach (var node in Nodes(content))
        {
            if (node["kind"] is JsonValue k && k.TryGetValue<string>(out var kind) && kind == NodeKinds.Action
                && node["id"] is JsonValue i && i.TryGetValue<string>(out var id) && node["action"] is JsonValue a && a.TryGetValue<string>(out var action))
            {
                list.Add((id, action));
            }
        }

        return list;
    }

    /// <summary>The web hook nodes (id, endpoint), in the order of the JSON.</summary>
    public static IReadOnlyList<(string NodeId, string Endpoint)> WebhookNodes(string? content)
    {
        var list = new List<(string, string)>();
        foreach (var node in Nodes(content))
        {
            if (node["kind"] is JsonValue k && k.TryGetValue<string>(out var kind) && kind == NodeKinds.Webhook
                && node["id"] is JsonValue i && i.TryGetValue<string>(out var id))
            {
                list.Add((id, node["endpoint"] is JsonValue e && e.TryGetValue<string>(out var endpoint) ? endpoint : ""));
            }
        }

        return list;
    }

    /// <summary>
    /// What an action answers in a test run when the tester gives no output, as the server makes it
    /// (<c>TestRunWorkflow.SampleOutput</c>): a sample of the fields it declares for the outcome, else nothing.
    /// </summary>
    public static string? SampleOutput(WorkflowCatalogView? catalog, string action, string outcome)
    {
        var fields = catalog?.Actions.FirstOrDefault(a => a.Name == action)?.OutputOf(outcome) ?? [];
        return fields.Count == 0 ? null : TestRunWorkflow.SampleOutput(fields)?.GetRawText();
    }

    private static JsonObject? StartNode(string? content) =>
        Nodes(content).FirstOrDefault(n => n["kind"] is JsonValue k && k.TryGetValue<string>(out var kind) && kind == NodeKinds.Start);

    private static IEnumerable<JsonObject> Nodes(string? content)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(content ?? "");
        }
        catch (JsonException)
        {
            return [];
        }

        return root is JsonObject o && o["nodes"] is JsonArray nodes ? nodes.OfType<JsonObject>().ToList() : [];
    }

    private static JsonNode? SampleOf(WorkflowValueType type) => type switch
    {
        WorkflowValueType.String => JsonValue.Create(""),
        WorkflowValueType.Number => JsonValue.Create(0),
        WorkflowValueType.Boolean => JsonValue.Create(false),
        WorkflowValueType.Object => new JsonObject(),
        WorkflowValueType.Array => new JsonArray(),
        _ => null,
    };
}
