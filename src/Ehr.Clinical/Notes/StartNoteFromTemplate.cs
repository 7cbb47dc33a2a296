using Ehr.Clinical.Patients;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Notes;

/// <summary>
/// Starts a draft note from a documentation template (chart.write): the template in force where the note is written is
/// resolved (the given location, else the author's one location, else the patient's home location, else the tenant's
/// standard), its exact version pinned on the note, the answers prefilled from the chart (<c>%patient</c>, read under
/// the chart's access rules and audited as a read for "note prefill") and the narrative rendered from them.
/// </summary>
public sealed class StartNoteFromTemplate(NoteChanges changes, IPatientLaunchContext patients, INoteTemplates templates, LocationDirectory locations,
    TenantDbContext db)
{
    public const string PrefillPurpose = "note prefill";

    public async Task<Note> HandleAsync(NewNoteFromTemplate input, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.ChartWrite);
        PatientWrites.RefusePatientScoped(changes.Actors.Current);
        var errors = new List<FieldError>();
        if (input.PatientId is null || input.PatientId == Guid.Empty)
        {
            errors.Add(new FieldError("input.patientId", ErrorCodes.Required, "The patient is required."));
        }

        if (string.IsNullOrWhiteSpace(input.TemplateKey))
        {
            errors.Add(new FieldError("input.templateKey", ErrorCodes.Required, "The template's key is required, e.g. soap-progress-note."));
        }

        var title = input.Title is null ? null : NoteRules.Title(input.Title, "input.title", errors);
        if (input.LocationId is { } given && !(await locations.ActiveAmongAsync([given], ct)).Contains(given))
        {
            errors.Add(new FieldError("input.locationId", ErrorCodes.UnknownReference, "No active location has this id."));
        }

        NoteRules.ThrowIfAny(errors);
        var patientId = input.PatientId!.Value;

        // The read for prefill is audited on its own (it happened, whatever follows), and refuses a restricted record.
        var patientJson = await patients.ReadPatientAsync(patientId, PrefillPurpose, ct);
        var location = input.LocationId ?? await DefaultLocationAsync(patientId, ct);
        var launch = new NoteLaunch(patientId, patientJson, changes.Actors.Current.Id, changes.Now);
        var started = await templates.StartAsync(input.TemplateKey, location, launch, "input.templateKey", ct);

        var narrativeErrors = new List<FieldError>();
        var narrative = NoteRules.Narrative(started.Narrative, "input.templateKey", narrativeErrors);
        NoteRules.ThrowIfAny(narrativeErrors);
        return await changes.AddAsync(Note.Draft(patientId, started.NoteType, title ?? Shorten(started.Title), narrative!, started.Answers,
            started.TemplateId, null, changes.Actors.Current.Id, changes.Now), ct);
    }

    /// <summary>The author's location when their membership names exactly one, else the patient's home location.</summary>
    private async Task<Guid?> DefaultLocationAsync(Guid patientId, CancellationToken ct)
    {
        if (changes.Actors.Current.Locations is [var only])
        {
            return only;
        }

        return await db.Set<Patient>().AsNoTracking().Where(p => p.Id == patientId).Select(p => p.HomeLocationId).SingleOrDefaultAsync(ct);
    }

    private static string Shorten(string title) => title.Length > 200 ? title[..200] : title;
}
