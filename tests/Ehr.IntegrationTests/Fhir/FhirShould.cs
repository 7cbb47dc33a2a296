using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Fhir;

/// <summary>
/// The FHIR R4 REST API: the same use cases as GraphQL behind read, search, create and update, with versions as
/// ETags (412 on a stale If-Match), OperationOutcomes carrying our codes and field paths, and the same access rules.
/// </summary>
public sealed class FhirShould : IAsyncLifetime
{
    private const string FhirJson = "application/fhir+json";
    private static readonly string[] CareTeam = ["dr.fhir"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _doctor = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("fhir");
        _doctor = _host.Client(_host.Token(_tenant.Slug, "dr.fhir", "physician"));
    }

    public Task DisposeAsync()
    {
        _doctor.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DescribeItselfInACapabilityStatement()
    {
        using var anonymous = _host.Client();
        var (status, body, response) = await SendAsync(anonymous, HttpMethod.Get, "/fhir/metadata");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(FhirJson, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("CapabilityStatement", body["resourceType"]!.GetValue<string>());
        Assert.Equal("4.0.1", body["fhirVersion"]!.GetValue<string>());
        var patient = body["rest"]![0]!["resource"]!.AsArray().Single(r => r!["type"]!.GetValue<string>() == "Patient")!;
        Assert.Equal(["read", "search-type", "create", "update"], patient["interaction"]!.AsArray().Select(i => i!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task CreateReadAndUpdateAPatientWithVersionsAsETags()
    {
        var family = "Fhir" + Guid.NewGuid().ToString("N")[..8];
        var (created, body, response) = await SendAsync(_doctor, HttpMethod.Post, "/fhir/Patient", PatientJson("Ada Maria", family));
        Assert.Equal(HttpStatusCode.Created, created);
        var id = body["id"]!.GetValue<string>();
        Assert.EndsWith($"/fhir/Patient/{id}/_history/1", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("W/\"1\"", response.Headers.ETag!.ToString());
        Assert.Equal(["Ada", "Maria"], body["name"]![0]!["given"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Contains(body["identifier"]!.AsArray(), i => i!["system"]!.GetValue<string>() == "https://ehr-saas.org/fhir/sid/mrn");

        var (read, readBody, _) = await SendAsync(_doctor, HttpMethod.Get, $"/fhir/Patient/{id}");
        Assert.Equal(HttpStatusCode.OK, read);
        Assert.Equal(("1970-02-03", "female"), (readBody["birthDate"]!.GetValue<string>(), readBody["gender"]!.GetValue<string>()));

        var (updated, updatedBody, _) = await SendAsync(_doctor, HttpMethod.Put, $"/fhir/Patient/{id}", PatientJson("Ada", family, id), ifMatch: "W/\"1\"");
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal("2", updatedBody["meta"]!["versionId"]!.GetValue<string>());

        var (stale, outcome, _) = await SendAsync(_doctor, HttpMethod.Put, $"/fhir/Patient/{id}", PatientJson("Eve", family, id), ifMatch: "W/\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale);
        Assert.Equal(("OperationOutcome", "conflict"), (outcome["resourceType"]!.GetValue<string>(), Issue(outcome)["code"]!.GetValue<string>()));
        var (unconditional, _, _) = await SendAsync(_doctor, HttpMethod.Put, $"/fhir/Patient/{id}", PatientJson("Eve", family, id));
        Assert.Equal((HttpStatusCode)428, unconditional);
    }

    [Theory]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"Nobirth","given":["No"]}],"gender":"female"}""", "Patient.birthDate")]
    [InlineData("""{"resourceType":"Patient","birthDate":"1970-01-01","gender":"female","name":[{"family":"X","given":["Y"]}],"favouriteColour":"blue"}""", "Patient.favouriteColour")]
    [InlineData("""{"resourceType":"Observation","status":"final","code":{"text":"not a patient"}}""", "resourceType")]
    [InlineData("""{"resourceType":"Patient","name":[{"family":"X","given":["Y"]}],"gender":"female","birthDate":"1970-01-01","contact":[{"name":{"family":"Z"},"gender":"male","organization":{}}]}""", "Patient.contact[0].organization")]
    [InlineData("""{"resourceType":"Patient","birthDate":"1970-01-01","gender":"female","name":[{"family":"X","given":["Y"]}],"extension":[{"url":"https://example.org/x","valueString":"y"}]}""", "Patient.extension")]
    public async Task RefuseABadPatientWithAnOperationOutcomeNamingTheField(string json, string expression)
    {
        var (status, outcome, _) = await SendAsync(_doctor, HttpMethod.Post, "/fhir/Patient", json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("OperationOutcome", outcome["resourceType"]!.GetValue<string>());
        Assert.Equal("invalid", Issue(outcome)["code"]!.GetValue<string>());
        Assert.True(outcome["issue"]!.AsArray().Any(i => i!["expression"]?[0]?.GetValue<string>() == expression), outcome.ToJsonString());
    }

    [Fact]
    public async Task SearchPatientsIntoBundlesWithANextLink()
    {
        var family = "Page" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            var made = await SendAsync(_doctor, HttpMethod.Post, "/fhir/Patient", PatientJson("Person" + i, family));
            Assert.True(made.Status == HttpStatusCode.Created, made.Body.ToJsonString());
        }

        var (status, first, _) = await SendAsync(_doctor, HttpMethod.Get, $"/fhir/Patient?name={family}&_count=2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("Bundle", "searchset", 2), (first["resourceType"]!.GetValue<string>(), first["type"]!.GetValue<string>(), first["entry"]!.AsArray().Count));
        var next = first["link"]!.AsArray().Single(l => l!["relation"]!.GetValue<string>() == "next")!["url"]!.GetValue<string>();

        var (_, second, _) = await SendAsync(_doctor, HttpMethod.Get, new Uri(next).PathAndQuery);
        Assert.Single(second["entry"]!.AsArray());
        Assert.DoesNotContain(second["link"]!.AsArray(), l => l!["relation"]!.GetValue<string>() == "next");
        var all = first["entry"]!.AsArray().Concat(second["entry"]!.AsArray()).Select(e => e!["resource"]!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(3, all.Distinct().Count());

        var (unsupported, outcome, _) = await SendAsync(_doctor, HttpMethod.Get, "/fhir/Patient?address-city=Springfield");
        Assert.Equal(HttpStatusCode.BadRequest, unsupported);
        Assert.Equal("address-city", Issue(outcome)["expression"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task RecordReadAndSearchObservations()
    {
        var patient = await NewPatientAsync();
        var observation = $$$"""
            {"resourceType":"Observation","status":"final","subject":{"reference":"Patient/{{{patient}}}"},
             "code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic blood pressure"}]},
             "effectiveDateTime":"2026-11-01T09:30:00Z",
             "valueQuantity":{"value":128,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}
            """;
        var (created, body, _) = await SendAsync(_doctor, HttpMethod.Post, "/fhir/Observation", observation);
        Assert.Equal(HttpStatusCode.Created, created);
        var id = body["id"]!.GetValue<string>();

        var (_, read, _) = await SendAsync(_doctor, HttpMethod.Get, $"/fhir/Observation/{id}");
        Assert.Equal((128m, "mm[Hg]"), (read["valueQuantity"]!["value"]!.GetValue<decimal>(), read["valueQuantity"]!["code"]!.GetValue<string>()));
        Assert.Equal($"Patient/{patient}", read["subject"]!["reference"]!.GetValue<string>());

        var (_, bundle, _) = await SendAsync(_doctor, HttpMethod.Get, $"/fhir/Observation?patient=Patient/{patient}&code=http://loinc.org|8480-6");
        Assert.Equal(id, Assert.Single(bundle["entry"]!.AsArray())!["resource"]!["id"]!.GetValue<string>());

        var period = observation.Replace("\"valueQuantity\":{\"value\":128,\"unit\":\"mmHg\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"mm[Hg]\"}",
            "\"valuePeriod\":{\"start\":\"2026-11-01\"}", StringComparison.Ordinal);
        var (refused, outcome, _) = await SendAsync(_doctor, HttpMethod.Post, "/fhir/Observation", period);
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal("Observation.value[x]", Issue(outcome)["expression"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task ApplyTheSameAccessRulesAsEveryOtherApi()
    {
        var patient = await NewPatientAsync();
        using var anonymous = _host.Client();
        anonymous.DefaultRequestHeaders.Add("X-Tenant", _tenant.Slug);
        var (status, outcome, response) = await SendAsync(anonymous, HttpMethod.Get, $"/fhir/Patient/{patient}");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(("login", "Bearer"), (Issue(outcome)["code"]!.GetValue<string>(), response.Headers.WwwAuthenticate.ToString()));

        using var frontDesk = _host.Client(_host.Token(_tenant.Slug, "desk.fhir", "front-desk"));
        var observation = $$$"""{"resourceType":"Observation","status":"final","subject":{"reference":"Patient/{{{patient}}}"},"code":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]},"valueInteger":170}""";
        var (forbidden, denied, _) = await SendAsync(frontDesk, HttpMethod.Post, "/fhir/Observation", observation);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (forbidden, Issue(denied)["code"]!.GetValue<string>()));

        using var otherPatient = _host.Client(_host.PatientToken(_tenant.Slug, "patient.fhir", Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(otherPatient, HttpMethod.Get, $"/fhir/Patient/{patient}")).Status);

        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.fhir", "tenant-admin"));
        (await admin.GraphQLAsync(AccessGraph.Restrict, new { id = patient, v = 1, restriction = "vip", careTeam = CareTeam })).DataOrThrow.ToString();
        using var outsider = _host.Client(_host.Token(_tenant.Slug, "dr.outsider", "physician"));
        var (restricted, security, _) = await SendAsync(outsider, HttpMethod.Get, $"/fhir/Patient/{patient}");
        Assert.Equal((HttpStatusCode.Forbidden, "security"), (restricted, Issue(security)["code"]!.GetValue<string>()));
        var (_, labelled, _) = await SendAsync(_doctor, HttpMethod.Get, $"/fhir/Patient/{patient}");
        Assert.Equal("R", labelled["meta"]!["security"]![0]!["code"]!.GetValue<string>());
    }

    private async Task<string> NewPatientAsync()
    {
        var (_, body, _) = await SendAsync(_doctor, HttpMethod.Post, "/fhir/Patient", PatientJson("Obs", "Fhir" + Guid.NewGuid().ToString("N")[..8]));
        return body["id"]!.GetValue<string>();
    }

    private static string PatientJson(string given, string family, string? id = null)
    {
        var patient = new JsonObject
        {
            ["resourceType"] = "Patient",
            ["name"] = new JsonArray(new JsonObject { ["use"] = "official", ["family"] = family, ["given"] = new JsonArray(given.Split(' ').Select(g => (JsonNode)g).ToArray()) }),
            ["birthDate"] = "1970-02-03",
            ["gender"] = "female",
            ["telecom"] = new JsonArray(new JsonObject { ["system"] = "phone", ["value"] = "+1 617 555 0101", ["use"] = "mobile" }),
        };
        if (id is not null)
        {
            patient["id"] = id;
        }

        return patient.ToJsonString();
    }

    private static JsonNode Issue(JsonNode outcome) => outcome["issue"]![0]!;

    private static async Task<(HttpStatusCode Status, JsonNode Body, HttpResponseMessage Response)> SendAsync(
        HttpClient client, HttpMethod method, string path, string? json = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(FhirJson));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, FhirJson);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text)!, response);
    }
}
