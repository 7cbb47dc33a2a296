using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Clinical.Notes;

/// <summary>Changes a draft's title, text and answers; only its author may (chart.write).</summary>
public sealed class EditNote(NoteChanges changes)
{
    public async Task<Note> HandleAsync(Guid id, int expectedVersion, string? title, string? narrative, string? answers, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.ChartWrite);
        var errors = new List<FieldError>();
        var validNarrative = NoteRules.Narrative(narrative, "narrative", errors);
        var validAnswers = NoteRules.Answers(answers, "answers", errors);
        NoteRules.ThrowIfAny(errors);
        return await changes.ApplyAsync(id, expectedVersion, "note.edited", note =>
        {
            if (note.AuthorId != changes.Actors.Current.Id)
            {
                throw EhrException.Forbidden("Only the author edits a draft note.");
            }

            var titleErrors = new List<FieldError>();
            var validTitle = NoteRules.Title(title ?? note.Title, "title", titleErrors);
            NoteRules.ThrowIfAny(titleErrors);
            note.EditDraft(expectedVersion, validTitle!, validNarrative!, validAnswers, changes.Now);
            return null;
        }, ct);
    }
}
