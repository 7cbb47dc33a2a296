using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Disclosures;

/// <summary>
/// A patient's accounting of disclosures over a period (oldest first), for the patient or a regulator. Producing it
/// is audited: it names the patient.
/// </summary>
public sealed class DisclosureReport(TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public const int MaxEntries = 10_000;

    public async Task<IReadOnlyList<Disclosure>> HandleAsync(Guid patientId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        actors.Demand(Permissions.DisclosureRead);
        if (from is { } f && to is { } t && f >= t)
        {
            throw EhrException.Validation([new FieldError("to", ErrorCodes.OutOfRange, "to must be after from.")]);
        }

        return await db.InTransactionAsync(async token =>
        {
            var query = db.Set<Disclosure>().AsNoTracking().Where(d => d.PatientId == patientId);
            if (from is { } start)
            {
                query = query.Where(d => d.DisclosedAt >= start);
            }

            if (to is { } end)
            {
                query = query.Where(d => d.DisclosedAt < end);
            }

            var entries = await query.OrderBy(d => d.DisclosedAt).ThenBy(d => d.Id).Take(MaxEntries).ToListAsync(token);
            await audit.RecordAsync(new AuditEvent("disclosure.report", "Patient", patientId.ToString(),
                new { from, to, returned = entries.Count }), token);
            return (IReadOnlyList<Disclosure>)entries;
        }, ct);
    }
}
