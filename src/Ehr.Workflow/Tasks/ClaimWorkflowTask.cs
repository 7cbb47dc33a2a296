namespace Ehr.Workflow.Tasks;

/// <summary>
/// Claims an open task (<c>workflow.task</c>, an assignee only): from then on only the claimer decides it, and their
/// colleagues' inboxes show it as taken. Claiming what you already claimed changes nothing but the version.
/// </summary>
public sealed class ClaimWorkflowTask(WorkflowTaskActs acts)
{
    public Task<WorkflowTaskView> HandleAsync(Guid id, int? expectedVersion, CancellationToken ct) =>
        acts.ChangeAsync(id, expectedVersion, WorkflowTaskChangeKinds.Claimed, "workflow.task.claim", (task, actor) =>
        {
            WorkflowTaskActs.RequireWorker(task, actor);
            return ("UPDATE workflow_tasks SET status = 'claimed', claimed_by = $3, claimed_at = $2", [actor.Id], null, null);
        }, ct);
}
