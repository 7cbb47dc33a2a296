using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Workflow.Tasks;

/// <summary>
/// Gives a claimed task back to its assignees (<c>workflow.task</c>): by its claimer, or by a holder of
/// <c>workflow.manage</c> when the claimer is away. A task that is not claimed cannot be released (<c>TASK_CLOSED</c>
/// is for decided tasks; this is <c>CONFLICT</c>).
/// </summary>
public sealed class ReleaseWorkflowTask(WorkflowTaskActs acts)
{
    public Task<WorkflowTaskView> HandleAsync(Guid id, int? expectedVersion, CancellationToken ct) =>
        acts.ChangeAsync(id, expectedVersion, WorkflowTaskChangeKinds.Released, "workflow.task.release", (task, actor) =>
        {
            if (task.Status != WorkflowTaskStatus.Claimed)
            {
                throw new EhrException(ErrorCodes.Conflict, $"Task {id} is not claimed.", 409);
            }

            if (task.ClaimedBy != actor.Id && !acts.Actors.Has(Permissions.WorkflowManage))
            {
                throw new EhrException(ErrorCodes.TaskClaimed, $"Task {id} is claimed by {task.ClaimedBy}: only they (or an admin) release it.", 409);
            }

            return ("UPDATE workflow_tasks SET status = 'open', claimed_by = NULL, claimed_at = NULL", [], null,
                task.ClaimedBy == actor.Id ? null : $"released for {task.ClaimedBy}");
        }, ct);
}
