using Ehr.Forms.Definitions;
using Ehr.Forms.Extraction;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using ResponseStatus = Hl7.Fhir.Model.QuestionnaireResponse.QuestionnaireResponseStatus;

namespace Ehr.Forms.Responses;

/// <summary>
/// Amends a completed response with a reason (form.respond; staff only): the new answers are checked as strictly as
/// at completion and become a new, current revision; every earlier revision stays as it was. The chart follows in the
/// same transaction: the observations derived from the response that are still final are marked entered-in-error
/// (reason: the amendment's), and the new answers' observations are recorded, so the chart holds exactly the current
/// revision's. Raises <c>form.amended</c>.
/// </summary>
public sealed class AmendFormResponse(FormResponseChanges changes)
{
    public async Task<FormResponseView> HandleAsync(Guid id, int expectedVersion, string? content, string? reason, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.FormRespond);
        changes.RefusePatientScoped("amend a completed form");
        var validReason = FormResponseChanges.Reason(reason);
        var sent = ResponseDocuments.Parse(content, "content");
        return await changes.ApplyAsync(id, expectedVersion, async (found, token) =>
        {
            var response = found.Response;
            response.RequireStatus("amended", FormResponseStatus.Completed, FormResponseStatus.Amended);
            var now = changes.Now;
            ResponseDocuments.Own(sent, response.Id, ResponseStatus.Amended, response.PatientId, found.Questionnaire, found.Definition, now);
            var outcome = changes.Engine.Process(found.Plan, sent, Responses.ResponseCheck.Complete);
            if (!outcome.IsValid)
            {
                throw EhrException.Validation(FormProblemFields.ToFieldErrors(outcome.Problems, "content"));
            }

            var revision = response.CurrentRevision + 1;
            var superseded = await changes.Observations.SupersedeDerivedAsync(response.Reference,
                $"Superseded by amendment {revision} of the form response: {validReason}", token);
            var plan = ObservationExtraction.PlanItems(found.Questionnaire, outcome.Response, response.Reference);
            var extracted = await changes.Observations.RecordDerivedAsync(ChartExtraction.Map(plan, response.PatientId, response.Reference), token);
            var flagged = ResponseDocuments.Flags(found.Questionnaire, outcome.Response);
            response.Amend(expectedVersion, ResponseDocuments.Write(outcome.Response), flagged, extracted, validReason, changes.Actors.Current.Id, now);
            await changes.Db.SaveChangesAsync(token);
            await changes.AuditAsync(response, "form.response.amend", new { reason = validReason, flagged, observations = extracted, superseded }, token);
            await changes.RaiseAsync("form.amended", response, found.Definition, new { supersededObservationIds = superseded }, token);
            return new FormResponseView(response, found.Definition);
        }, ct);
    }
}
