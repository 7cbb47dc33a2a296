using System.Text.Json.Nodes;
using Ehr.Forms.Responses;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Ehr.IntegrationTests.Forms.FormGraph;

namespace Ehr.IntegrationTests.Forms;

/// <summary>
/// Form responses: pinned to the exact version they answer, saved in progress, completed only when the server's
/// checks pass (scores recomputed, never the client's), extracted into the chart in the same transaction, amended with
/// history and a consistent chart, withdrawn, raised as events, read like the chart.
/// </summary>
public sealed class FormResponsesShould : IAsyncLifetime
{
    private static readonly string[] CareTeam = ["dr.responses"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _doctor = null!;
    private string _screening = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("form-responses");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.responses", "tenant-admin"));
        _doctor = _host.Client(_host.Token(_tenant.Slug, "dr.responses", "physician"));
        _screening = Key("screening");
        await _admin.PublishedAsync(ScreeningForm(_screening));
        foreach (var file in new[] { "phq-9.json", "patient-intake.json" })
        {
            await _admin.DataAsync(ImportLibrary, "importLibraryForm", new { file, publish = true });
        }
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        _doctor.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SaveInProgressWithWarningsThenCompleteOnlyWhenEverythingChecks()
    {
        var patient = await PatientAsync();
        var started = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = _screening } });
        Assert.Equal(("in-progress", 1, _screening), (started["status"]!.GetValue<string>(), started["version"]!.GetValue<int>(), started["formKey"]!.GetValue<string>()));

        var saved = await _doctor.DataAsync(Save, "saveFormResponse", new { id = started.Id(), v = 1, content = Response(Item("sleep", Whole(30))) });
        Assert.Equal(2, saved["version"]!.GetValue<int>());
        Assert.Equal([("sleep", "ABOVE_MAXIMUM")], saved["problems"]!.AsArray().Select(p => (p!["linkId"]!.GetValue<string>(), p["code"]!.GetValue<string>())));
        Assert.Contains("\"valueInteger\":30", saved["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("VERSION_CONFLICT", (await _doctor.GraphQLAsync(Save, new { id = started.Id(), v = 1, content = Response(Item("sleep", Whole(8))) })).Code);

        var incomplete = await _doctor.GraphQLAsync(Complete, new { id = started.Id(), v = 2 });
        Assert.Equal("VALIDATION_FAILED", incomplete.Code);
        Assert.Equal([("ABOVE_MAXIMUM", "sleep"), ("REQUIRED", "q1")], incomplete.Fields().Select(f => (f["code"]!.GetValue<string>(), f["linkId"]!.GetValue<string>())).Order());

        var completed = await _doctor.DataAsync(Complete, "completeFormResponse",
            new { id = started.Id(), v = 2, content = Response(Item("q1", Coded("some")), Item("sleep", Whole(8))) });
        Assert.Equal(("completed", "dr.responses", 3), (completed["status"]!.GetValue<string>(), completed["completedBy"]!.GetValue<string>(), completed["version"]!.GetValue<int>()));
        Assert.True(completed["revisions"]![0]!["frozen"]!.GetValue<bool>());
        var document = JsonNode.Parse(completed["content"]!.GetValue<string>())!;
        Assert.Equal(("completed", $"Patient/{patient}", started.Id(), $"https://forms.example.org/Questionnaire/{_screening}|1"),
            (document["status"]!.GetValue<string>(), document["subject"]!["reference"]!.GetValue<string>(), document["id"]!.GetValue<string>(), document["questionnaire"]!.GetValue<string>()));
        Assert.Equal("CONFLICT", (await _doctor.GraphQLAsync(Save, new { id = started.Id(), v = 3, content = Response(Item("sleep", Whole(7))) })).Code);
    }

    [Theory]
    [InlineData("type", "ANSWER_TYPE", "sleep")]
    [InlineData("required", "REQUIRED", "q1")]
    [InlineData("cardinality", "NOT_REPEATING", "sleep")]
    [InlineData("disabled", "ANSWER_ON_DISABLED_ITEM", "why")]
    [InlineData("option", "ANSWER_NOT_IN_OPTIONS", "q1")]
    [InlineData("range", "ABOVE_MAXIMUM", "sleep")]
    [InlineData("length", "TOO_LONG", "notes")]
    public async Task RefuseToCompleteAWrongAnswerWithItsLinkIdAndPathAndStoreNothing(string problem, string code, string linkId)
    {
        var patient = await PatientAsync();
        var started = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = _screening } });
        var content = problem switch
        {
            "type" => Response(Item("q1", Coded("some")), Item("sleep", Text("eight"))),
            "required" => Response(Item("sleep", Whole(8))),
            "cardinality" => Response(Item("q1", Coded("some")), Item("sleep", Whole(8), Whole(9))),
            "disabled" => Response(Item("q1", Coded("some")), Item("why", Text("because"))),
            "option" => Response(Item("q1", Coded("often"))),
            "range" => Response(Item("q1", Coded("some")), Item("sleep", Whole(30))),
            _ => Response(Item("q1", Coded("some")), Item("notes", Text("far too long for this"))),
        };

        var refused = await _doctor.GraphQLAsync(Complete, new { id = started.Id(), v = 1, content });

        Assert.Equal("VALIDATION_FAILED", refused.Code);
        var field = Assert.Single(refused.Fields());
        Assert.Equal((code, linkId), (field["code"]!.GetValue<string>(), field["linkId"]!.GetValue<string>()));
        Assert.StartsWith("content", field["path"]!.GetValue<string>(), StringComparison.Ordinal);
        if (problem != "required")
        {
            Assert.StartsWith("content.item[", field["path"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var stored = await _doctor.DataAsync(GetResponse, "formResponse", new { id = started.Id() });
        Assert.Equal(("in-progress", 1, started["content"]!.GetValue<string>()),
            (stored["status"]!.GetValue<string>(), stored["version"]!.GetValue<int>(), stored["content"]!.GetValue<string>()));
        await using var sql = await TenantSqlAsync();
        Assert.Equal(0, await sql.CountAsync($"SELECT count(*) FROM domain_events WHERE subject_id = '{started.Id()}'"));
    }

    [Fact]
    public async Task RecomputeTheScoreIgnoringTheClientsAndExtractItIntoTheChartOnce()
    {
        var patient = await PatientAsync();
        var started = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = "phq-9" } });

        var completed = await _doctor.DataAsync(Complete, "completeFormResponse", new { id = started.Id(), v = 1, content = Phq9("LA6571-9", claimedTotal: 0) });

        Assert.Equal(27, AnswerOf(completed["content"]!.GetValue<string>(), "phq9-total")!["valueInteger"]!.GetValue<int>());
        Assert.Equal(["phq9-suicide-flag"], completed["flagged"]!.AsArray().Select(f => f!.GetValue<string>()));
        var observationId = Assert.Single(completed["observationIds"]!.AsArray())!.GetValue<string>();
        var observation = Assert.Single((await _doctor.DataAsync(ChartObservations, "observations", new { p = patient, system = Loinc, code = "44261-6" }))["nodes"]!.AsArray())!;
        Assert.Equal((observationId, "final", 27, $"QuestionnaireResponse/{started.Id()}", "phq9-total"),
            (observation.Id(), observation["status"]!.GetValue<string>(), observation["value"]!["valueInteger"]!.GetValue<int>(),
             observation["derivedFrom"]!.GetValue<string>(), observation["derivedFromItem"]!.GetValue<string>()));

        await using var sql = await TenantSqlAsync();
        Assert.Equal(1, await sql.CountAsync($"SELECT count(*) FROM domain_events WHERE type = 'form.submitted' AND subject_id = '{started.Id()}'"));
        var payload = JsonNode.Parse(await ScalarTextAsync(sql, $"SELECT payload::text FROM domain_events WHERE type = 'form.submitted' AND subject_id = '{started.Id()}'"))!;
        Assert.Equal(("phq-9", patient, "phq9-suicide-flag"),
            (payload["formKey"]!.GetValue<string>(), payload["patientId"]!.GetValue<string>(), payload["flagged"]![0]!.GetValue<string>()));
        Assert.DoesNotContain("LA6571-9", payload.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(["form.response.complete", "form.response.start"], await AuditActionsAsync(started.Id()));
    }

    [Fact]
    public async Task RollBackTheResponseWhenItsExtractionCannotBeStoredAndTheObservationsWhenTheResponseCannot()
    {
        var patient = await PatientAsync();
        var started = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = "phq-9" } });
        await using (var owner = await _host.OpenSqlAsync())
        {
            // Freezing the answers fails after the observations were written in the same transaction.
            await owner.ExecAsync($"""
                SET ROLE ehr_owner;
                CREATE FUNCTION {_tenant.SchemaName}.refuse_freeze() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN IF NEW.frozen THEN RAISE EXCEPTION 'storage failure injected by the test'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_freeze BEFORE UPDATE ON {_tenant.SchemaName}.form_response_revisions FOR EACH ROW EXECUTE FUNCTION {_tenant.SchemaName}.refuse_freeze();
                """);
        }

        GraphQLResult failed;
        try
        {
            failed = await _doctor.GraphQLAsync(Complete, new { id = started.Id(), v = 1, content = Phq9("LA6570-1") });
        }
        finally
        {
            await using var owner = await _host.OpenSqlAsync();
            await owner.ExecAsync($"SET ROLE ehr_owner; DROP TRIGGER refuse_freeze ON {_tenant.SchemaName}.form_response_revisions; DROP FUNCTION {_tenant.SchemaName}.refuse_freeze();");
        }

        Assert.Equal("INTERNAL", failed.Code);
        Assert.Equal("in-progress", (await _doctor.DataAsync(GetResponse, "formResponse", new { id = started.Id() }))["status"]!.GetValue<string>());
        Assert.Empty((await _doctor.DataAsync(ChartObservations, "observations", new { p = patient }))["nodes"]!.AsArray());
        await using var sql = await TenantSqlAsync();
        Assert.Equal(0, await sql.CountAsync($"SELECT count(*) FROM observations WHERE derived_from = 'QuestionnaireResponse/{started.Id()}'"));
        Assert.Equal(0, await sql.CountAsync($"SELECT count(*) FROM domain_events WHERE subject_id = '{started.Id()}' OR payload->>'derivedFrom' = 'QuestionnaireResponse/{started.Id()}'"));

        // And the other way round: a chart the clinician may not write refuses the whole completion.
        using var frontDesk = _host.Client(_host.Token(_tenant.Slug, "desk.responses", "front-desk"));
        Assert.Equal("FORBIDDEN", (await frontDesk.GraphQLAsync(Complete, new { id = started.Id(), v = 1, content = Phq9("LA6570-1") })).Code);
        Assert.Equal("in-progress", (await _doctor.DataAsync(GetResponse, "formResponse", new { id = started.Id() }))["status"]!.GetValue<string>());

        var completed = await _doctor.DataAsync(Complete, "completeFormResponse", new { id = started.Id(), v = 1, content = Phq9("LA6570-1") });
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task AmendWithAReasonKeepingEveryRevisionAndTheChartHoldingTheCurrentOne()
    {
        var patient = await PatientAsync();
        var (id, version) = await CompletedPhq9Async(patient, "LA6571-9");

        Assert.Equal(("VALIDATION_FAILED", "reason"), await CodeAndPathAsync(_doctor, Amend, new { id, v = version, content = Phq9("LA6568-5"), reason = "" }));
        var amended = await _doctor.DataAsync(Amend, "amendFormResponse", new { id, v = version, content = Phq9("LA6568-5"), reason = "Answers were read back wrongly" });

        Assert.Equal(("amended", 2), (amended["status"]!.GetValue<string>(), amended["revision"]!.GetValue<int>()));
        Assert.Equal([(1, (string?)null), (2, "Answers were read back wrongly")],
            amended["revisions"]!.AsArray().Select(r => (r!["revision"]!.GetValue<int>(), r["reason"]?.GetValue<string>())));
        Assert.Contains("\"valueInteger\":27", amended["revisions"]![0]!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(amended["flagged"]!.AsArray());
        var observations = (await _doctor.DataAsync(ChartObservations, "observations", new { p = patient, system = Loinc, code = "44261-6" }))["nodes"]!.AsArray();
        var current = Assert.Single(observations, o => o!["status"]!.GetValue<string>() == "final")!;
        var superseded = Assert.Single(observations, o => o!["status"]!.GetValue<string>() == "entered-in-error")!;
        Assert.Equal((0, current.Id()), (current["value"]!["valueInteger"]!.GetValue<int>(), amended["observationIds"]![0]!.GetValue<string>()));
        Assert.Equal(27, superseded["value"]!["valueInteger"]!.GetValue<int>());
        Assert.Contains("Answers were read back wrongly", superseded["errorReason"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.Equal("VERSION_CONFLICT", (await _doctor.GraphQLAsync(Amend, new { id, v = version, content = Phq9("LA6569-3"), reason = "Second thoughts" })).Code);
        await using var sql = await TenantSqlAsync();
        Assert.Equal(1, await sql.CountAsync($"SELECT count(*) FROM domain_events WHERE type = 'form.amended' AND subject_id = '{id}'"));
        foreach (var statement in new[]
                 {
                     $"UPDATE form_response_revisions SET content = '{{}}' WHERE response_id = '{id}' AND revision = 1",
                     $"UPDATE form_responses SET status = 'in-progress' WHERE id = '{id}'",
                 })
        {
            Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, (await Assert.ThrowsAsync<PostgresException>(() => sql.ExecAsync(statement))).SqlState);
        }

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege,
            (await Assert.ThrowsAsync<PostgresException>(() => sql.ExecAsync($"DELETE FROM form_response_revisions WHERE response_id = '{id}'"))).SqlState);
    }

    [Fact]
    public async Task MarkAResponseEnteredInErrorWithItsObservations()
    {
        var patient = await PatientAsync();
        var (id, version) = await CompletedPhq9Async(patient, "LA6569-3");

        var marked = await _doctor.DataAsync(MarkError, "markFormResponseEnteredInError", new { id, v = version, reason = "Filled in for the wrong patient" });

        Assert.Equal(("entered-in-error", "Filled in for the wrong patient"), (marked["status"]!.GetValue<string>(), marked["errorReason"]!.GetValue<string>()));
        var observation = Assert.Single((await _doctor.DataAsync(ChartObservations, "observations", new { p = patient }))["nodes"]!.AsArray())!;
        Assert.Equal("entered-in-error", observation["status"]!.GetValue<string>());
        Assert.Equal("CONFLICT", (await _doctor.GraphQLAsync(Amend, new { id, v = marked["version"]!.GetValue<int>(), content = Phq9("LA6568-5"), reason = "Too late now" })).Code);
        await using var sql = await TenantSqlAsync();
        Assert.Equal(1, await sql.CountAsync($"SELECT count(*) FROM domain_events WHERE type = 'form.entered-in-error' AND subject_id = '{id}'"));
        Assert.Equal(["form.response.entered-in-error", "form.response.complete", "form.response.start"], await AuditActionsAsync(id));
    }

    [Fact]
    public async Task LetAPatientFillInTheirOwnIntakeAndNothingElse()
    {
        var own = await PatientAsync();
        var other = await PatientAsync();
        using var patient = _host.Client(_host.PatientToken(_tenant.Slug, "patient.responses", Guid.Parse(own)));

        var started = await patient.DataAsync(Start, "startFormResponse", new { input = new { patientId = own, formKey = "patient-intake" } });
        var intake = Response(
            Group("demographics", Item("given-name", Text("Ada")), Item("family-name", Text("Lovelace")), Item("birth-date", new { valueDate = "1985-12-10" }),
                Item("sex", Coded("female", "http://hl7.org/fhir/administrative-gender"))),
            Group("insurance", Item("has-insurance", YesNo(false))),
            Group("history", Item("reason", Text("Annual check-up")), Item("has-allergies", YesNo(false))));
        var saved = await patient.DataAsync(Save, "saveFormResponse", new { id = started.Id(), v = 1, content = intake });
        var completed = await patient.DataAsync(Complete, "completeFormResponse", new { id = started.Id(), v = saved["version"]!.GetValue<int>() });
        Assert.Equal(("completed", "patient.responses"), (completed["status"]!.GetValue<string>(), completed["completedBy"]!.GetValue<string>()));
        Assert.Equal([started.Id()], (await patient.DataAsync(ListResponses, "formResponses", new { p = own }))["nodes"]!.AsArray().Select(r => r!.Id()));

        Assert.Equal("FORBIDDEN", (await patient.GraphQLAsync(Start, new { input = new { patientId = other, formKey = "patient-intake" } })).Code);
        var theirs = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = other, formKey = _screening } });
        Assert.Null((await patient.GraphQLAsync(GetResponse, new { id = theirs.Id() })).DataOrThrow["formResponse"]);
        Assert.Equal("NOT_FOUND", (await patient.GraphQLAsync(Save, new { id = theirs.Id(), v = 1, content = Response(Item("sleep", Whole(8))) })).Code);
        Assert.Equal("NOT_FOUND", (await patient.GraphQLAsync(ListResponses, new { p = other })).Code);
        Assert.Equal("FORBIDDEN", (await patient.GraphQLAsync(Amend, new { id = started.Id(), v = completed["version"]!.GetValue<int>(), content = intake, reason = "Changed my mind" })).Code);
    }

    [Fact]
    public async Task ShowAFormSentToThePatientInTheirPortalWhileOthersUnfinishedWorkStaysHidden()
    {
        var own = await PatientAsync();
        using var patient = _host.Client(_host.PatientToken(_tenant.Slug, "patient.sent", Guid.Parse(own)));
        var sent = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = own, formKey = _screening, forPatient = true } });
        var notSent = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = own, formKey = _screening } });
        Assert.Equal((true, false), (sent["forPatient"]!.GetValue<bool>(), notSent["forPatient"]!.GetValue<bool>()));

        // The patient sees (and only sees) the one sent to them, fills it in and completes it; the server checks it.
        var waiting = (await patient.DataAsync(ListResponses, "formResponses", new { p = own, status = "in-progress" }))["nodes"]!.AsArray();
        Assert.Equal([sent.Id()], waiting.Select(r => r!.Id()));
        Assert.Null((await patient.GraphQLAsync(GetResponse, new { id = notSent.Id() })).DataOrThrow["formResponse"]);
        var saved = await patient.DataAsync(Save, "saveFormResponse", new { id = sent.Id(), v = 1, content = Response(Item("sleep", Whole(7))) });
        var refused = await patient.GraphQLAsync(Complete, new { id = sent.Id(), v = saved["version"]!.GetValue<int>() });
        Assert.Equal(("VALIDATION_FAILED", "REQUIRED", "q1"), (refused.Code, refused.Fields()[0]["code"]!.GetValue<string>(), refused.Fields()[0]["linkId"]!.GetValue<string>()));
        var completed = await patient.DataAsync(Complete, "completeFormResponse",
            new { id = sent.Id(), v = saved["version"]!.GetValue<int>(), content = Response(Item("q1", Coded("none")), Item("sleep", Whole(7))) });
        Assert.Equal(("completed", "patient.sent"), (completed["status"]!.GetValue<string>(), completed["completedBy"]!.GetValue<string>()));
        Assert.Equal([sent.Id()], (await patient.DataAsync(ListResponses, "formResponses", new { p = own }))["nodes"]!.AsArray().Select(r => r!.Id()));

        // Whether a response was sent is fixed when it starts.
        await using var sql = await TenantSqlAsync();
        Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation,
            (await Assert.ThrowsAsync<PostgresException>(() => sql.ExecAsync($"UPDATE form_responses SET for_patient = true WHERE id = '{notSent.Id()}'"))).SqlState);
        // Entries reach audit_log once the sealer has chained them (milliseconds, later under load): seal before reading.
        await _host.Services.GetRequiredService<AuditSealer>().SealAsync(_tenant);
        Assert.Contains("\"forPatient\":true", await ScalarTextAsync(sql,
            $"SELECT details::text FROM audit_log WHERE action = 'form.response.start' AND resource_id = '{sent.Id()}'"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrefillAnIntakeFromTheChartAndReadThePatientOnlyForFormsThatAskForIt()
    {
        var family = "Prefill" + Guid.NewGuid().ToString("N")[..6];
        var patient = (await _doctor.RegisterAsync(PatientGraph.Input("Grace", family, birthDate: "1961-03-09")))["id"]!.GetValue<string>();
        async Task<int> ChartReadsAsync() =>
            (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id, action: \"patient.read\") { edges { node { actorId } } } }", new { id = patient }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Count;
        var before = await ChartReadsAsync();

        var phq9 = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = "phq-9" } });
        Assert.Equal(before, await ChartReadsAsync());

        var intake = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = "patient-intake" } });
        var content = intake["content"]!.GetValue<string>();
        Assert.Contains("\"valueString\":\"Grace\"", content, StringComparison.Ordinal);
        Assert.Contains($"\"valueString\":\"{family}\"", content, StringComparison.Ordinal);
        Assert.Contains("\"valueDate\":\"1961-03-09\"", content, StringComparison.Ordinal);
        Assert.Equal(before + 1, await ChartReadsAsync());
        Assert.DoesNotContain("Grace", phq9["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepARestrictedRecordsResponsesToItsCareTeamAndAuditTheRefusal()
    {
        var patient = await PatientAsync();
        var started = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = _screening } });
        (await _admin.GraphQLAsync(AccessGraph.Restrict, new { id = patient, v = 1, restriction = "vip", careTeam = CareTeam })).DataOrThrow.ToString();
        using var outsider = _host.Client(_host.Token(_tenant.Slug, "dr.outsider", "physician"));

        Assert.Equal("RESTRICTED_RECORD", (await outsider.GraphQLAsync(GetResponse, new { id = started.Id() })).Code);
        Assert.Equal("RESTRICTED_RECORD", (await outsider.GraphQLAsync(ListResponses, new { p = patient })).Code);
        Assert.Equal("RESTRICTED_RECORD", (await outsider.GraphQLAsync(Start, new { input = new { patientId = patient, formKey = _screening } })).Code);
        Assert.Equal("RESTRICTED_RECORD", (await outsider.GraphQLAsync(Save, new { id = started.Id(), v = 1, content = Response(Item("sleep", Whole(8))) })).Code);
        Assert.Equal("in-progress", (await _doctor.DataAsync(GetResponse, "formResponse", new { id = started.Id() }))["status"]!.GetValue<string>());

        var outcomes = (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id, action: \"form.response.read\") { edges { node { actorId outcome } } } }", new { id = started.Id() }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => (e!["node"]!["actorId"]!.GetValue<string>(), e["node"]!["outcome"]!.GetValue<string>())).ToList();
        Assert.Equal([("dr.responses", "success"), ("dr.outsider", "restricted")], outcomes);
    }

    [Fact]
    public async Task LetAnApiClientFillInFormsAndAccountForWhatItReads()
    {
        var patient = await PatientAsync();
        using var client = _host.Client(_host.ApiClientToken(_tenant.Slug, "client.forms", "api-client"));
        var started = await client.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = "phq-9" } });
        var completed = await client.DataAsync(Complete, "completeFormResponse", new { id = started.Id(), v = 1, content = Phq9("LA6569-3") });
        Assert.Single(completed["observationIds"]!.AsArray());
        Assert.Empty((await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id = patient })).DataOrThrow["disclosureReport"]!.AsArray());

        (await client.GraphQLAsync(GetResponse, new { id = started.Id() })).DataOrThrow.ToString();
        (await client.GraphQLAsync(ListResponses, new { p = patient })).DataOrThrow.ToString();

        var report = (await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id = patient })).DataOrThrow["disclosureReport"]!.AsArray();
        Assert.Equal([("client.forms", "Form response"), ("client.forms", "Form responses")],
            report.Select(d => (d!["recipient"]!.GetValue<string>(), d["released"]!.GetValue<string>())));
    }

    [Fact]
    public async Task AnswerThePinnedVersionAfterTheFormChangesAndStartNewResponsesOnTheNewOne()
    {
        var key = Key("pinned");
        var v1 = await _admin.PublishedAsync(ScreeningForm(key));
        var patient = await PatientAsync();
        var onV1 = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = key } });
        // Version 2 requires sleep hours; version 1 did not.
        var v2Draft = (await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { from = v1.Id(),
            content = ScreeningForm(key).Replace("\"text\":\"Hours of sleep\",\"type\":\"integer\"", "\"text\":\"Hours of sleep\",\"type\":\"integer\",\"required\":true", StringComparison.Ordinal) } }))["definition"]!;
        var v2 = await _admin.DataAsync(Publish, "publishFormDefinition", new { id = v2Draft.Id(), v = v2Draft["rowVersion"]!.GetValue<int>() });
        await _admin.DataAsync(Retire, "retireFormDefinition", new { id = v1.Id(), v = v1["rowVersion"]!.GetValue<int>() });

        var completed = await _doctor.DataAsync(Complete, "completeFormResponse", new { id = onV1.Id(), v = 1, content = Response(Item("q1", Coded("none"))) });
        Assert.Equal(("completed", v1.Id()), (completed["status"]!.GetValue<string>(), completed["formId"]!.GetValue<string>()));

        var onV2 = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = key } });
        Assert.Equal((v2.Id(), 2), (onV2["formId"]!.GetValue<string>(), onV2["definition"]!["version"]!.GetValue<int>()));
        var refused = await _doctor.GraphQLAsync(Complete, new { id = onV2.Id(), v = 1, content = Response(Item("q1", Coded("none"))) });
        Assert.Equal(("REQUIRED", "sleep"), (refused.Fields()[0]["code"]!.GetValue<string>(), refused.Fields()[0]["linkId"]!.GetValue<string>()));
        Assert.Equal(("VALIDATION_FAILED", "input.formId"), await CodeAndPathAsync(_doctor, Start, new { input = new { patientId = patient, formId = v1.Id() } }));
    }

    [Fact]
    public async Task ListAPatientsResponsesNewestFirstInPages()
    {
        var patient = await PatientAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = _screening } })).Id());
        }

        var first = await _doctor.DataAsync(ListResponses, "formResponses", new { p = patient, first = 2 });
        var rest = await _doctor.DataAsync(ListResponses, "formResponses", new { p = patient, first = 2, after = first["pageInfo"]!["endCursor"]!.GetValue<string>() });

        Assert.Equal(Enumerable.Reverse(ids), first["nodes"]!.AsArray().Concat(rest["nodes"]!.AsArray()).Select(r => r!.Id()));
        Assert.True(first["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        Assert.False(rest["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        Assert.Empty((await _doctor.DataAsync(ListResponses, "formResponses", new { p = patient, status = "completed" }))["nodes"]!.AsArray());
        Assert.Equal(("VALIDATION_FAILED", "after"), await CodeAndPathAsync(_doctor, ListResponses, new { p = patient, after = "nonsense" }));
    }

    private async Task<(string Id, int Version)> CompletedPhq9Async(string patient, string answerCode)
    {
        var started = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = "phq-9" } });
        var completed = await _doctor.DataAsync(Complete, "completeFormResponse", new { id = started.Id(), v = 1, content = Phq9(answerCode) });
        return (completed.Id(), completed["version"]!.GetValue<int>());
    }

    /// <summary>The first answer of the item with <paramref name="linkId"/>, wherever it sits in the response.</summary>
    private static JsonNode? AnswerOf(string response, string linkId)
    {
        JsonNode? Find(JsonArray? items)
        {
            foreach (var item in items ?? [])
            {
                if (item!["linkId"]?.GetValue<string>() == linkId)
                {
                    return item["answer"]?[0];
                }

                if (Find(item["item"]?.AsArray()) is { } nested)
                {
                    return nested;
                }
            }

            return null;
        }

        return Find(JsonNode.Parse(response)!["item"]?.AsArray());
    }

    [Fact]
    public async Task OfferTheValueSetsItsFormNamesToWhoeverFillsItInAndNothingMore()
    {
        string Set(string url, params string[] codes) => new JsonObject
        {
            ["resourceType"] = "ValueSet", ["url"] = url, ["status"] = "active",
            ["compose"] = new JsonObject { ["include"] = new JsonArray(new JsonObject
            {
                ["system"] = "urn:side",
                ["concept"] = new JsonArray(codes.Select(c => (JsonNode)new JsonObject { ["code"] = c, ["display"] = "Side " + c }).ToArray()),
            }) },
        }.ToJsonString();
        var named = "https://forms.example.org/ValueSet/" + Key("side");
        var other = "https://forms.example.org/ValueSet/" + Key("other");
        await _admin.DataAsync(ImportValueSet, "importAnswerValueSet", new { key = Key("side"), content = Set(named, "L", "R") });
        await _admin.DataAsync(ImportValueSet, "importAnswerValueSet", new { key = Key("other"), content = Set(other, "X") });
        var key = Key("sided");
        await _admin.PublishedAsync($$$"""
            {"resourceType":"Questionnaire","status":"active","title":"Side",
             "item":[{"linkId":"side","text":"Which side?","type":"choice","required":true,"answerValueSet":"{{{named}}}"}]}
            """, key: key);
        var own = await PatientAsync();
        var sent = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = own, formKey = key, forPatient = true } });
        var notSent = await _doctor.DataAsync(Start, "startFormResponse", new { input = new { patientId = own, formKey = key } });

        // The patient (form.respond, no form.manage) gets the options of the set this form names, and no other set.
        var sets = await AsActorAsync(new Actor("patient.sides", _tenant.Slug, [Permissions.PatientRole], "127.0.0.1", PurposeOfUse.Treatment) { PatientIds = [Guid.Parse(own)] },
            r => r.HandleAsync(Guid.Parse(sent.Id()), default));
        Assert.Equal(["L", "R"], sets!.Find(named)!.Concepts.Select(c => c.Code));
        Assert.Null(sets.Find(other));

        // Someone else's unfinished work, another patient's response: absent, as the response itself is.
        Assert.Null(await AsActorAsync(new Actor("patient.sides", _tenant.Slug, [Permissions.PatientRole], "127.0.0.1", PurposeOfUse.Treatment) { PatientIds = [Guid.Parse(own)] },
            r => r.HandleAsync(Guid.Parse(notSent.Id()), default)));
        Assert.Null(await AsActorAsync(new Actor("patient.elsewhere", _tenant.Slug, [Permissions.PatientRole], "127.0.0.1", PurposeOfUse.Treatment) { PatientIds = [Guid.NewGuid()] },
            r => r.HandleAsync(Guid.Parse(sent.Id()), default)));
        var biller = await Assert.ThrowsAsync<EhrException>(() => AsActorAsync(new Actor("biller.sides", _tenant.Slug, ["biller"], "127.0.0.1", PurposeOfUse.Treatment),
            r => r.HandleAsync(Guid.Parse(sent.Id()), default)));
        Assert.Equal(ErrorCodes.Forbidden, biller.Code);

        // The server checks answers against the same set: outside it refused (nothing stored), inside it completed.
        using var patient = _host.Client(_host.PatientToken(_tenant.Slug, "patient.sides", Guid.Parse(own)));
        var outside = await patient.GraphQLAsync(Complete, new { id = sent.Id(), v = 1, content = Response(Item("side", Coded("X", "urn:side"))) });
        Assert.Equal(("VALIDATION_FAILED", "ANSWER_NOT_IN_OPTIONS", "side"),
            (outside.Code, outside.Fields()[0]["code"]!.GetValue<string>(), outside.Fields()[0]["linkId"]!.GetValue<string>()));
        var completed = await patient.DataAsync(Complete, "completeFormResponse", new { id = sent.Id(), v = 1, content = Response(Item("side", Coded("L", "urn:side"))) });
        Assert.Equal("completed", completed["status"]!.GetValue<string>());
    }

    private async Task<T> AsActorAsync<T>(Actor actor, Func<GetResponseValueSets, Task<T>> work)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(_tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(actor);
        return await work(scope.ServiceProvider.GetRequiredService<GetResponseValueSets>());
    }

    private async Task<string> PatientAsync() =>
        (await _doctor.RegisterAsync(PatientGraph.Input("Form", "Patient" + Guid.NewGuid().ToString("N")[..6])))["id"]!.GetValue<string>();

    private static async Task<(string?, string?)> CodeAndPathAsync(HttpClient client, string document, object variables)
    {
        var result = await client.GraphQLAsync(document, variables);
        return (result.Code, result.FieldPaths.Count > 0 ? result.FieldPaths[0] : null);
    }

    private async Task<List<string>> AuditActionsAsync(string id) =>
        (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action } } } }", new { id }))
        .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).Where(a => !a.EndsWith(".read", StringComparison.Ordinal)).ToList();

    private async Task<NpgsqlConnection> TenantSqlAsync()
    {
        var sql = await _host.OpenSqlAsync();
        await sql.ExecAsync($"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}");
        return sql;
    }

    private static async Task<string> ScalarTextAsync(NpgsqlConnection sql, string statement)
    {
        await using var cmd = new NpgsqlCommand(statement, sql);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
