using System.Globalization;
using Ehr.Platform.Errors;
using Ehr.Workflow.Tasks;

namespace Ehr.Web.Components.Workflow;

/// <summary>How the inbox and the instance view say tasks, outcomes and refusals (pure: fast tests).</summary>
public static class TaskText
{
    /// <summary>The label of an outcome a task offers.</summary>
    public static string Outcome(string outcome) => outcome switch
    {
        "approve" => "Approve",
        "reject" => "Reject",
        "returnForChanges" => "Return for changes",
        _ => outcome,
    };

    /// <summary>A decision as done: approved, rejected, returned for changes.</summary>
    public static string Decided(string? outcome) => outcome switch
    {
        "approve" => "Approved",
        "reject" => "Rejected",
        "returnForChanges" => "Returned for changes",
        _ => outcome ?? "Decided",
    };

    /// <summary>The engine requires a comment to reject or return for changes (it refuses without one either way).</summary>
    public static bool CommentRequired(string? outcome) => outcome is "reject" or "returnForChanges";

    /// <summary>The form response is required for every outcome but return for changes, when the task names a form.</summary>
    public static bool FormRequired(WorkflowTaskView task, string? outcome) => task.FormKey is not null && outcome is not null && outcome != "returnForChanges";

    public static bool IsOverdue(WorkflowTaskView task, DateTimeOffset now) => task.IsOpen && task.DueAt is { } due && due < now;

    /// <summary>Who the task is for: a user (named when known), or a role (at a location when bound to one).</summary>
    public static string Assignee(WorkflowTaskView task, Func<string, string> userName, Func<Guid, string?> locationName) =>
        task.AssigneeUser is { } user
            ? userName(user)
            : task.AssigneeRole is { } role
                ? role + (task.AssigneeLocation is { } l ? " at " + (locationName(l) ?? "another location") : "")
                : "nobody";

    public static string Status(WorkflowTaskView task, Func<string, string> userName) => task.Status switch
    {
        WorkflowTaskStatus.Claimed => "claimed by " + userName(task.ClaimedBy ?? ""),
        WorkflowTaskStatus.Completed => $"{Decided(task.Outcome)} by {userName(task.CompletedBy ?? "")}",
        _ => task.Status,
    };

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>A refusal as shown beside the action: its code, its message, and the fields it names.</summary>
    public static string Refusal(EhrException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var fields = e.FieldErrors.Count == 0 ? "" : " " + string.Join(" ", e.FieldErrors.Select(f => $"{f.Path}: {f.Message}"));
        return $"{e.Code}: {e.Message}{fields}";
    }

    /// <summary>
    /// Whether a task belongs in a tab of the inbox (the list loaded holds every task the caller may see: for a
    /// workflow.manage holder, every task of the tenant). My roles' tasks are the server's MY_ROLES: a role I hold, at
    /// one of my locations or at none (<paramref name="myLocations"/> empty: my membership covers every location),
    /// whatever else a manager may see (that is the All tab).
    /// </summary>
    public static bool InTab(WorkflowTaskView task, InboxTab tab, string me, IReadOnlyCollection<string> myRoles,
        IReadOnlyCollection<Guid>? myLocations = null) => tab switch
    {
        InboxTab.Mine => task.AssigneeUser == me || task.ClaimedBy == me || task.CompletedBy == me,
        InboxTab.MyRoles => task.AssigneeRole is { } role && myRoles.Contains(role)
                            && (task.AssigneeLocation is not { } at || myLocations is not { Count: > 0 } || myLocations.Contains(at)),
        _ => true,
    };
}

public enum InboxTab
{
    Mine,
    MyRoles,
    All,
}
