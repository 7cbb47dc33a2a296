using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Clinical.Notes;

/// <summary>
/// Amends a signed note (note.sign): a new revision with its reason becomes the current text; every earlier revision
/// stays as it was signed.
/// </summary>
public sealed class AmendNote(NoteChanges changes)
{
    public async Task<Note> HandleAsync(Guid id, int expectedVersion, string? narrative, string? answers, string? reason, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.NoteSign);
        var validReason = NoteRules.Reason(reason, "reason");
        var errors = new List<FieldError>();
        var validNarrative = NoteRules.Narrative(narrative, "narrative", errors);
        var validAnswers = NoteRules.Answers(answers, "answers", errors);
        NoteRules.ThrowIfAny(errors);
        return await changes.ApplyAsync(id, expectedVersion, "note.amended", note =>
            new { reason = validReason, revision = note.Amend(expectedVersion, validNarrative!, validAnswers, validReason, changes.Actors.Current.Id, changes.Now).Revision },
            ct);
    }
}
