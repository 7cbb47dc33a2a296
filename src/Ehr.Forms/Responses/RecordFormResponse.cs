using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Responses;

/// <summary>
/// A response sent whole: for <see cref="PatientId"/>, answering the form version <see cref="Questionnaire"/> names
/// (<c>url|version</c> exactly, or <c>Questionnaire/&lt;id&gt;</c>), with the answers in <see cref="Content"/>
/// (QuestionnaireResponse JSON), completed or left in progress.
/// </summary>
public sealed record WholeFormResponse(Guid? PatientId, string? Questionnaire, string? Content, bool Complete);

/// <summary>
/// Records a response sent whole (form.respond; the FHIR create), in one transaction: started on the exact published
/// version its canonical names, then saved (in progress: lenient, problems returned) or completed (strict: any problem
/// refuses the whole, nothing is stored; scores recomputed, extraction, <c>form.submitted</c>). The same use cases as
/// filling a form step by step, so the same permissions, own-records rule for patients, audit and events.
/// </summary>
public sealed class RecordFormResponse(FormResponseChanges changes, FormCanonicals canonicals, StartFormResponse start,
    SaveFormResponse save, CompleteFormResponse complete)
{
    public async Task<FormResponseView> HandleAsync(WholeFormResponse input, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.FormRespond);
        ArgumentNullException.ThrowIfNull(input);
        var errors = new List<FieldError>();
        if (input.PatientId is null || input.PatientId == Guid.Empty)
        {
            errors.Add(new FieldError("input.patientId", ErrorCodes.Required, "The patient is required."));
        }

        if (string.IsNullOrWhiteSpace(input.Content))
        {
            errors.Add(new FieldError("content", ErrorCodes.Required, "The answers are required (a QuestionnaireResponse as JSON)."));
        }

        Guid? formId = null;
        if (string.IsNullOrWhiteSpace(input.Questionnaire))
        {
            errors.Add(new FieldError("input.questionnaire", ErrorCodes.Required, "Name the form version: <url>|<version> or Questionnaire/<id>."));
        }
        else
        {
            formId = await PublishedAsync(input.Questionnaire.Trim(), errors, ct);
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return await changes.Db.InTransactionAsync(async token =>
        {
            FormResponseView started;
            try
            {
                started = await start.HandleAsync(new NewFormResponse(input.PatientId, null, formId, null), token);
            }
            catch (EhrException e) when (e.Code == ErrorCodes.NotFound)
            {
                // Starting only looks up the patient: a subject this tenant does not have is a bad reference in the input.
                throw EhrException.Validation([new FieldError("input.patientId", ErrorCodes.UnknownReference, "This tenant has no such patient.")]);
            }

            var response = started.Response;
            return input.Complete
                ? await complete.HandleAsync(response.Id, response.Version, input.Content, token)
                : await save.HandleAsync(response.Id, response.Version, input.Content, token);
        }, ct);
    }

    private async Task<Guid?> PublishedAsync(string reference, List<FieldError> errors, CancellationToken ct)
    {
        if (FormCanonicals.IdOf(reference) is null && !reference.Contains('|', StringComparison.Ordinal))
        {
            errors.Add(new FieldError("input.questionnaire", ErrorCodes.InvalidFormat,
                "Name the exact version: <url>|<version> (or Questionnaire/<id>), not the url alone."));
            return null;
        }

        var matches = await canonicals.MatchAsync(reference, ct);
        if (matches is [{ Status: ArtifactStatus.Published } found])
        {
            return found.Id;
        }

        errors.Add(new FieldError("input.questionnaire", ErrorCodes.UnknownReference, matches.Count == 0
            ? $"No form version here is {reference}."
            : $"{reference} is {matches[0].Status}: only published versions take new responses."));
        return null;
    }
}
