using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;

namespace Ehr.Workflow.Instances;

/// <summary>
/// One instance with what the instance view shows (<c>workflow.read</c>): where it waits (with timer job ids), its
/// variables, its whole timeline, its tasks, incidents and effects; null when there is none. The read is audited.
/// </summary>
public sealed class GetWorkflowInstance(TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public async Task<WorkflowInstanceDetail?> HandleAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowRead);
        return await db.InTransactionAsync(async token =>
        {
            var detail = await WorkflowInstanceReads.DetailAsync(db, id, token);
            if (detail is not null)
            {
                await audit.RecordAsync(new AuditEvent("workflow.instance.read", "WorkflowInstance", id.ToString(),
                    new { definition = detail.Instance.DefinitionKey, patient = detail.Instance.PatientId }), token);
            }

            return detail;
        }, ct);
    }

    /// <summary>A page of the timeline after <paramref name="after"/> (a timeline entry's seq), oldest first.</summary>
    public async Task<IReadOnlyList<WorkflowTimelineEntry>> TimelineAsync(Guid id, long after, int first, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowRead);
        if (first is < 1 or > 1000)
        {
            throw Platform.Errors.EhrException.Validation([new Platform.Errors.FieldError("first", Platform.Errors.ErrorCodes.OutOfRange, "Ask for 1 to 1000 entries.")]);
        }

        return await db.InTransactionAsync(async token =>
        {
            var entries = await WorkflowInstanceReads.TimelineAsync(db, id, after, first, token);
            await audit.RecordAsync(new AuditEvent("workflow.timeline.read", "WorkflowInstance", id.ToString(), new { after, returned = entries.Count }), token);
            return entries;
        }, ct);
    }
}
