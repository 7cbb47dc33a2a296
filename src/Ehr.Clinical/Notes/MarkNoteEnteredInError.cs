using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Clinical.Notes;

/// <summary>
/// Marks a note entered-in-error with a reason: a draft by its author (chart.write), a signed note by someone who may
/// sign (note.sign). The note stays in the chart, marked.
/// </summary>
public sealed class MarkNoteEnteredInError(NoteChanges changes)
{
    public async Task<Note> HandleAsync(Guid id, int expectedVersion, string? reason, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.ChartWrite);
        var validReason = NoteRules.Reason(reason, "reason");
        return await changes.ApplyAsync(id, expectedVersion, "note.entered-in-error", note =>
        {
            if (note.Status == NoteStatus.Draft ? !note.IsAuthor(changes.Actors.Current.Id) : !changes.Actors.Has(Permissions.NoteSign))
            {
                throw EhrException.Forbidden(note.Status == NoteStatus.Draft
                    ? "Only the author withdraws a draft note."
                    : "Marking a signed note entered-in-error needs note.sign.");
            }

            note.MarkEnteredInError(expectedVersion, validReason, changes.Now);
            return new { reason = validReason };
        }, ct);
    }
}
