using Ehr.Platform.Audit;
using Ehr.Platform.Events;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>
/// Replaces a patient's demographics. The caller names the version it edited; if anyone changed the patient since,
/// the update is refused with <c>VERSION_CONFLICT</c>. A restricted record is changed only by those who may read it
/// (<c>RESTRICTED_RECORD</c> otherwise); patient-role actors never write (checked in the entity, and again by the database row version
/// for a race between two updates in flight).
/// </summary>
public sealed class UpdatePatient(
    TenantDbContext db,
    ActorContext actors,
    AuditTrail audit,
    PatientValidator validator,
    PatientAccess access,
    DomainEvents events,
    TimeProvider clock)
{
    public async Task<Patient> HandleAsync(Guid id, int expectedVersion, PatientInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientWrite);
        PatientWrites.RefusePatientScoped(actors.Current);
        var valid = await validator.ValidateAsync(input, "input", ct);
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var patient = await db.Set<Patient>().SingleOrDefaultAsync(p => p.Id == id, token)
                              ?? throw EhrException.NotFound("Patient " + id);
                // Changing a restricted record needs the same right as reading it (care team or a glass broken).
                if ((await access.DecideAsync([patient], token)).Refused.Count > 0)
                {
                    throw EhrException.RestrictedRecord("Patient " + id);
                }

                var changed = patient.Revise(expectedVersion, valid, clock.GetUtcNow());
                if (changed.Count == 0)
                {
                    return patient;
                }

                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("patient.update", "Patient", patient.Id.ToString(),
                    new { patient.Mrn, fields = changed, version = patient.Version }), token);
                await events.RaiseAsync(new DomainEvent("patient.updated", "Patient", patient.Id.ToString(),
                    new { fields = changed, version = patient.Version }, patient.HomeLocationId), token);
                return patient;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<Patient>().AsNoTracking().Where(p => p.Id == id).Select(p => p.Version).SingleAsync(ct);
            throw EhrException.VersionConflict("Patient " + id, expectedVersion, current);
        }
    }
}
