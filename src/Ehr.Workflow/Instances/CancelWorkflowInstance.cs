using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;

namespace Ehr.Workflow.Instances;

/// <summary>
/// Stops a running instance (<c>workflow.manage</c>) with a reason (5-500 characters): its open tasks are withdrawn,
/// its timers cancelled, its incidents resolved, the timeline says who and why, all in one step. An instance already
/// closed is <c>INSTANCE_CLOSED</c>.
/// </summary>
public sealed class CancelWorkflowInstance(ActorContext actors, WorkflowRuntime runtime, GetWorkflowInstance get)
{
    public async Task<WorkflowInstanceDetail> HandleAsync(Guid id, string? reason, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowManage);
        var why = reason?.Trim();
        if (why is null || why.Length < 5 || why.Length > 500)
        {
            throw EhrException.Validation([new FieldError("reason", why is null || why.Length < 5 ? ErrorCodes.TooShort : ErrorCodes.TooLong,
                "Say why, in 5 to 500 characters.")]);
        }

        var resumed = await runtime.ResumeAsync(id, new CancelInstance(actors.Current.Id, why), "workflow.cancel", ct);
        if (!resumed.Applied)
        {
            throw new EhrException(ErrorCodes.InstanceClosed, $"Workflow instance {id} is {resumed.Before.State.Status.ToString().ToLowerInvariant()}.", 409);
        }

        return (await get.HandleAsync(id, ct))!;
    }
}
