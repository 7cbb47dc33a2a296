using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Clinical.Notes;

/// <summary>
/// Amends a signed note (note.sign): a new revision with its reason becomes the current text; every earlier revision
/// stays as it was signed. A note from a template is amended through its answers and free text (null keeps the
/// current ones), checked completely against the pinned version and rendered again, as when it was signed.
/// </summary>
public sealed class AmendNote(NoteChanges changes, INoteTemplates templates)
{
    public async Task<Note> HandleAsync(Guid id, int expectedVersion, string? narrative, string? answers, string? reason, CancellationToken ct,
        string? freeText = null)
    {
        changes.Actors.Demand(Permissions.NoteSign);
        var validReason = NoteRules.Reason(reason, "reason");
        var errors = new List<FieldError>();
        var validAnswers = NoteRules.Answers(answers, "answers", errors);
        var validFreeText = NoteRules.FreeText(freeText, "freeText", errors);
        NoteRules.ThrowIfAny(errors);
        return await changes.ApplyAsync(id, expectedVersion, "note.amended", async (note, patient, token) =>
        {
            note.Expect(expectedVersion);
            note.RequireStatus("amended", NoteStatus.Signed, NoteStatus.Amended);
            NoteRevision revision;
            if (note.TemplateId is { } templateId)
            {
                NoteRules.NoNarrativeForTemplatedNotes(narrative, "narrative");
                var keptFreeText = freeText is null ? note.Current.FreeText : validFreeText;
                var amended = await templates.ReviseAsync(templateId, validAnswers ?? note.Current.Answers ?? NoteRules.NoAnswers, keptFreeText,
                    NoteAnswersCheck.Amend, changes.Launch(patient), "answers", token);
                revision = note.Amend(expectedVersion, amended.Narrative, amended.Answers, validReason, changes.Actors.Current.Id, changes.Now, keptFreeText);
            }
            else
            {
                NoteRules.NoFreeTextForFreeNotes(freeText, "freeText");
                var narrativeErrors = new List<FieldError>();
                var validNarrative = NoteRules.Narrative(narrative, "narrative", narrativeErrors);
                NoteRules.ThrowIfAny(narrativeErrors);
                revision = note.Amend(expectedVersion, validNarrative!, validAnswers, validReason, changes.Actors.Current.Id, changes.Now);
            }

            return new { reason = validReason, revision = revision.Revision };
        }, ct);
    }
}
