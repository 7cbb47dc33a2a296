using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
using Microsoft.EntityFrameworkCore;
using Hl7Patient = Hl7.Fhir.Model.Patient;
using ResponseStatus = Hl7.Fhir.Model.QuestionnaireResponse.QuestionnaireResponseStatus;

namespace Ehr.Forms.Responses;

/// <summary>
/// Which form to start for whom: a form by key (the version in force at <see cref="LocationId"/>: its override, else
/// the tenant standard) or one published version by id. <see cref="ForPatient"/>: staff send it to the patient, who
/// (or whose proxy) fills it in through the portal; without it, a response someone else started stays out of the
/// patient's sight until it is completed.
/// </summary>
public sealed record NewFormResponse(Guid? PatientId, string? FormKey, Guid? FormId, Guid? LocationId, bool ForPatient = false);

/// <summary>
/// Starts a response (form.respond; a patient only on their own records): pinned to the exact published version,
/// prefilled from <c>initial</c>, <c>initialSelected</c> and <c>initialExpression</c> with the chart's patient as launch
/// context (<c>%patient</c>), calculations run, stored in progress. Prefill problems come back as warnings.
/// </summary>
public sealed class StartFormResponse(FormResponseChanges changes, LocationDirectory locations, IPatientLaunchContext launch)
{
    public async Task<FormResponseView> HandleAsync(NewFormResponse input, CancellationToken ct)
    {
        var actors = changes.Actors;
        actors.Demand(Permissions.FormRespond);
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<FieldError>();
        if (input.PatientId is null || input.PatientId == Guid.Empty)
        {
            errors.Add(new FieldError("input.patientId", ErrorCodes.Required, "The patient is required."));
        }

        if ((input.FormKey is null) == (input.FormId is null))
        {
            errors.Add(new FieldError("input.formKey", ErrorCodes.Required, "Name the form by formKey (the version in force) or by formId (one version), not both."));
        }

        if (input.LocationId is { } locationId && !(await locations.ActiveAmongAsync([locationId], ct)).Contains(locationId))
        {
            errors.Add(new FieldError("input.locationId", ErrorCodes.UnknownReference, "No active location has this id."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var patientId = input.PatientId!.Value;
        var actor = actors.Current;
        if (actor.IsPatientScoped && !actor.PatientIds.Contains(patientId))
        {
            throw EhrException.Forbidden("A patient fills in forms on their own records only (or those they are proxy for).");
        }

        var definition = await DefinitionAsync(input, ct);
        return await changes.Db.InTransactionAsync(async token =>
        {
            await changes.Chart.RequireOpenAsync(patientId, token);
            var plan = changes.Plan(definition);
            await changes.LoadValueSetsAsync(plan, token);
            var questionnaire = plan.Questionnaire;
            var now = changes.Now;
            var prefilled = changes.Engine.Prefill(plan, PrefillContext.ForPatient(await LaunchPatientAsync(definition, patientId, token), now));
            var id = Guid.CreateVersion7();
            var document = ResponseDocuments.Own(prefilled.Response, id, ResponseStatus.InProgress, patientId, questionnaire, definition, now);
            var response = FormResponse.Start(id, patientId, definition.Id, definition.Key, input.LocationId, input.ForPatient, ResponseDocuments.Write(document), actor.Id, now);
            changes.Db.Add(response);
            await changes.Db.SaveChangesAsync(token);
            await changes.AuditAsync(response, "form.response.start", new { problems = prefilled.Problems.Count, forPatient = input.ForPatient }, token);
            return new FormResponseView(response, definition, prefilled.Problems);
        }, ct);
    }

    // Demographics are read from the chart (an audited read of the patient) only for forms whose expressions use them,
    // such as an intake form prefilled with the name and birth date; a PHQ-9 reads nothing about the patient.
    private async Task<Hl7Patient> LaunchPatientAsync(Artifact definition, Guid patientId, CancellationToken ct)
    {
        if (!definition.Content.Contains("%patient", StringComparison.Ordinal))
        {
            return new Hl7Patient { Id = patientId.ToString() };
        }

        var parsed = QuestionnaireJson.ParsePatient(await launch.ReadPatientAsync(patientId, PrefillPurpose, ct));
        return parsed.Resource ?? throw new InvalidOperationException("The chart's patient is not a readable FHIR Patient: " + string.Join("; ", parsed.Problems));
    }

    internal const string PrefillPurpose = "form prefill";

    private async Task<Artifact> DefinitionAsync(NewFormResponse input, CancellationToken ct)
    {
        // Read directly, not through ReadArtifacts: filling a form needs form.respond, not the right to browse definitions.
        var published = changes.Db.Set<Artifact>().AsNoTracking().Where(a => a.Kind == FormKind.Name && a.Status == ArtifactStatus.Published);
        if (input.FormId is { } formId)
        {
            return await published.SingleOrDefaultAsync(a => a.Id == formId, ct)
                ?? throw EhrException.Validation([new FieldError("input.formId", ErrorCodes.UnknownReference, "No published form version has this id (drafts and retired versions take no new responses).")]);
        }

        return await GetFormToFill.InForceAsync(changes.Db, input.FormKey!, input.LocationId, ct)
            ?? throw EhrException.Validation([new FieldError("input.formKey", ErrorCodes.UnknownReference, $"No published form '{input.FormKey}' is in force here.")]);
    }
}
