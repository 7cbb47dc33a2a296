using Ehr.Clinical.Patients;
using Ehr.Platform.Audit;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Notes;

/// <summary>
/// What every change to a note does around the change itself, in one transaction: load the note with its revisions,
/// check the patient's record is open to the actor, apply, save, audit and raise the event. A stale version is
/// <c>VERSION_CONFLICT</c> whether the entity or the database notices it.
/// </summary>
public sealed class NoteChanges(TenantDbContext db, ActorContext actors, AuditTrail audit, DomainEvents events, PatientAccess access, TimeProvider clock)
{
    internal ActorContext Actors => actors;

    internal DateTimeOffset Now => clock.GetUtcNow();

    internal Task<Note> ApplyAsync(Guid id, int expectedVersion, string action, Func<Note, object?> change, CancellationToken ct) =>
        ApplyAsync(id, expectedVersion, action, (note, _, _) => Task.FromResult(change(note)), ct);

    /// <summary>
    /// A change that needs the patient (a templated note renders the patient's display data) or awaits something (the
    /// template): it runs inside the transaction, so whatever it refuses leaves nothing changed.
    /// </summary>
    internal async Task<Note> ApplyAsync(Guid id, int expectedVersion, string action, Func<Note, Patient, CancellationToken, Task<object?>> change,
        CancellationToken ct)
    {
        PatientWrites.RefusePatientScoped(actors.Current);
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var note = await db.Set<Note>().Include(n => n.Revisions).SingleOrDefaultAsync(n => n.Id == id, token)
                           ?? throw EhrException.NotFound("Note " + id);
                var patient = (await access.RequireOpenAsync([note.PatientId], token))[0];
                var details = await change(note, patient, token);
                await db.SaveChangesAsync(token);
                await RecordAsync(note, action, details, patient.HomeLocationId, token);
                return note;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<Note>().AsNoTracking().Where(n => n.Id == id).Select(n => n.Version).SingleAsync(ct);
            throw EhrException.VersionConflict("Note " + id, expectedVersion, current);
        }
    }

    /// <summary>The launch context of a templated note's patient: the patient as FHIR (for the narrative) and the actor.</summary>
    internal NoteLaunch Launch(Patient patient) => new(patient.Id, PatientFhir.ToJson(patient), actors.Current.Id, clock.GetUtcNow());

    internal async Task<Note> AddAsync(Note note, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            var patient = (await access.RequireOpenAsync([note.PatientId], token))[0];
            db.Add(note);
            await db.SaveChangesAsync(token);
            await RecordAsync(note, "note.drafted", new { note.AddendumTo, note.TemplateId }, patient.HomeLocationId, token);
            return note;
        }, ct);

    /// <summary>
    /// The audit entry and the domain event of a change. The event carries who acted and with which roles
    /// (<c>actorRoles</c>: a nurse practitioner's or a resident's signature starts the co-signature workflow) and where:
    /// the actor's location when their membership is bound to exactly one, else the patient's home location.
    /// </summary>
    private async Task RecordAsync(Note note, string action, object? details, Guid? patientHome, CancellationToken ct)
    {
        await audit.RecordAsync(new AuditEvent(action, "Note", note.Id.ToString(),
            new { patient = note.PatientId, note.NoteType, note.Status, revision = note.CurrentRevision, details }), ct);
        var actor = actors.Current;
        var location = actor.Locations.Count == 1 ? actor.Locations[0] : patientHome;
        await events.RaiseAsync(new DomainEvent(action, "Note", note.Id.ToString(), new
        {
            patientId = note.PatientId,
            noteType = note.NoteType,
            authorId = note.AuthorId,
            signedBy = note.SignedBy,
            actorId = actor.Id,
            actorRoles = actor.Roles,
            locationId = location,
            addendumTo = note.AddendumTo,
            templateId = note.TemplateId,
            revision = note.CurrentRevision,
        }, location), ct);
    }
}
