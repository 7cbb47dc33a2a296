using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Topics;
using Ehr.Workflow.Store;
using static Ehr.Workflow.Store.WorkflowSql;

namespace Ehr.Workflow.Tasks;

/// <summary>
/// What claim, release and delegate share, in one transaction: lock the task row, check it is still open, that the
/// caller may act on it and that they saw its current version (when they say which), change it, add a timeline entry
/// (who, what, why) and the audit entry, and announce the change (the tenant topic, heard at commit). None of these steps the instance: the
/// engine's state still names the task's original assignee, and an escalation reassigns whoever holds it.
/// </summary>
public sealed class WorkflowTaskActs(TenantDbContext db, ActorContext actors, AuditTrail audit, WorkflowTaskChanges changes,
    TimeProvider clock)
{
    internal ActorContext Actors => actors;

    internal async Task<WorkflowTaskView> ChangeAsync(Guid id, int? expectedVersion, string change, string auditAction,
        Func<WorkflowTaskView, Actor, (string Sql, object?[] Values, string? Comment, string? Detail)> apply, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowTask);
        var actor = actors.Current;
        return await db.InTransactionAsync(async token =>
        {
            var task = await LockOpenAsync(id, expectedVersion, token);
            var (sql, values, comment, detail) = apply(task, actor);
            var now = clock.GetUtcNow();
            WorkflowTaskChange published;
            await using (var update = db.Command(
                sql + ", updated_at = $2, row_version = row_version + 1 WHERE id = $1 RETURNING " + InstanceStore.TaskChangeColumns($"'{change}'"),
                [id, now, .. values]))
            await using (var reader = await update.ExecuteReaderAsync(token))
            {
                await reader.ReadAsync(token);
                published = InstanceStore.ReadChange(reader, db.Tenant.Slug, now);
            }

            await AppendTimelineAsync(task, "task." + change, actor.Id, null, comment, detail, now, token);
            await audit.RecordAsync(new AuditEvent(auditAction, "WorkflowTask", id.ToString(), new { instance = task.InstanceId, task.NodeId, detail }), token);
            Announce([published]);
            return (await WorkflowTaskReads.GetAsync(db, id, forUpdate: false, token))!;
        }, ct);
    }

    /// <summary>The task, locked, if it is open; <c>NOT_FOUND</c>, <c>TASK_CLOSED</c> or <c>VERSION_CONFLICT</c> otherwise.</summary>
    internal async Task<WorkflowTaskView> LockOpenAsync(Guid id, int? expectedVersion, CancellationToken ct)
    {
        var task = await WorkflowTaskReads.GetAsync(db, id, forUpdate: true, ct) ?? throw EhrException.NotFound("Task " + id);
        RequireOpen(task, expectedVersion);
        return task;
    }

    /// <summary>Refuses a task that is closed (<c>TASK_CLOSED</c>) or not at the version the caller saw (<c>VERSION_CONFLICT</c>).</summary>
    internal static void RequireOpen(WorkflowTaskView task, int? expectedVersion)
    {
        if (!task.IsOpen)
        {
            throw new EhrException(ErrorCodes.TaskClosed, $"Task {task.Id} is {task.Status}.", 409);
        }

        if (expectedVersion is { } expected && expected != task.RowVersion)
        {
            throw EhrException.VersionConflict("Task " + task.Id, expected, task.RowVersion);
        }
    }

    /// <summary>Refuses a caller who may not act on the task now (claimed by someone else, or not an assignee).</summary>
    internal static void RequireWorker(WorkflowTaskView task, Actor actor)
    {
        if (task.Status == WorkflowTaskStatus.Claimed && task.ClaimedBy != actor.Id)
        {
            throw new EhrException(ErrorCodes.TaskClaimed, $"Task {task.Id} is claimed by {task.ClaimedBy}: they decide it unless they release it.", 409);
        }

        if (!TaskAssignees.IsAssignee(task, actor))
        {
            throw new EhrException(ErrorCodes.TaskNotAssigned,
                $"Task {task.Id} is for {(task.AssigneeUser is { } u ? "user " + u : "role " + task.AssigneeRole)}; '{actor.Id}' is not one of its assignees.", 403);
        }
    }

    /// <summary>Announces task changes made in the current transaction to this process's listeners once committed (the database announces them on the tenant topic).</summary>
    internal void Announce(IReadOnlyList<WorkflowTaskChange> made) => changes.Announce(db, made);

    internal async Task AppendTimelineAsync(WorkflowTaskView task, string what, string actorId, string? outcome, string? comment, string? detail,
        DateTimeOffset at, CancellationToken ct)
    {
        // Acts on a task outside a step are numbered with the instance's current step: they happened between steps.
        await using var insert = db.Command(
            "INSERT INTO workflow_history (instance_id, step, idx, at, what, node_id, bookmark_id, actor_id, outcome, comment, detail) " +
            "SELECT $1, steps, 1000 + (SELECT count(*) FROM workflow_history h WHERE h.instance_id = $1 AND h.step = i.steps), $2, $3, $4, $5, $6, $7, $8, $9 " +
            "FROM workflow_instances i WHERE i.id = $1",
            task.InstanceId, at, what, task.NodeId, task.BookmarkId, actorId, Text(outcome), Text(comment), Text(detail));
        await insert.ExecuteNonQueryAsync(ct);
    }
}
