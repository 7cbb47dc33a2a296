using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>
/// The platform's <see cref="IPatientLaunchContext"/>: a patient as a FHIR R4 Patient for prefill (<c>%patient</c>),
/// read like the chart: patient.read, a patient-role actor only their own records, the restricted-record rule (the
/// refused attempt is audited and committed before <c>RESTRICTED_RECORD</c>), a <c>patient.read</c> audit entry
/// naming the purpose, and a disclosure when an API client reads.
/// </summary>
internal sealed class PatientLaunchContext(TenantDbContext db, ActorContext actors, PatientAccess access) : IPatientLaunchContext
{
    public async Task<string> ReadPatientAsync(Guid patientId, string purpose, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        if (actor.IsPatientScoped && !actor.PatientIds.Contains(patientId))
        {
            throw EhrException.NotFound("Patient " + patientId);
        }

        var (patient, open) = await db.InTransactionAsync(async token =>
        {
            var found = await db.Set<Patient>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, token)
                        ?? throw EhrException.NotFound("Patient " + patientId);
            var readable = await access.RecordChartReadAsync(found, "patient.read", "Patient", patientId.ToString(),
                grant => new { purpose, breakGlassGrant = grant }, $"Patient demographics ({purpose})", token);
            return (found, readable);
        }, ct);

        // After the commit, so the refused attempt stays on record.
        return open ? PatientFhir.ToJson(patient) : throw EhrException.RestrictedRecord("Patient " + patientId);
    }
}
