using System.Globalization;
using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Interop.Fhir.Patients;
using Ehr.Platform.Errors;
using Microsoft.AspNetCore.Http;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.QuestionnaireResponses;

/// <summary>
/// <c>GET [base]/QuestionnaireResponse/[id]</c> through <see cref="GetFormResponse"/>: read like the chart (patient.read,
/// restricted records, audit, disclosures to API clients; a patient their own records').
/// </summary>
internal static class ReadQuestionnaireResponse
{
    public static async Task HandleAsync(HttpContext http, string id, GetFormResponse responses, FormCanonicals canonicals)
    {
        var view = await responses.HandleAsync(FhirHttp.Id(id, "QuestionnaireResponse"), http.RequestAborted)
                   ?? throw EhrException.NotFound("QuestionnaireResponse/" + id);
        var canonical = (await canonicals.OfAsync([view.Response.FormId], http.RequestAborted))[view.Response.FormId];
        await FhirHttp.WriteAsync(http, QuestionnaireResponseMapping.ToFhir(view, canonical));
    }
}

/// <summary><c>GET [base]/QuestionnaireResponse/[id]/_history/[vid]</c>: the response as it is now, when <c>vid</c> is its current version (amendments are revisions of the response, read with it).</summary>
internal static class VReadQuestionnaireResponse
{
    public static async Task HandleAsync(HttpContext http, string id, string vid, GetFormResponse responses, FormCanonicals canonicals)
    {
        var view = await responses.HandleAsync(FhirHttp.Id(id, "QuestionnaireResponse"), http.RequestAborted)
                   ?? throw EhrException.NotFound("QuestionnaireResponse/" + id);
        if (view.Response.Version.ToString(CultureInfo.InvariantCulture) != vid)
        {
            throw EhrException.NotFound($"QuestionnaireResponse/{id}/_history/{vid} (only the current version, {view.Response.Version}, is served)");
        }

        var canonical = (await canonicals.OfAsync([view.Response.FormId], http.RequestAborted))[view.Response.FormId];
        await FhirHttp.WriteAsync(http, QuestionnaireResponseMapping.ToFhir(view, canonical));
    }
}

/// <summary>
/// <c>GET [base]/QuestionnaireResponse?patient=&amp;questionnaire=&amp;status=&amp;authored=&amp;_count=</c> through
/// <see cref="ListFormResponses"/>: one patient's responses (newest first), optionally answering the versions a
/// canonical names (<c>url|version</c> one, a bare <c>url</c> all of them), of one status, authored in a range.
/// </summary>
internal static class SearchQuestionnaireResponse
{
    private static readonly HashSet<string> Supported =
        new(["patient", "subject", "questionnaire", "status", "authored", "_count", "_cursor", "_format"], StringComparer.Ordinal);

    private static readonly string[] Statuses =
        [FormResponseStatus.InProgress, FormResponseStatus.Completed, FormResponseStatus.Amended, FormResponseStatus.EnteredInError];

    public static async Task HandleAsync(HttpContext http, ListFormResponses list, FormCanonicals canonicals)
    {
        var query = http.Request.Query;
        var errors = query.Keys.Where(k => !Supported.Contains(k)).Select(k => new FieldError(k, ErrorCodes.InvalidFormat,
            "Search parameter not supported on QuestionnaireResponse (patient, questionnaire, status, authored, _count).")).ToList();
        var patientParam = SearchPatient.Empty(query["patient"]) ?? SearchPatient.Empty(query["subject"]);
        var patientId = patientParam?.StartsWith("Patient/", StringComparison.Ordinal) == true ? patientParam["Patient/".Length..] : patientParam;
        if (patientId is null || !Guid.TryParse(patientId, out var patient))
        {
            errors.Add(new FieldError("patient", ErrorCodes.Required, "Responses are searched per patient: patient=<id>."));
            patient = Guid.Empty;
        }

        var status = SearchPatient.Empty(query["status"]);
        if (status is not null && !Statuses.Contains(status))
        {
            errors.Add(new FieldError("status", ErrorCodes.InvalidFormat, "One of in-progress, completed, amended, entered-in-error."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var (from, before) = SearchDates.Interval(query["authored"].Select(v => v ?? ""), "authored");
        IReadOnlyCollection<Guid>? formIds = null;
        if (SearchPatient.Empty(query["questionnaire"]) is { } questionnaire)
        {
            // A canonical that names nothing here matches no response (an empty page, as FHIR search has it).
            formIds = (await canonicals.MatchAsync(questionnaire, http.RequestAborted)).Select(c => c.Id).ToList();
        }

        var page = await list.HandleAsync(new FormResponseQuery(patient, null, status, SearchPatient.Count(query["_count"].ToString()),
            SearchPatient.Empty(query["_cursor"]), formIds, from, before), http.RequestAborted);
        var forms = await canonicals.OfAsync(page.Nodes.Select(n => n.Response.FormId), http.RequestAborted);
        await FhirHttp.WriteAsync(http, Bundles.SearchSet(http,
            page.Nodes.Select(n => (R4.Resource)QuestionnaireResponseMapping.ToFhir(n, forms[n.Response.FormId])),
            page.HasNextPage ? page.EndCursor : null));
    }
}

/// <summary>
/// <c>POST [base]/QuestionnaireResponse</c> through <see cref="RecordFormResponse"/> (form.respond): <c>completed</c>
/// is checked strictly against the exact version its <c>questionnaire</c> canonical names and completed (scores
/// recomputed, extraction into the chart, <c>form.submitted</c>); <c>in-progress</c> is started and saved. A broken
/// rule is a <c>422</c> OperationOutcome, one issue per problem with its element path, our code and the item's link
/// id; nothing is stored. 201 with Location, ETag and the response as stored.
/// </summary>
internal static class CreateQuestionnaireResponse
{
    public static async Task HandleAsync(HttpContext http, RecordFormResponse record, FormCanonicals canonicals)
    {
        var resource = await FhirHttp.ReadAsync<R4.QuestionnaireResponse>(http);
        var input = QuestionnaireResponseMapping.ToInput(resource);
        var view = await FhirHttp.InFhirTermsAsync(() => record.HandleAsync(input, http.RequestAborted), QuestionnaireResponseMapping.Element);
        var response = view.Response;
        http.Response.Headers.Location = $"{FhirHttp.BaseUrl(http)}/QuestionnaireResponse/{response.Id}/_history/{response.Version}";
        var canonical = (await canonicals.OfAsync([response.FormId], http.RequestAborted))[response.FormId];
        await FhirHttp.WriteAsync(http, QuestionnaireResponseMapping.ToFhir(view, canonical), StatusCodes.Status201Created);
    }
}
