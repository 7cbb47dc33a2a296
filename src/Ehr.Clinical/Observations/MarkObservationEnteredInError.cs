using Ehr.Clinical.Patients;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Observations;

/// <summary>
/// Marks an observation entered-in-error with a reason: it stays in the chart (shown as such), is left out of trends,
/// and the correction is audited. Refused with VERSION_CONFLICT when someone changed it meanwhile.
/// </summary>
public sealed class MarkObservationEnteredInError(TenantDbContext db, ActorContext actors, AuditTrail audit, PatientAccess access)
{
    public const int MinReason = 5;
    public const int MaxReason = 500;

    public async Task<Observation> HandleAsync(Guid id, int expectedVersion, string? reason, CancellationToken ct)
    {
        actors.Demand(Permissions.ChartWrite);
        PatientWrites.RefusePatientScoped(actors.Current);
        var trimmed = reason?.Trim() ?? "";
        if (trimmed.Length is < MinReason or > MaxReason)
        {
            throw EhrException.Validation([new FieldError("reason", trimmed.Length == 0 ? ErrorCodes.Required : ErrorCodes.OutOfRange,
                $"Say why, in {MinReason} to {MaxReason} characters.")]);
        }

        try
        {
            return await Mark(id, expectedVersion, trimmed, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<Observation>().AsNoTracking().Where(o => o.Id == id).Select(o => o.Version).SingleAsync(ct);
            throw EhrException.VersionConflict("Observation " + id, expectedVersion, current);
        }
    }

    private Task<Observation> Mark(Guid id, int expectedVersion, string trimmed, CancellationToken ct) =>
        db.InTransactionAsync(async token =>
        {
            var observation = await db.Set<Observation>().SingleOrDefaultAsync(o => o.Id == id, token)
                ?? throw EhrException.NotFound("Observation " + id);
            await access.RequireOpenAsync([observation.PatientId], token);

            observation.MarkEnteredInError(expectedVersion, trimmed);
            await db.SaveChangesAsync(token);
            await audit.RecordAsync(new AuditEvent("observation.entered-in-error", "Observation", observation.Id.ToString(),
                new { patient = observation.PatientId, reason = trimmed }), token);
            return observation;
        }, ct);
}
