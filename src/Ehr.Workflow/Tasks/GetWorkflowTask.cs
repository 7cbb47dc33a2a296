using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;

namespace Ehr.Workflow.Tasks;

/// <summary>
/// One task by id (<c>workflow.task</c>): for its assignees, its claimer, whoever decided it, and holders of
/// <c>workflow.read</c>; anyone else reads it as absent (null), like an id that names nothing. The read is audited.
/// </summary>
public sealed class GetWorkflowTask(TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public async Task<WorkflowTaskView?> HandleAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowTask);
        var actor = actors.Current;
        return await db.InTransactionAsync(async token =>
        {
            var task = await WorkflowTaskReads.GetAsync(db, id, forUpdate: false, token);
            if (task is null || !(TaskAssignees.IsAssignee(task, actor) || task.ClaimedBy == actor.Id || task.CompletedBy == actor.Id
                                  || actors.Has(Permissions.WorkflowRead)))
            {
                return null;
            }

            await audit.RecordAsync(new AuditEvent("workflow.task.read", "WorkflowTask", id.ToString(), new { instance = task.InstanceId, patient = task.PatientId }), token);
            return task;
        }, ct);
    }
}
