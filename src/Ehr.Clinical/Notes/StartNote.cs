using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Clinical.Notes;

/// <summary>Starts a draft note for a patient (chart.write); the author alone edits it until it is signed.</summary>
public sealed class StartNote(NoteChanges changes)
{
    public async Task<Note> HandleAsync(NewNote input, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.ChartWrite);
        PatientWrites.RefusePatientScoped(changes.Actors.Current);
        var errors = new List<FieldError>();
        if (input.PatientId is null || input.PatientId == Guid.Empty)
        {
            errors.Add(new FieldError("input.patientId", ErrorCodes.Required, "The patient is required."));
        }

        var type = NoteRules.Type(input.NoteType, "input.noteType", errors);
        var title = NoteRules.Title(input.Title, "input.title", errors);
        var narrative = NoteRules.Narrative(input.Narrative ?? "", "input.narrative", errors);
        var answers = NoteRules.Answers(input.Answers, "input.answers", errors);
        NoteRules.ThrowIfAny(errors);
        return await changes.AddAsync(Note.Draft(input.PatientId!.Value, type!, title!, narrative!, answers, null, null,
            changes.Actors.Current.Id, changes.Now), ct);
    }
}
