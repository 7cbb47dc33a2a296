using System.Text.Json;

namespace Ehr.Web.Components.Workflow;

/// <summary>How the instance view says timeline entries (the engine's <c>what</c> codes) and JSON (pure: fast tests).</summary>
public static class TimelineText
{
    private static readonly JsonSerializerOptions Indent = new() { WriteIndented = true };

    public static string What(string what) => what switch
    {
        "started" => "Started",
        "node.passed" => "Passed a step",
        "action.invoked" => "Action invoked",
        "action.completed" => "Action completed",
        "action.failed" => "Action failed",
        "task.created" => "Task created",
        "task.claimed" => "Task claimed",
        "task.released" => "Task released",
        "task.delegated" => "Task delegated",
        "task.decided" => "Decision recorded",
        "task.completed" => "Task completed",
        "task.cancelled" => "Task withdrawn",
        "task.escalated" => "Task escalated",
        "task.reassigned" => "Task reassigned",
        "timer.scheduled" => "Timer set",
        "timer.fired" => "Timer fired",
        "webhook.called" => "Web hook called",
        "webhook.delivered" => "Web hook delivered",
        "webhook.failed" => "Web hook failed",
        "notification.sent" => "Notification sent",
        "incident.raised" => "Incident raised",
        "incident.retried" => "Incident retried",
        "join.arrived" => "Branch arrived at join",
        "join.completed" => "Join completed",
        "split" => "Split into branches",
        "migrated" => "Moved to another version",
        "completed" => "Ended",
        "cancelled" => "Cancelled",
        _ => what,
    };

    /// <summary>JSON indented for reading; text that is not JSON as it is.</summary>
    public static string Indented(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, Indent);
        }
        catch (JsonException)
        {
            return json;
        }
    }
}
