using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Store;
using Npgsql;

namespace Ehr.Workflow.Tasks;

/// <summary>Where a task is in its life.</summary>
public static class WorkflowTaskStatus
{
    public const string Open = "open";
    public const string Claimed = "claimed";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
}

/// <summary>A task of the inbox (one approver's slot of a task node).</summary>
public sealed record WorkflowTaskView(
    Guid Id,
    Guid InstanceId,
    string BookmarkId,
    string NodeId,
    string DefinitionKey,
    string Title,
    string? Instructions,
    string Priority,
    string? AssigneeRole,
    string? AssigneeUser,
    Guid? AssigneeLocation,
    IReadOnlyList<string> Outcomes,
    string? FormKey,
    DateTimeOffset? DueAt,
    int Slot,
    int Slots,
    int EscalationLevel,
    string SubjectType,
    string SubjectId,
    Guid? PatientId,
    Guid? LocationId,
    string Status,
    string? ClaimedBy,
    DateTimeOffset? ClaimedAt,
    string? Outcome,
    string? Comment,
    Guid? FormResponseId,
    string? CompletedBy,
    DateTimeOffset? CompletedAt,
    string? CancelledReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int RowVersion)
{
    public bool IsOpen => Status is WorkflowTaskStatus.Open or WorkflowTaskStatus.Claimed;
}

/// <summary>
/// Who may act on a task: its assignees. A task for a user is that user's; a task for a role is for whoever holds that
/// role key (built-in or the tenant's custom role), and when it is bound to a location, only if their membership
/// covers that location (no location restriction covers all). A claimed task is its claimer's alone until released.
/// Tenant admins (<c>workflow.manage</c>) may release or delegate any open task (someone left), never decide one.
/// </summary>
internal static class TaskAssignees
{
    public static bool IsAssignee(WorkflowTaskView task, Actor actor) =>
        task.AssigneeUser is { } user
            ? user == actor.Id
            : task.AssigneeRole is { } role && actor.Roles.Contains(role)
              && (task.AssigneeLocation is not { } location || actor.Locations.Count == 0 || actor.Locations.Contains(location));

    /// <summary>May decide (or claim) it now: an assignee, and the claimer when it is claimed.</summary>
    public static bool MayWork(WorkflowTaskView task, Actor actor) =>
        task.Status == WorkflowTaskStatus.Claimed ? task.ClaimedBy == actor.Id : IsAssignee(task, actor);

    /// <summary>
    /// The SQL condition (over alias <c>t</c>) of tasks an actor is an assignee of, by role: parameters <paramref name="roles"/>
    /// (text[]) and <paramref name="locations"/> (uuid[], empty for every location).
    /// </summary>
    public static string RoleCondition(int roles, int locations) =>
        $"t.assignee_role = ANY(${roles}) AND (t.assignee_location IS NULL OR cardinality(${locations}::uuid[]) = 0 OR t.assignee_location = ANY(${locations}))";
}

/// <summary>The SQL reads behind the task queries (inside the caller's transaction).</summary>
internal static class WorkflowTaskReads
{
    private const string Columns =
        "t.id, t.instance_id, t.bookmark_id, t.node_id, t.definition_key, t.title, t.instructions, t.priority, t.assignee_role, t.assignee_user, " +
        "t.assignee_location, t.outcomes, t.form_key, t.due_at, t.slot, t.slots, t.escalation_level, t.subject_type, t.subject_id, t.patient_id, " +
        "t.location_id, t.status, t.claimed_by, t.claimed_at, t.outcome, t.comment, t.form_response_id, t.completed_by, t.completed_at, " +
        "t.cancelled_reason, t.created_at, t.updated_at, t.row_version";

    public static async Task<IReadOnlyList<WorkflowTaskView>> ListAsync(TenantDbContext db, string whereAndOrder, object?[] values, CancellationToken ct)
    {
        var list = new List<WorkflowTaskView>();
        await using var cmd = db.Command($"SELECT {Columns} FROM workflow_tasks t WHERE {whereAndOrder}", values);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(Read(r));
        }

        return list;
    }

    public static async Task<WorkflowTaskView?> GetAsync(TenantDbContext db, Guid id, bool forUpdate, CancellationToken ct) =>
        (await ListAsync(db, "t.id = $1" + (forUpdate ? " FOR UPDATE" : ""), [id], ct)).SingleOrDefault();

    /// <summary>The task whose id is <c>$1</c>, for a batch.</summary>
    public static string SelectById(bool forUpdate) => $"SELECT {Columns} FROM workflow_tasks t WHERE t.id = $1" + (forUpdate ? " FOR UPDATE" : "");

    /// <summary>
    /// What an <c>UPDATE workflow_tasks t</c> returns to be read back as the view: the columns of <see cref="Read"/>, the
    /// first named <paramref name="name"/> so the caller knows its result set in a batch.
    /// </summary>
    public static string Returning(string name) => $"t.id AS {name}, " + Columns["t.id, ".Length..];

    public static WorkflowTaskView Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.TextOrNull(6), r.GetString(7),
        r.TextOrNull(8), r.TextOrNull(9), r.UuidOrNull(10), r.GetFieldValue<string[]>(11), r.TextOrNull(12), r.TimeOrNull(13), r.GetInt32(14),
        r.GetInt32(15), r.GetInt32(16), r.GetString(17), r.GetString(18), r.UuidOrNull(19), r.UuidOrNull(20), r.GetString(21), r.TextOrNull(22),
        r.TimeOrNull(23), r.TextOrNull(24), r.TextOrNull(25), r.UuidOrNull(26), r.TextOrNull(27), r.TimeOrNull(28), r.TextOrNull(29),
        r.GetFieldValue<DateTimeOffset>(30), r.GetFieldValue<DateTimeOffset>(31), r.GetInt32(32));
}
