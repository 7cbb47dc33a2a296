using System.Net;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;
using Npgsql;
using static Ehr.IntegrationTests.Forms.FormGraph;

namespace Ehr.IntegrationTests.Fhir;

/// <summary>
/// Questionnaire and QuestionnaireResponse over FHIR R4: the forms use cases behind read, search and create, canonical
/// references that name exactly one form version, completion checked on the server (422 with each problem's element,
/// code and link id, nothing stored), and the chart's access rules on responses.
/// </summary>
public sealed class FhirFormsShould : IAsyncLifetime
{
    private const string Phq9Url = "https://ehr-saas.example.org/fhir/Questionnaire/phq-9";
    private static readonly string[] CareTeam = ["dr.fhirforms"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _doctor = null!;
    private string _screening = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("fhir-forms");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.fhirforms", "tenant-admin"));
        _doctor = _host.Client(_host.Token(_tenant.Slug, "dr.fhirforms", "physician"));
        _screening = Key("screening");
        await _admin.PublishedAsync(ScreeningForm(_screening));
        await _admin.DataAsync(ImportLibrary, "importLibraryForm", new { file = "phq-9.json", publish = true });
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        _doctor.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CreatePublishAndFindAQuestionnaireByItsCanonical()
    {
        var key = Key("fhir-made");
        var url = $"https://forms.example.org/Questionnaire/{key}";
        var (created, body, response) = await _admin.FhirAsync(HttpMethod.Post, "/fhir/Questionnaire", MoodForm(key, "Sleep and mood"));

        Assert.Equal(HttpStatusCode.Created, created);
        var id = body["id"]!.GetValue<string>();
        var versionId = body["meta"]!["versionId"]!.GetValue<string>();
        Assert.EndsWith($"/fhir/Questionnaire/{id}/_history/{versionId}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(("active", url, "1"), (body["status"]!.GetValue<string>(), body["url"]!.GetValue<string>(), body["version"]!.GetValue<string>()));
        var stored = await _admin.DataAsync(Get, "formDefinition", new { id });
        Assert.Equal((key, "published", 1), (stored["key"]!.GetValue<string>(), stored["status"]!.GetValue<string>(), stored["version"]!.GetValue<int>()));

        var (read, readBody, _) = await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/Questionnaire/{id}");
        Assert.Equal((HttpStatusCode.OK, "mood"), (read, readBody["item"]![0]!["linkId"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, (await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/Questionnaire/{id}/_history/{versionId}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/Questionnaire/{id}/_history/99")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/Questionnaire/{Guid.NewGuid()}")).Status);

        Assert.Equal([id], await IdsAsync($"/fhir/Questionnaire?url={url}"));
        Assert.Equal([id], await IdsAsync($"/fhir/Questionnaire?url={url}&version=1"));
        Assert.Empty(await IdsAsync($"/fhir/Questionnaire?url={url}&version=2"));
        Assert.Contains(id, await IdsAsync("/fhir/Questionnaire?title=sleep%20and&_count=100"));
        Assert.DoesNotContain(id, await IdsAsync("/fhir/Questionnaire?title=mood&_count=100"));

        var (duplicate, outcome, _) = await _admin.FhirAsync(HttpMethod.Post, "/fhir/Questionnaire", MoodForm(key, "Sleep and mood again"));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, ("Questionnaire.version", "DUPLICATE")), (duplicate, (outcome.Issues()[0].Expression, outcome.Issues()[0].Code)));
        Assert.Equal([id], await IdsAsync($"/fhir/Questionnaire?url={url}&status=draft,active,retired"));

        var (next, nextBody, _) = await _admin.FhirAsync(HttpMethod.Post, "/fhir/Questionnaire",
            MoodForm(key, "Sleep and mood").Replace("\"version\":\"1\"", "\"version\":\"2\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Created, next);
        var second = await _admin.DataAsync(Get, "formDefinition", new { id = nextBody["id"]!.GetValue<string>() });
        Assert.Equal((key, 2), (second["key"]!.GetValue<string>(), second["version"]!.GetValue<int>()));
        Assert.Equal(2, (await IdsAsync($"/fhir/Questionnaire?url={url}")).Count);

        using var anonymous = _host.Client();
        var (_, metadata, _) = await anonymous.FhirAsync(HttpMethod.Get, "/fhir/metadata");
        foreach (var type in new[] { "Questionnaire", "QuestionnaireResponse" })
        {
            var resource = metadata["rest"]![0]!["resource"]!.AsArray().Single(r => r!["type"]!.GetValue<string>() == type)!;
            Assert.Equal(["read", "vread", "search-type", "create"], resource["interaction"]!.AsArray().Select(i => i!["code"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task KeepADraftAsADraftAndRefuseToPublishAnInvalidQuestionnaire()
    {
        var broken = MoodForm(Key("broken"), extraItems: """,{"linkId":"when","text":"When?","type":"date","enableWhen":[{"question":"nope","operator":"exists","answerBoolean":true}]}""");
        var (drafted, draft, _) = await _admin.FhirAsync(HttpMethod.Post, "/fhir/Questionnaire", broken.Replace("\"status\":\"active\"", "\"status\":\"draft\"", StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode.Created, "draft"), (drafted, draft["status"]!.GetValue<string>()));
        var url = draft["url"]!.GetValue<string>();
        Assert.Empty(await IdsAsync($"/fhir/Questionnaire?url={url}"));
        Assert.Equal([draft["id"]!.GetValue<string>()], await IdsAsync($"/fhir/Questionnaire?url={url}&status=draft"));

        var other = MoodForm(Key("broken"), extraItems: """,{"linkId":"when","text":"When?","type":"date","enableWhen":[{"question":"nope","operator":"exists","answerBoolean":true}]}""");
        var (refused, outcome, _) = await _admin.FhirAsync(HttpMethod.Post, "/fhir/Questionnaire", other);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Contains(("Questionnaire.item[2].enableWhen[0].question", "ENABLE_WHEN_UNKNOWN_QUESTION", "when"), outcome.Issues());
        var otherUrl = JsonNode.Parse(other)!["url"]!.GetValue<string>();
        Assert.Empty(await IdsAsync($"/fhir/Questionnaire?url={otherUrl}&status=draft,active,retired"));

        var (retired, retiredOutcome, _) = await _admin.FhirAsync(HttpMethod.Post, "/fhir/Questionnaire", MoodForm(Key("retired")).Replace("\"status\":\"active\"", "\"status\":\"retired\"", StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "Questionnaire.status"), (retired, retiredOutcome.Issues()[0].Expression));
        var (unknown, unknownOutcome, _) = await _admin.FhirAsync(HttpMethod.Post, "/fhir/Questionnaire", MoodForm(Key("odd")).Replace("\"title\"", "\"colour\":\"red\",\"title\"", StringComparison.Ordinal));
        Assert.Equal((HttpStatusCode.BadRequest, "Questionnaire.colour"), (unknown, unknownOutcome.Issues()[0].Expression));
        Assert.Equal(HttpStatusCode.Forbidden, (await _doctor.FhirAsync(HttpMethod.Post, "/fhir/Questionnaire", MoodForm(Key("by-doctor")))).Status);
    }

    [Fact]
    public async Task ResolveEachCanonicalToItsExactVersion()
    {
        // Two published versions carrying the same url and version string: the first keeps the plain canonical.
        var key = Key("twice");
        var url = $"https://forms.example.org/Questionnaire/{key}";
        var v1 = await _admin.PublishedAsync(MoodForm(key));
        var copy = (await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { from = v1.Id() } }))["definition"]!;
        var v2 = await _admin.DataAsync(Publish, "publishFormDefinition", new { id = copy.Id(), v = copy["rowVersion"]!.GetValue<int>() });
        var (_, bundle, _) = await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/Questionnaire?url={url}");
        Assert.Equal([(v2.Id(), $"1+{v2.Id()}"), (v1.Id(), "1")],
            bundle.Entries().Select(q => (q["id"]!.GetValue<string>(), q["version"]!.GetValue<string>())));

        var patient = await PatientAsync();
        foreach (var (canonical, pinned) in new[] { ($"{url}|1", v1.Id()), ($"{url}|1+{v2.Id()}", v2.Id()), ($"Questionnaire/{v2.Id()}", v2.Id()) })
        {
            var (status, created, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", ResponseJson(patient, canonical, "completed", MoodAnswer("good")));
            Assert.True(status == HttpStatusCode.Created, created.ToJsonString());
            var stored = await _doctor.DataAsync(GetResponse, "formResponse", new { id = created.Id() });
            Assert.Equal(pinned, stored["formId"]!.GetValue<string>());
            Assert.Equal(pinned == v1.Id() ? $"{url}|1" : $"{url}|1+{v2.Id()}", created["questionnaire"]!.GetValue<string>());
        }

        await _admin.DataAsync(Retire, "retireFormDefinition", new { id = v1.Id(), v = v1["rowVersion"]!.GetValue<int>() });
        foreach (var (canonical, code) in new[] { ($"{url}|1", "UNKNOWN_REFERENCE"), ($"{url}|7", "UNKNOWN_REFERENCE"), (url, "INVALID_FORMAT"), ($"Questionnaire/{Guid.NewGuid()}", "UNKNOWN_REFERENCE") })
        {
            var (status, outcome, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", ResponseJson(patient, canonical, "completed", MoodAnswer("good")));
            Assert.Equal((HttpStatusCode.UnprocessableEntity, ("QuestionnaireResponse.questionnaire", code)), (status, (outcome.Issues()[0].Expression, outcome.Issues()[0].Code)));
        }

        Assert.Equal(3, await CountAsync($"SELECT count(*) FROM form_responses WHERE patient_id = '{patient}'"));
    }

    [Fact]
    public async Task CompleteAResponseWithTheServersScoreAndItsExtractionIntoTheChart()
    {
        var patient = await PatientAsync();
        var phq9 = JsonNode.Parse(Phq9("LA6571-9", claimedTotal: 0))!;
        var (created, body, response) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse",
            ResponseJson(patient, $"{Phq9Url}|1.0.0", "completed", phq9["item"]!.ToJsonString()));

        Assert.Equal(HttpStatusCode.Created, created);
        var id = body.Id();
        Assert.EndsWith($"/fhir/QuestionnaireResponse/{id}/_history/{body["meta"]!["versionId"]!.GetValue<string>()}", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(("completed", $"Patient/{patient}", $"{Phq9Url}|1.0.0"),
            (body["status"]!.GetValue<string>(), body["subject"]!["reference"]!.GetValue<string>(), body["questionnaire"]!.GetValue<string>()));
        Assert.Equal(27, Answer(body, "phq9-total")!["valueInteger"]!.GetValue<int>());

        var (read, again, _) = await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse/{id}");
        Assert.Equal((HttpStatusCode.OK, body.ToJsonString()), (read, again.ToJsonString()));
        Assert.Equal(HttpStatusCode.OK, (await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse/{id}/_history/{again["meta"]!["versionId"]}")).Status);

        var (_, observations, _) = await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/Observation?patient={patient}&code=http://loinc.org|44261-6");
        var total = Assert.Single(observations.Entries());
        Assert.Equal((27, $"QuestionnaireResponse/{id}"), (total["valueInteger"]!.GetValue<int>(), total["derivedFrom"]![0]!["reference"]!.GetValue<string>()));
        Assert.Equal(1, await CountAsync($"SELECT count(*) FROM domain_events WHERE type = 'form.submitted' AND subject_id = '{id}'"));
        var actions = await AuditActionsAsync(id);
        Assert.Equal(["form.response.complete", "form.response.start"], actions.Where(a => a != "form.response.read"));
        Assert.Contains("form.response.read", actions);
    }

    [Fact]
    public async Task SaveAnInProgressResponseWithItsProblemsForLater()
    {
        var patient = await PatientAsync();
        var (created, body, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse",
            ResponseJson(patient, $"https://forms.example.org/Questionnaire/{_screening}|1", "in-progress", Items(Item("sleep", Whole(30)))));

        Assert.Equal((HttpStatusCode.Created, "in-progress"), (created, body["status"]!.GetValue<string>()));
        Assert.Equal(30, Answer(body, "sleep")!["valueInteger"]!.GetValue<int>());
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM domain_events WHERE subject_id = '{body.Id()}'"));
    }

    [Fact]
    public async Task RefuseInvalidAnswersWithEachProblemsElementCodeAndLinkIdAndStoreNothing()
    {
        var patient = await PatientAsync();
        var screening = $"https://forms.example.org/Questionnaire/{_screening}|1";

        var (refused, outcome, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse",
            ResponseJson(patient, screening, "completed", Items(Item("q1", Coded("often")), Item("sleep", Whole(30)))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        var issues = outcome.Issues();
        Assert.Equal([("ABOVE_MAXIMUM", "sleep"), ("ANSWER_NOT_IN_OPTIONS", "q1")], issues.Select(i => (i.Code, i.LinkId!)).Order());
        Assert.All(issues, i => Assert.StartsWith("QuestionnaireResponse.item[", i.Expression, StringComparison.Ordinal));
        Assert.Equal("invalid", outcome["issue"]![0]!["code"]!.GetValue<string>());

        var (missing, missingOutcome, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse",
            ResponseJson(patient, screening, "completed", Items(Item("sleep", Whole(8)))));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, ("REQUIRED", "q1")), (missing, (missingOutcome.Issues()[0].Code, missingOutcome.Issues()[0].LinkId)));

        var (stranger, strangerOutcome, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse",
            ResponseJson(Guid.NewGuid().ToString(), screening, "completed", Items(Item("q1", Coded("some")))));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, ("QuestionnaireResponse.subject", "UNKNOWN_REFERENCE")),
            (stranger, (strangerOutcome.Issues()[0].Expression, strangerOutcome.Issues()[0].Code)));

        var notPatient = ResponseJson(patient, screening, "completed", Items(Item("q1", Coded("some")))).Replace($"Patient/{patient}", "Group/1", StringComparison.Ordinal);
        foreach (var (json, element) in new[]
                 {
                     (notPatient, "QuestionnaireResponse.subject"),
                     (ResponseJson(patient, screening, "amended", Items(Item("q1", Coded("some")))), "QuestionnaireResponse.status"),
                     (ResponseJson(patient, screening, "completed", Items(Item("q1", Coded("some"))), ""","author":{"reference":"Practitioner/1"}"""), "QuestionnaireResponse.author"),
                 })
        {
            var (status, bad, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", json);
            Assert.Equal((HttpStatusCode.BadRequest, element), (status, bad.Issues()[0].Expression));
        }

        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM form_responses WHERE patient_id = '{patient}'"));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM observations WHERE patient_id = '{patient}'"));
    }

    [Fact]
    public async Task ApplyTheChartsAccessRulesToResponses()
    {
        var own = await PatientAsync();
        var other = await PatientAsync();
        var screening = $"https://forms.example.org/Questionnaire/{_screening}|1";
        var (_, theirs, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", ResponseJson(other, screening, "completed", Items(Item("q1", Coded("none")))));

        using var patient = _host.Client(_host.PatientToken(_tenant.Slug, "patient.fhirforms", Guid.Parse(own)));
        var (mine, mineBody, _) = await patient.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", ResponseJson(own, screening, "completed", Items(Item("q1", Coded("some")))));
        Assert.True(mine == HttpStatusCode.Created, mineBody.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await patient.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse/{mineBody.Id()}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await patient.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", ResponseJson(other, screening, "completed", Items(Item("q1", Coded("some")))))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await patient.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse/{theirs.Id()}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await patient.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse?patient={other}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await patient.FhirAsync(HttpMethod.Get, "/fhir/Questionnaire?_count=1")).Status);

        (await _admin.GraphQLAsync(AccessGraph.Restrict, new { id = other, v = 1, restriction = "sensitive", careTeam = CareTeam })).DataOrThrow.ToString();
        using var outsider = _host.Client(_host.Token(_tenant.Slug, "dr.outsider", "physician"));
        var (restricted, security, _) = await outsider.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse/{theirs.Id()}");
        Assert.Equal((HttpStatusCode.Forbidden, "security", "RESTRICTED_RECORD"), (restricted, security["issue"]![0]!["code"]!.GetValue<string>(), security.Issues()[0].Code));
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse?patient={other}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsider.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", ResponseJson(other, screening, "completed", Items(Item("q1", Coded("some")))))).Status);
        Assert.Equal(HttpStatusCode.OK, (await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse/{theirs.Id()}")).Status);

        using var client = _host.Client(_host.ApiClientToken(_tenant.Slug, "client.fhirforms", "api-client"));
        Assert.Equal(HttpStatusCode.OK, (await client.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse/{mineBody.Id()}")).Status);
        var report = (await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id = own })).DataOrThrow["disclosureReport"]!.AsArray();
        Assert.Equal([("client.fhirforms", "Form response")], report.Select(d => (d!["recipient"]!.GetValue<string>(), d["released"]!.GetValue<string>())));
    }

    [Fact]
    public async Task SearchAPatientsResponsesByQuestionnaireStatusAndAuthoredInPages()
    {
        var patient = await PatientAsync();
        var screening = $"https://forms.example.org/Questionnaire/{_screening}";
        var ids = new List<string>();
        foreach (var (canonical, status, items) in new[]
                 {
                     ($"{screening}|1", "completed", Items(Item("q1", Coded("none")))),
                     ($"{screening}|1", "completed", Items(Item("q1", Coded("some")))),
                     ($"{Phq9Url}|1.0.0", "in-progress", "[]"),
                 })
        {
            var (created, body, _) = await _doctor.FhirAsync(HttpMethod.Post, "/fhir/QuestionnaireResponse", ResponseJson(patient, canonical, status, items));
            Assert.True(created == HttpStatusCode.Created, body.ToJsonString());
            ids.Add(body.Id());
        }

        var (_, first, _) = await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse?patient=Patient/{patient}&_count=2");
        var (_, second, _) = await _doctor.FhirAsync(HttpMethod.Get, new Uri(first.NextLink()!).PathAndQuery);
        Assert.Equal(Enumerable.Reverse(ids), first.Entries().Concat(second.Entries()).Select(r => r.Id()));
        Assert.Null(second.NextLink());

        var today = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (query, expected) in new[]
                 {
                     ($"questionnaire={screening}|1", new[] { ids[1], ids[0] }),
                     ($"questionnaire={screening}", [ids[1], ids[0]]),
                     ($"questionnaire={Phq9Url}|1.0.0", [ids[2]]),
                     ("questionnaire=https://forms.example.org/Questionnaire/none|1", []),
                     ("status=in-progress", [ids[2]]),
                     ("status=completed&questionnaire=" + screening, [ids[1], ids[0]]),
                     ($"authored=ge{today}T00:00:00Z&authored=lt2999-01-01", [ids[2], ids[1], ids[0]]),
                     ("authored=lt2000-01", []),
                 })
        {
            var (status, bundle, _) = await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse?patient={patient}&{query}");
            Assert.True(status == HttpStatusCode.OK, query + ": " + bundle.ToJsonString());
            Assert.Equal(expected, bundle.Entries().Select(r => r.Id()));
        }

        foreach (var (query, parameter) in new[] { ("status=completed", "patient"), ($"patient={patient}&authored=yesterday", "authored"), ($"patient={patient}&author=x", "author") })
        {
            var (status, outcome, _) = await _doctor.FhirAsync(HttpMethod.Get, $"/fhir/QuestionnaireResponse?{query}");
            Assert.Equal((HttpStatusCode.BadRequest, parameter), (status, outcome.Issues()[0].Expression));
        }
    }

    private async Task<List<string>> IdsAsync(string path)
    {
        var (status, bundle, _) = await _doctor.FhirAsync(HttpMethod.Get, path);
        Assert.True(status == HttpStatusCode.OK, path + ": " + bundle.ToJsonString());
        return bundle.Entries().Select(q => q.Id()).ToList();
    }

    private async Task<string> PatientAsync() =>
        (await _doctor.RegisterAsync(PatientGraph.Input("Fhir", "Forms" + Guid.NewGuid().ToString("N")[..6])))["id"]!.GetValue<string>();

    private async Task<long> CountAsync(string statement)
    {
        await using var sql = await _host.OpenSqlAsync();
        await sql.ExecAsync($"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}");
        return await sql.CountAsync(statement);
    }

    private static string ResponseJson(string patient, string questionnaire, string status, string items, string extra = "") =>
        $$"""{"resourceType":"QuestionnaireResponse","questionnaire":"{{questionnaire}}","status":"{{status}}","subject":{"reference":"Patient/{{patient}}"}{{(items == "[]" ? "" : ",\"item\":" + items)}}{{extra}}}""";

    private async Task<List<string>> AuditActionsAsync(string id) =>
        (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action } } } }", new { id }))
        .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).ToList();

    private static string Items(params object[] items) => System.Text.Json.JsonSerializer.Serialize(items);

    private static string MoodAnswer(string code) => Items(Item("mood", Coded(code)));

    private static JsonNode? Answer(JsonNode response, string linkId)
    {
        JsonNode? Find(JsonArray? items) =>
            items?.Select(i => i!["linkId"]!.GetValue<string>() == linkId ? i["answer"]![0] : Find(i["item"]?.AsArray()) ?? Find(i["answer"]?[0]?["item"]?.AsArray()))
                .FirstOrDefault(a => a is not null);
        return Find(response["item"]!.AsArray());
    }
}
