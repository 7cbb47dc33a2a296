using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Instances;

namespace Ehr.Workflow.Incidents;

/// <summary>Incidents, newest first (<c>workflow.read</c>): open ones by default, the resolved ones on request. Audited.</summary>
public sealed class ListWorkflowIncidents(TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public async Task<IReadOnlyList<WorkflowIncident>> HandleAsync(bool includeResolved, int first, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowRead);
        if (first is < 1 or > 500)
        {
            throw EhrException.Validation([new FieldError("first", ErrorCodes.OutOfRange, "Ask for 1 to 500 incidents.")]);
        }

        return await db.InTransactionAsync(async token =>
        {
            var list = await WorkflowInstanceReads.IncidentsAsync(db,
                (includeResolved ? "true" : "n.resolved_at IS NULL") + " ORDER BY n.raised_at DESC, n.instance_id, n.bookmark_id LIMIT $1", [first], token);
            await audit.RecordAsync(new AuditEvent("workflow.incident.list", "WorkflowInstance", null, new { includeResolved, returned = list.Count }), token);
            return list;
        }, ct);
    }
}
