using Ehr.Forms.Definitions;
using Ehr.Forms.Extraction;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using ResponseStatus = Hl7.Fhir.Model.QuestionnaireResponse.QuestionnaireResponseStatus;

namespace Ehr.Forms.Responses;

/// <summary>
/// Completes an in-progress response (form.respond; a patient on their own records): the answers sent (or, without
/// them, the ones saved) are checked strictly against the pinned version (types, required, cardinality, enabled items
/// only, answer options and value sets, ranges, lengths); any problem refuses it (<c>VALIDATION_FAILED</c>, one field
/// per problem with its path, e.g. <c>content.item[0].item[2].answer[0]</c>, and link id) and nothing is stored.
/// Calculated items and scores are recomputed, never taken from the client. Then, in one transaction: the items
/// marked for extraction become chart observations (through <see cref="Platform.Contracts.IChartObservations"/>, each
/// derived from the response), the answers are frozen, and <c>form.submitted</c> is raised.
/// </summary>
public sealed class CompleteFormResponse(FormResponseChanges changes)
{
    public async Task<FormResponseView> HandleAsync(Guid id, int expectedVersion, string? content, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.FormRespond);
        var sent = content is null ? null : ResponseDocuments.Parse(content, "content");
        return await changes.ApplyAsync(id, expectedVersion, async (found, token) =>
        {
            var response = found.Response;
            response.RequireStatus("completed", FormResponseStatus.InProgress);
            var now = changes.Now;
            var answers = ResponseDocuments.Own(sent ?? ResponseDocuments.Read(response.Current.Content), response.Id, ResponseStatus.Completed,
                response.PatientId, found.Questionnaire, found.Definition, now);
            var outcome = changes.Engine.Process(found.Plan, answers, Responses.ResponseCheck.Complete);
            if (!outcome.IsValid)
            {
                throw EhrException.Validation(FormProblemFields.ToFieldErrors(outcome.Problems, "content"));
            }

            var plan = ObservationExtraction.PlanItems(found.Questionnaire, outcome.Response, response.Reference);
            var extracted = await changes.Observations.RecordDerivedAsync(ChartExtraction.Map(plan, response.PatientId, response.Reference), token);
            var flagged = ResponseDocuments.Flags(found.Questionnaire, outcome.Response);
            response.Complete(expectedVersion, ResponseDocuments.Write(outcome.Response), flagged, extracted, changes.Actors.Current.Id, now);
            await changes.Db.SaveChangesAsync(token);
            await changes.AuditAsync(response, "form.response.complete", new { flagged, observations = extracted }, token);
            await changes.RaiseAsync("form.submitted", response, found.Definition, null, token);
            return new FormResponseView(response, found.Definition);
        }, ct);
    }
}
