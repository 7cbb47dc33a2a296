using Ehr.Platform.Persistence;
using Microsoft.Extensions.Logging;

namespace Ehr.Workflow.Tasks;

/// <summary>What happened to a task (<see cref="WorkflowTaskChange.Change"/>). Never rename one: subscribers switch on them.</summary>
public static class WorkflowTaskChangeKinds
{
    public const string Created = "created";
    public const string Claimed = "claimed";
    public const string Released = "released";
    public const string Delegated = "delegated";
    public const string Reassigned = "reassigned";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
}

/// <summary>
/// A task changed in a transaction that committed: enough to decide who should hear of it (its assignee, the claimer,
/// the patient) without reading it again. Carries no title, comment or other health information.
/// </summary>
public sealed record WorkflowTaskChange(
    string TenantSlug,
    Guid TaskId,
    Guid InstanceId,
    string Change,
    string Status,
    string? AssigneeRole,
    string? AssigneeUser,
    Guid? AssigneeLocation,
    string? ClaimedBy,
    Guid? PatientId,
    DateTimeOffset At);

/// <summary>
/// An in-process hook for task changes: every registered listener hears each change once its transaction has
/// committed, in the process that committed it only (a task created by a step run in the worker is heard in the
/// worker). Live views across hosts follow the tenant topic <c>workflow.task</c> instead (<see cref="FollowWorkflowTasks"/>).
/// Called on the committing thread: hand the change over and return, never block or throw (a throwing listener is
/// logged and skipped).
/// </summary>
public interface IWorkflowTaskListener
{
    void OnTaskChanged(WorkflowTaskChange change);
}

/// <summary>
/// Announces task changes to the registered <see cref="IWorkflowTaskListener"/>s of this process once their transaction
/// has committed. Every host hears them on the tenant topic <c>workflow.task</c> without this: the database announces
/// each insert or update of a task in the statement that makes it (trigger <c>workflow_tasks_announce</c>), delivered at
/// commit and never for a change that rolled back.
/// </summary>
public sealed class WorkflowTaskChanges(IEnumerable<IWorkflowTaskListener> listeners, ILogger<WorkflowTaskChanges> log)
{
    private readonly IWorkflowTaskListener[] _listeners = listeners.ToArray();

    /// <summary>Inside the transaction that made <paramref name="changes"/>.</summary>
    internal void Announce(TenantDbContext db, IReadOnlyList<WorkflowTaskChange> changes)
    {
        if (_listeners.Length > 0 && changes.Count > 0)
        {
            db.AfterCommit(() => Publish(changes));
        }
    }

    internal void Publish(IReadOnlyList<WorkflowTaskChange> changes)
    {
        foreach (var change in changes)
        {
            foreach (var listener in _listeners)
            {
                try
                {
                    listener.OnTaskChanged(change);
                }
#pragma warning disable CA1031 // A listener's failure must not undo or hide a committed change.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    log.LogError(e, "Task-change listener {Listener} failed on task {Task}", listener.GetType().Name, change.TaskId);
                }
            }
        }
    }
}
