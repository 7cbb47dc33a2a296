using Ehr.Platform.Audit;
using Ehr.Platform.Disclosures;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>
/// Reads patients by id. Every patient returned is recorded in the audit log (with the break-the-glass grant when
/// one was needed), and as a disclosure when the reader is an API client. Ids of other tenants simply do not exist
/// here; a patient-role actor sees only its own records (others read as null). A restricted record the caller may
/// not read is refused with <c>RESTRICTED_RECORD</c>, and the refused attempt is audited.
/// </summary>
public sealed class GetPatient(TenantDbContext db, ActorContext actors, AuditTrail audit, PatientAccess access, DisclosureLog disclosures)
{
    public async Task<Patient?> HandleAsync(Guid id, CancellationToken ct) =>
        (await HandleManyAsync([id], ct)).GetValueOrDefault(id);

    /// <summary>One query and one audit transaction for a batch of ids (the GraphQL layer batches per request).</summary>
    public async Task<IReadOnlyDictionary<Guid, Patient>> HandleManyAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        var wanted = actor.IsPatientScoped ? ids.Where(actor.PatientIds.Contains).ToList() : ids.ToList();
        var (readable, refused) = await db.InTransactionAsync(async token =>
        {
            var found = wanted.Count == 0
                ? []
                : await db.Set<Patient>().AsNoTracking().Where(p => wanted.Contains(p.Id)).ToListAsync(token);
            var decision = await access.DecideAsync(found, token);
            await audit.RecordAsync(
                decision.Readable.Select(p => new AuditEvent("patient.read", "Patient", p.Id.ToString(),
                        decision.Grants.TryGetValue(p.Id, out var grant) ? new { breakGlassGrant = grant } : null))
                    .Concat(decision.Refused.Select(p => new AuditEvent("patient.read", "Patient", p.Id.ToString(),
                        new { p.Restriction }, Outcome: "restricted")))
                    .ToList(), token);
            await disclosures.RecordAsync(decision.Readable.Select(p => p.Id).ToList(), "Patient demographics (read by id)", token);
            return (decision.Readable, decision.Refused);
        }, ct);

        // After the commit, so the refused attempt stays on record.
        if (refused.Count > 0)
        {
            throw EhrException.RestrictedRecord("Patient " + refused[0].Id);
        }

        return readable.ToDictionary(p => p.Id);
    }
}
