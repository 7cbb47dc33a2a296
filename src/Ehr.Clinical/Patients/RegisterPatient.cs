using Ehr.Platform.Audit;
using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>Registers a patient: validates everything, assigns the next MRN, stores and audits in one transaction.</summary>
public sealed class RegisterPatient(
    TenantDbContext db,
    ActorContext actors,
    AuditTrail audit,
    PatientValidator validator,
    DomainEvents events,
    TimeProvider clock)
{
    public async Task<Patient> HandleAsync(PatientInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientWrite);
        PatientWrites.RefusePatientScoped(actors.Current);
        var valid = await validator.ValidateAsync(input, "input", ct);
        return await db.InTransactionAsync(async token =>
        {
            var sequence = await db.Database.SqlQueryRaw<long>("SELECT nextval('mrn_seq') AS \"Value\"").SingleAsync(token);
            var patient = Patient.Register(MedicalRecordNumber.FromSequence(sequence), valid, clock.GetUtcNow());
            db.Add(patient);
            await db.SaveChangesAsync(token);
            await audit.RecordAsync(new AuditEvent("patient.create", "Patient", patient.Id.ToString(), new { patient.Mrn }), token);
            await events.RaiseAsync(new DomainEvent("patient.registered", "Patient", patient.Id.ToString(), null, patient.HomeLocationId), token);
            return patient;
        }, ct);
    }
}
