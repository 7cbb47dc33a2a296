using Ehr.Platform.Identity;
using ResponseStatus = Hl7.Fhir.Model.QuestionnaireResponse.QuestionnaireResponseStatus;

namespace Ehr.Forms.Responses;

/// <summary>
/// Saves an in-progress response (autosave; form.respond): checked leniently (everything but missing required
/// answers), recalculated on the server, stored with its problems returned as warnings. Answers the form does not
/// have, or on items the other answers disable, are dropped. Only unreadable JSON is refused.
/// </summary>
public sealed class SaveFormResponse(FormResponseChanges changes)
{
    public async Task<FormResponseView> HandleAsync(Guid id, int expectedVersion, string? content, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.FormRespond);
        var sent = ResponseDocuments.Parse(content, "content");
        return await changes.ApplyAsync(id, expectedVersion, async (found, token) =>
        {
            var response = found.Response;
            response.RequireStatus("saved", FormResponseStatus.InProgress);
            var now = changes.Now;
            ResponseDocuments.Own(sent, response.Id, ResponseStatus.InProgress, response.PatientId, found.Questionnaire, found.Definition, now);
            var outcome = changes.Engine.Process(found.Plan, sent, Responses.ResponseCheck.Save);
            response.Save(expectedVersion, ResponseDocuments.Write(outcome.Response), now);
            await changes.Db.SaveChangesAsync(token);
            await changes.AuditAsync(response, "form.response.save", new { problems = outcome.Problems.Count }, token);
            return new FormResponseView(response, found.Definition, outcome.Problems);
        }, ct);
    }
}
