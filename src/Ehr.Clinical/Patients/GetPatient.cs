using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>Reads patients by id. Every patient returned is recorded in the audit log; ids of other tenants simply do not exist here.</summary>
public sealed class GetPatient(TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public async Task<Patient?> HandleAsync(Guid id, CancellationToken ct) =>
        (await HandleManyAsync([id], ct)).GetValueOrDefault(id);

    /// <summary>One query and one audit transaction for a batch of ids (the GraphQL layer batches per request).</summary>
    public async Task<IReadOnlyDictionary<Guid, Patient>> HandleManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        return await db.InTransactionAsync(async token =>
        {
            var found = await db.Set<Patient>().AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(token);
            await audit.RecordAsync(found.Select(p => new AuditEvent("patient.read", "Patient", p.Id.ToString())).ToList(), token);
            return (IReadOnlyDictionary<Guid, Patient>)found.ToDictionary(p => p.Id);
        }, ct);
    }
}
