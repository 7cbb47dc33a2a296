using Ehr.Platform.Contracts;
using Ehr.Platform.Identity;

namespace Ehr.Clinical.Notes;

/// <summary>
/// Signs a draft (note.sign): its text and answers become immutable, here and in the database. A note from a template
/// is signed only with complete answers: they are checked against the pinned template version (required items,
/// options, ranges ...; a problem is <c>VALIDATION_FAILED</c> on <c>answers.&lt;linkId&gt;</c> and nothing changes),
/// scores recomputed, and the final narrative rendered and frozen with them. Raises <c>note.signed</c>, on which
/// workflows start (co-signature, review).
/// </summary>
public sealed class SignNote(NoteChanges changes, INoteTemplates templates)
{
    public async Task<Note> HandleAsync(Guid id, int expectedVersion, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.NoteSign);
        return await changes.ApplyAsync(id, expectedVersion, "note.signed", async (note, patient, token) =>
        {
            (string, string)? final = null;
            if (note.TemplateId is { } templateId)
            {
                // Stale versions and wrong states are refused before the answers are judged.
                note.Expect(expectedVersion);
                note.RequireStatus("signed", NoteStatus.Draft);
                var signed = await templates.ReviseAsync(templateId, note.Current.Answers ?? NoteRules.NoAnswers, note.Current.FreeText,
                    NoteAnswersCheck.Sign, changes.Launch(patient), "answers", token);
                final = (signed.Narrative, signed.Answers);
            }

            note.Sign(expectedVersion, changes.Actors.Current.Id, changes.Now, final);
            return null;
        }, ct);
    }
}
