using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Notes;

/// <summary>
/// One note with all its revisions, read like the chart (patient.read, restricted records, audit, disclosures). A
/// patient reads their own signed notes (open notes), never drafts; anything else reads as absent.
/// </summary>
public sealed class GetNote(TenantDbContext db, ActorContext actors, PatientAccess access)
{
    public async Task<Note?> HandleAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        var (note, refused) = await db.InTransactionAsync(async token =>
        {
            var found = await db.Set<Note>().AsNoTracking().Include(n => n.Revisions).Include(n => n.Cosignature).SingleOrDefaultAsync(n => n.Id == id, token);
            if (found is null || (actor.IsPatientScoped && (!actor.PatientIds.Contains(found.PatientId) || found.Status == NoteStatus.Draft)))
            {
                return ((Note?)null, false);
            }

            var patient = await db.Set<Patient>().AsNoTracking().SingleAsync(p => p.Id == found.PatientId, token);
            var open = await access.RecordChartReadAsync(patient, "note.read", "Note", id.ToString(),
                grant => new { patient = patient.Id, breakGlassGrant = grant }, "Clinical note", token);
            return (open ? found : null, !open);
        }, ct);

        return refused ? throw EhrException.RestrictedRecord("Note " + id) : note;
    }
}
