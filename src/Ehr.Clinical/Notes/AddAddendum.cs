using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Notes;

/// <summary>
/// Starts an addendum to a signed note (chart.write): a new draft note pointing at the original, signed on its own.
/// The original is not touched.
/// </summary>
public sealed class AddAddendum(NoteChanges changes, TenantDbContext db)
{
    public async Task<Note> HandleAsync(Guid noteId, string? narrative, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.ChartWrite);
        var errors = new List<FieldError>();
        var validNarrative = NoteRules.Narrative(narrative, "narrative", errors);
        NoteRules.ThrowIfAny(errors);
        var original = await db.Set<Note>().AsNoTracking().SingleOrDefaultAsync(n => n.Id == noteId, ct)
                       ?? throw EhrException.NotFound("Note " + noteId);
        original.RequireStatus("given an addendum", NoteStatus.Signed, NoteStatus.Amended);
        var title = original.Title.Length > 190 ? original.Title[..190] : original.Title;
        return await changes.AddAsync(Note.Draft(original.PatientId, original.NoteType, "Addendum: " + title, validNarrative!, null, null,
            original.Id, changes.Actors.Current.Id, changes.Now), ct);
    }
}
