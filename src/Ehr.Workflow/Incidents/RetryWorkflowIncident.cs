using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Workflow.Instances;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;

namespace Ehr.Workflow.Incidents;

/// <summary>
/// Retries what failed at an incident (<c>workflow.manage</c>): the node runs again (or only the escalation that failed,
/// its task staying open), in one step that resolves the incident, audited, with the admin named on the timeline. An
/// incident already resolved is <c>INCIDENT_RESOLVED</c>; a bookmark that is not an incident of the instance, <c>NOT_FOUND</c>.
/// </summary>
public sealed class RetryWorkflowIncident(ActorContext actors, WorkflowRuntime runtime, GetWorkflowInstance get)
{
    public async Task<WorkflowInstanceDetail> HandleAsync(Guid instanceId, string? bookmarkId, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowManage);
        if (string.IsNullOrWhiteSpace(bookmarkId))
        {
            throw EhrException.Validation([new FieldError("bookmarkId", ErrorCodes.Required, "Name the incident (its bookmark id).")]);
        }

        var resumed = await runtime.ResumeAsync(instanceId, new RetryIncident(bookmarkId, actors.Current.Id), "workflow.incident.retry", ct);
        switch (resumed.Result.Status)
        {
            case StepStatus.NoOp:
                throw new EhrException(ErrorCodes.IncidentResolved, $"Incident {bookmarkId} of {instanceId} is resolved already ({resumed.Result.Code}).", 409);
            case StepStatus.Refused:
                throw EhrException.NotFound($"Incident {bookmarkId} of workflow instance {instanceId}");
        }

        return (await get.HandleAsync(instanceId, ct))!;
    }
}
