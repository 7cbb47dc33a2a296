using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Observations;

/// <summary>
/// One observation by id, read like the chart it belongs to: patient.read, a patient-role actor only their own
/// (another's reads as absent), the restricted-record rule (refusal audited, then RESTRICTED_RECORD), an audit entry,
/// and a disclosure when an API client reads it.
/// </summary>
public sealed class GetObservation(TenantDbContext db, ActorContext actors, PatientAccess access)
{
    public async Task<Observation?> HandleAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        var (observation, refused) = await db.InTransactionAsync(async token =>
        {
            var found = await db.Set<Observation>().AsNoTracking().SingleOrDefaultAsync(o => o.Id == id, token);
            if (found is null || (actor.IsPatientScoped && !actor.PatientIds.Contains(found.PatientId)))
            {
                return ((Observation?)null, false);
            }

            var patient = await db.Set<Patient>().AsNoTracking().SingleAsync(p => p.Id == found.PatientId, token);
            var open = await access.RecordChartReadAsync(patient, "observation.read", "Observation", id.ToString(),
                grant => new { patient = patient.Id, breakGlassGrant = grant }, "Observation (read by id)", token);
            return (open ? found : null, !open);
        }, ct);

        return refused ? throw EhrException.RestrictedRecord("Observation " + id) : observation;
    }
}
