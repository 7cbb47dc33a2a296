using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Clinical.Notes;

/// <summary>
/// Changes a draft; only its author may (chart.write). A free note takes its title, text and answers. A note from a
/// template takes its title, answers and free text (null keeps each): the answers are checked as a save against the
/// pinned template version (everything but missing required answers), calculated items and scores recomputed, and the
/// narrative rendered again, with the free text where the template places it.
/// </summary>
public sealed class EditNote(NoteChanges changes, INoteTemplates templates)
{
    public async Task<Note> HandleAsync(Guid id, int expectedVersion, string? title, string? narrative, string? answers, CancellationToken ct,
        string? freeText = null)
    {
        changes.Actors.Demand(Permissions.ChartWrite);
        var errors = new List<FieldError>();
        var validAnswers = NoteRules.Answers(answers, "answers", errors);
        var validFreeText = NoteRules.FreeText(freeText, "freeText", errors);
        NoteRules.ThrowIfAny(errors);
        return await changes.ApplyAsync(id, expectedVersion, "note.edited", async (note, patient, token) =>
        {
            if (!note.IsAuthor(changes.Actors.Current.Id))
            {
                throw EhrException.Forbidden("Only the author edits a draft note.");
            }

            note.Expect(expectedVersion);
            note.RequireStatus("edited", NoteStatus.Draft);
            var titleErrors = new List<FieldError>();
            var validTitle = NoteRules.Title(title ?? note.Title, "title", titleErrors);
            NoteRules.ThrowIfAny(titleErrors);
            if (note.TemplateId is { } templateId)
            {
                NoteRules.NoNarrativeForTemplatedNotes(narrative, "narrative");
                var keptFreeText = freeText is null ? note.Current.FreeText : validFreeText;
                var revised = await templates.ReviseAsync(templateId, validAnswers ?? note.Current.Answers ?? NoteRules.NoAnswers, keptFreeText,
                    NoteAnswersCheck.Draft, changes.Launch(patient), "answers", token);
                note.EditDraft(expectedVersion, validTitle!, revised.Narrative, revised.Answers, changes.Now, keptFreeText);
                return null;
            }

            NoteRules.NoFreeTextForFreeNotes(freeText, "freeText");
            var narrativeErrors = new List<FieldError>();
            var validNarrative = NoteRules.Narrative(narrative, "narrative", narrativeErrors);
            NoteRules.ThrowIfAny(narrativeErrors);
            note.EditDraft(expectedVersion, validTitle!, validNarrative!, validAnswers, changes.Now);
            return null;
        }, ct);
    }
}
