using System.Runtime.CompilerServices;
using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Topics;

namespace Ehr.Workflow.Tasks;

/// <summary>
/// One task change as a follower sees it: the task as they may now see it, or <see cref="Task"/> null when a task they
/// were shown is no longer theirs to see (delegated to someone else, reassigned to another role by an escalation).
/// </summary>
public sealed record WorkflowTaskUpdate(Guid TaskId, WorkflowTaskView? Task);

/// <summary>
/// Reads the feed needs in a fresh scope with the caller's access checked anew (the GraphQL transport's operation
/// scopes, the console's <c>ConsoleSession.RunAsync</c>): <paramref name="read"/> gets that scope's services.
/// </summary>
public delegate Task<IReadOnlyList<WorkflowTaskUpdate>> InFreshScope(
    Func<IServiceProvider, Task<IReadOnlyList<WorkflowTaskUpdate>>> read, CancellationToken ct);

/// <summary>
/// Following the inbox live (<c>workflow.task</c>; GraphQL <c>workflowTaskChanged</c> and the console's task inbox, both
/// through <see cref="StreamAsync"/>): the runtime announces every task change on the tenant topic
/// <c>workflow.task</c> (created, claimed, released, delegated, reassigned, completed, cancelled) at commit, on every
/// host; each announced task is read again here under the inbox's rule, in a fresh scope, so a caller sees a task only
/// while it is in their inbox (an assignee by user or by role at their locations, its claimer, whoever decided it) or
/// when they hold <c>workflow.manage</c> (every task). A caller who lost <c>workflow.task</c> gets <c>FORBIDDEN</c>.
/// Every delivery is audited like a read of the task.
/// </summary>
public sealed class FollowWorkflowTasks(TenantDbContext db, ActorContext actors, AuditTrail audit, ITenantTopics topics)
{
    public const int MaxCatchUp = 100;

    /// <summary>How far back a re-read after lost signals looks before the last change delivered (commits are not in time order).</summary>
    public static readonly TimeSpan CatchUpMargin = TimeSpan.FromSeconds(5);

    /// <summary>The subscription to the scope's tenant's task announcements.</summary>
    public ITopicSubscription Start()
    {
        actors.Demand(Permissions.WorkflowTask);
        return topics.Subscribe(TopicNames.WorkflowTask);
    }

    /// <summary>The announced task if the caller may see it now, else null.</summary>
    public async Task<WorkflowTaskView?> ReadAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowTask);
        return await db.InTransactionAsync(async token =>
        {
            var task = await WorkflowTaskReads.GetAsync(db, id, forUpdate: false, token);
            if (task is null || !MaySee(task))
            {
                return null;
            }

            await audit.RecordAsync(new AuditEvent("workflow.task.deliver", "WorkflowTask", id.ToString(),
                new { instance = task.InstanceId, patient = task.PatientId, task.Status }), token);
            return task;
        }, ct);
    }

    /// <summary>
    /// After signals may have been lost: the tasks in the caller's inbox (every task for <c>workflow.manage</c>) changed
    /// since <paramref name="since"/>, oldest change first, at most <see cref="MaxCatchUp"/>. Tasks that left the inbox
    /// meanwhile are not among them (the caller re-lists when that matters).
    /// </summary>
    public async Task<IReadOnlyList<WorkflowTaskView>> SinceAsync(DateTimeOffset since, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowTask);
        var actor = actors.Current;
        var all = actors.Has(Permissions.WorkflowManage);
        return await db.InTransactionAsync(async token =>
        {
            var where = all
                ? "t.updated_at >= $1"
                : $"t.updated_at >= $1 AND (t.assignee_user = $2 OR t.claimed_by = $2 OR t.completed_by = $2 OR ({TaskAssignees.RoleCondition(3, 4)}))";
            var found = await WorkflowTaskReads.ListAsync(db, $"{where} ORDER BY t.updated_at, t.id LIMIT {MaxCatchUp}",
                [since, actor.Id, actor.Roles.ToArray(), actor.Locations.ToArray()], token);
            await audit.RecordAsync(new AuditEvent("workflow.task.list", "WorkflowTask", null,
                new { scope = "changedSince", since, returned = found.Count }), token);
            return found;
        }, ct);
    }

    private bool MaySee(WorkflowTaskView task)
    {
        var actor = actors.Current;
        return TaskAssignees.IsAssignee(task, actor) || task.ClaimedBy == actor.Id || task.CompletedBy == actor.Id
               || actors.Has(Permissions.WorkflowManage);
    }

    /// <summary>
    /// The feed both the GraphQL subscription and the console follow: each signal of <paramref name="subscription"/> read
    /// again through <see cref="ReadAsync"/> in a fresh scope; a task the caller was shown (delivered here, or listed
    /// before following: <paramref name="shown"/>) that they may no longer see comes as an update without a task, one
    /// never shown is skipped silently (its id tells nothing to who may not see it). After lost signals
    /// (<see cref="TopicSignalKind.Resynchronize"/>) the tasks changed since the last delivery are read instead.
    /// </summary>
    public static async IAsyncEnumerable<WorkflowTaskUpdate> StreamAsync(ITopicSubscription subscription, InFreshScope inScope,
        DateTimeOffset since, IEnumerable<Guid>? shown, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        ArgumentNullException.ThrowIfNull(inScope);
        var visible = new HashSet<Guid>(shown ?? []);
        var watermark = since - CatchUpMargin;
        await foreach (var signal in subscription.WithCancellation(ct))
        {
            var found = await inScope(async services =>
            {
                var feed = (FollowWorkflowTasks)services.GetService(typeof(FollowWorkflowTasks))!;
                if (signal.Kind == TopicSignalKind.Changed)
                {
                    return [new WorkflowTaskUpdate(signal.Id, await feed.ReadAsync(signal.Id, ct))];
                }

                return (await feed.SinceAsync(watermark, ct)).Select(t => new WorkflowTaskUpdate(t.Id, t)).ToList();
            }, ct);

            foreach (var update in found)
            {
                if (update.Task is { } task)
                {
                    visible.Add(task.Id);
                    if (task.UpdatedAt - CatchUpMargin > watermark)
                    {
                        watermark = task.UpdatedAt - CatchUpMargin;
                    }

                    yield return update;
                }
                else if (visible.Remove(update.TaskId))
                {
                    yield return update;
                }
            }
        }
    }
}
