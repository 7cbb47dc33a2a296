using System.Globalization;
using Ehr.Forms.Definitions;
using Ehr.Interop.Fhir.Patients;
using Ehr.Platform.Errors;
using Microsoft.AspNetCore.Http;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.Questionnaires;

/// <summary><c>GET [base]/Questionnaire/[id]</c>: one form version by id (drafts included) through <see cref="FindFormVersions"/> (location.read).</summary>
internal static class ReadQuestionnaire
{
    public static async Task HandleAsync(HttpContext http, string id, FindFormVersions find, PublishedForms forms)
    {
        var form = await find.GetAsync(FhirHttp.Id(id, "Questionnaire"), http.RequestAborted) ?? throw EhrException.NotFound("Questionnaire/" + id);
        await FhirHttp.WriteAsync(http, QuestionnaireMapping.ToFhir(form, forms));
    }
}

/// <summary>
/// <c>GET [base]/Questionnaire/[id]/_history/[vid]</c>: the form version as it is now, when <c>vid</c> is its current
/// <c>meta.versionId</c>. Earlier states are not kept: a published version's content never changes, only its status
/// (published, then retired) does, and a draft's edits are not history.
/// </summary>
internal static class VReadQuestionnaire
{
    public static async Task HandleAsync(HttpContext http, string id, string vid, FindFormVersions find, PublishedForms forms)
    {
        var form = await find.GetAsync(FhirHttp.Id(id, "Questionnaire"), http.RequestAborted) ?? throw EhrException.NotFound("Questionnaire/" + id);
        if (form.Definition.RowVersion.ToString(CultureInfo.InvariantCulture) != vid)
        {
            throw EhrException.NotFound($"Questionnaire/{id}/_history/{vid} (only the current state, version {form.Definition.RowVersion}, is kept)");
        }

        await FhirHttp.WriteAsync(http, QuestionnaireMapping.ToFhir(form, forms));
    }
}

/// <summary>
/// <c>GET [base]/Questionnaire?url=&amp;version=&amp;name=&amp;title=&amp;status=&amp;_count=</c>: form versions that were
/// published (active and retired; <c>status=draft</c> asks for drafts), through <see cref="FindFormVersions"/>; a
/// searchset Bundle whose <c>next</c> link carries our cursor.
/// </summary>
internal static class SearchQuestionnaire
{
    private static readonly HashSet<string> Supported = new(["url", "version", "name", "title", "status", "_count", "_cursor", "_format"], StringComparer.Ordinal);

    public static async Task HandleAsync(HttpContext http, FindFormVersions find, PublishedForms forms)
    {
        var query = http.Request.Query;
        var errors = query.Keys.Where(k => !Supported.Contains(k))
            .Select(k => new FieldError(k, ErrorCodes.InvalidFormat, "Search parameter not supported on Questionnaire (url, version, name, title, status, _count).")).ToList();
        List<string>? statuses = null;
        if (SearchPatient.Empty(query["status"]) is { } status)
        {
            statuses = [];
            foreach (var value in status.Split(',', StringSplitOptions.TrimEntries))
            {
                if (QuestionnaireMapping.Lifecycle(value) is { } lifecycle)
                {
                    statuses.Add(lifecycle);
                }
                else
                {
                    errors.Add(new FieldError("status", ErrorCodes.InvalidFormat, $"'{value}': draft, active or retired."));
                }
            }
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var page = await find.SearchAsync(new FormVersionQuery(
            SearchPatient.Empty(query["url"]), SearchPatient.Empty(query["version"]), SearchPatient.Empty(query["name"]), SearchPatient.Empty(query["title"]),
            statuses, SearchPatient.Count(query["_count"].ToString()), SearchPatient.Empty(query["_cursor"])), http.RequestAborted);
        await FhirHttp.WriteAsync(http, Bundles.SearchSet(http, page.Nodes.Select(f => (R4.Resource)QuestionnaireMapping.ToFhir(f, forms)),
            page.HasNextPage ? page.EndCursor : null));
    }
}

/// <summary>
/// <c>POST [base]/Questionnaire</c> through <see cref="AddQuestionnaire"/> (form.manage), kept exactly as sent. Our
/// lifecycle follows the resource's <c>status</c>: <c>draft</c> stores a draft (to finish in the console),
/// <c>active</c> stores and publishes it in one step (the complete check first: any problem is a <c>422</c> naming the
/// element, nothing stored), <c>retired</c> is refused. 201 with Location, ETag and the stored Questionnaire.
/// </summary>
internal static class CreateQuestionnaire
{
    public static async Task HandleAsync(HttpContext http, AddQuestionnaire add, PublishedForms forms)
    {
        var (resource, text) = await FhirHttp.ReadWithTextAsync<R4.Questionnaire>(http);
        var publish = resource.Status switch
        {
            R4.PublicationStatus.Draft => false,
            R4.PublicationStatus.Active => true,
            null => throw Refused(ErrorCodes.Required, "The status is required: draft (stored as a draft) or active (published)."),
            _ => throw Refused(ErrorCodes.InvalidFormat, "A new Questionnaire is draft (stored as a draft) or active (published), not retired."),
        };
        var form = await FhirHttp.InFhirTermsAsync(
            () => add.HandleAsync(new NewQuestionnaire(text, publish, publish ? "Published through the FHIR API." : null), http.RequestAborted),
            path => path == "input.key" ? "Questionnaire.url" : FhirHttp.Rooted(path, "content", "Questionnaire"));
        http.Response.Headers.Location = $"{FhirHttp.BaseUrl(http)}/Questionnaire/{form.Definition.Id}/_history/{form.Definition.RowVersion}";
        await FhirHttp.WriteAsync(http, QuestionnaireMapping.ToFhir(form, forms), StatusCodes.Status201Created);
    }

    private static EhrException Refused(string code, string message) =>
        new(ErrorCodes.ValidationFailed, message, StatusCodes.Status422UnprocessableEntity, [new FieldError("Questionnaire.status", code, message)]);
}
