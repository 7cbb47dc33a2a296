using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;
using Npgsql;
using static Ehr.IntegrationTests.Templates.TemplateGraph;

namespace Ehr.IntegrationTests.Notes;

/// <summary>
/// Notes started from documentation templates: the template version pinned, the answers prefilled from the chart, the
/// narrative rendered from the answers (free text kept apart), checked leniently while drafting and completely at
/// signing and amending (problems name the link ids, nothing changes), scores computed by the server only, the pinned
/// version kept through newer versions and retirement, restricted records refused without break the glass.
/// </summary>
public sealed class TemplatedNotesShould : IAsyncLifetime
{
    private static readonly string[] CareTeam = ["dr.team"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _doctor = null!;
    private string _key = null!;
    private JsonNode _template = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("tnotes");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.tnotes", "tenant-admin"));
        _doctor = _host.Client(_host.Token(_tenant.Slug, "dr.tnotes", "physician"));
        _key = "test-visit-" + Guid.NewGuid().ToString("N")[..6];
        _template = await _admin.PublishedAsync(_key, Content());
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        _doctor.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task StartANotePrefilledFromThePatientsChartWithTheTemplateVersionPinned()
    {
        var patient = await PatientAsync("Ada", "1979-11-02");

        var note = await _doctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = _key } });

        Assert.Equal((_template.Id(), "soap", "Test visit", "draft"),
            (note["templateId"]!.GetValue<string>(), note["noteType"]!.GetValue<string>(), note["title"]!.GetValue<string>(), note["status"]!.GetValue<string>()));
        var answers = note["answers"]!.GetValue<string>();
        Assert.Equal("Ada", AnswerValues(answers, "first-name").Single()["valueString"]!.GetValue<string>());
        Assert.Equal("1979-11-02", AnswerValues(answers, "birth-date").Single()["valueDate"]!.GetValue<string>());
        Assert.Equal(("in-progress", "Patient/" + patient), (JsonNode.Parse(answers)!["status"]!.GetValue<string>(), JsonNode.Parse(answers)!["subject"]!["reference"]!.GetValue<string>()));
        Assert.StartsWith("Patient: Ada, born 1979-11-02\nS: \nScore: ", note["narrative"]!.GetValue<string>(), StringComparison.Ordinal);

        // The chart read for prefill is on record as such.
        var reads = await AuditAsync(patient, "patient.read");
        Assert.Contains(reads, r => r["details"]!.GetValue<string>().Contains("note prefill", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RenderTheNarrativeAgainOnEachEditAndKeepTheFreeTextApart()
    {
        var (id, version, answers) = await StartAsync(await PatientAsync("Bo"));

        // The client's total (99) is forged: the server computes 3 + 0.
        var edited = await EditAsync(id, version, With(answers, ("cc", Text("Cough for 3 days")), ("q1", Choice("3", "Nearly every day")),
            ("q2", Choice("0", "Not at all")), ("total", """{"valueInteger":99}""")), "Discussed smoking cessation.");
        Assert.Equal("Patient: Bo, born 1980-05-17\nS: Cough for 3 days\nScore: 3\n\nDiscussed smoking cessation.", edited["narrative"]!.GetValue<string>());
        Assert.Equal(3, AnswerValues(edited["answers"]!.GetValue<string>(), "total").Single()["valueInteger"]!.GetValue<int>());
        Assert.Equal("Discussed smoking cessation.", edited["freeText"]!.GetValue<string>());

        // New answers, free text not sent: it is kept and placed after the re-rendered text. The clinician removed the
        // scored answers: nothing scores 0.
        var again = await EditAsync(id, edited["version"]!.GetValue<int>(), With(answers, ("cc", Text("Cough, better")), ("plan", Text("Fluids"))), null);
        Assert.Equal("Patient: Bo, born 1980-05-17\nS: Cough, better\nScore: 0\nP: Fluids\n\nDiscussed smoking cessation.", again["narrative"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefuseBadAnswersOrAHandWrittenNarrativeOnADraftAndChangeNothing()
    {
        var (id, version, _) = await StartAsync(await PatientAsync("Cy"));

        var unknown = await _doctor.GraphQLAsync(EditNote, new { id, v = version, answers = Answers(("allergies", Text("none"))) });
        var notAnOption = await _doctor.GraphQLAsync(EditNote, new { id, v = version, answers = Answers(("q1", Choice("7", "Always"))) });
        var narrative = await _doctor.GraphQLAsync(EditNote, new { id, v = version, narrative = "My own text" });

        Assert.Equal(("VALIDATION_FAILED", "answers.allergies"), (unknown.Code, Assert.Single(unknown.FieldPaths)));
        Assert.Equal(("VALIDATION_FAILED", "answers.q1"), (notAnOption.Code, Assert.Single(notAnOption.FieldPaths)));
        Assert.Equal(("VALIDATION_FAILED", "narrative"), (narrative.Code, Assert.Single(narrative.FieldPaths)));
        Assert.Equal(version, (await _doctor.DataAsync(GetNote, "note", new { id }))["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task RefuseToSignWithoutARequiredAnswerNamingItThenSignAndFreezeTheRenderedNote()
    {
        var (id, version, answers) = await StartAsync(await PatientAsync("Di"));

        var refused = await _doctor.GraphQLAsync(SignNote, new { id, v = version });
        Assert.Equal("VALIDATION_FAILED", refused.Code);
        Assert.Equal(["answers.cc"], refused.FieldPaths);
        Assert.Equal("REQUIRED", refused.Errors![0]!["extensions"]!["fields"]![0]!["code"]!.GetValue<string>());
        var unchanged = await _doctor.DataAsync(GetNote, "note", new { id });
        Assert.Equal(("draft", version), (unchanged["status"]!.GetValue<string>(), unchanged["version"]!.GetValue<int>()));

        var edited = await EditAsync(id, version, With(answers, ("cc", Text("Rash")), ("q1", Choice("3", "Nearly every day")), ("q2", Choice("3", "Nearly every day"))), null);
        var signed = await _doctor.DataAsync(SignNote, "signNote", new { id, v = edited["version"]!.GetValue<int>() });

        Assert.Equal("signed", signed["status"]!.GetValue<string>());
        Assert.Equal("Patient: Di, born 1980-05-17\nS: Rash\nScore: 6", signed["narrative"]!.GetValue<string>());
        Assert.Equal("completed", JsonNode.Parse(signed["answers"]!.GetValue<string>())!["status"]!.GetValue<string>());
        Assert.Equal("CONFLICT", (await _doctor.GraphQLAsync(EditNote, new { id, v = signed["version"]!.GetValue<int>(), answers = Answers(("cc", Text("Changed"))) })).Code);

        await using var sql = await _host.OpenSqlAsync();
        await ExecAsync(sql, $"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}");
        var tamper = await Assert.ThrowsAsync<PostgresException>(() => ExecAsync(sql, $"UPDATE note_revisions SET free_text = 'tampered' WHERE note_id = '{id}'"));
        Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, tamper.SqlState);
    }

    [Fact]
    public async Task AmendThroughTheAnswersCheckedCompletelyWithAReason()
    {
        var (id, version, answers) = await SignedAsync(await PatientAsync("Ed"), "Headache");

        var missing = await _doctor.GraphQLAsync(AmendNote, new { id, v = version, answers = Answers(("plan", Text("Rest"))), reason = "Plan was missing" });
        var handWritten = await _doctor.GraphQLAsync(AmendNote, new { id, v = version, narrative = "Other text", reason = "Plan was missing" });
        Assert.Equal(("VALIDATION_FAILED", "answers.cc"), (missing.Code, Assert.Single(missing.FieldPaths)));
        Assert.Equal(("VALIDATION_FAILED", "narrative"), (handWritten.Code, Assert.Single(handWritten.FieldPaths)));

        var amended = await _doctor.DataAsync(AmendNote, "amendNote", new
        {
            id, v = version, answers = With(answers, ("plan", Text("Rest"))), freeText = "Called back with results.", reason = "Plan was missing",
        });

        Assert.Equal("amended", amended["status"]!.GetValue<string>());
        Assert.Equal("Patient: Ed, born 1980-05-17\nS: Headache\nScore: 0\nP: Rest\n\nCalled back with results.", amended["narrative"]!.GetValue<string>());
        Assert.Equal("amended", JsonNode.Parse(amended["answers"]!.GetValue<string>())!["status"]!.GetValue<string>());
        var revisions = amended["revisions"]!.AsArray();
        Assert.Equal(["Patient: Ed, born 1980-05-17\nS: Headache\nScore: 0", amended["narrative"]!.GetValue<string>()],
            revisions.Select(r => r!["narrative"]!.GetValue<string>()));
    }

    [Fact]
    public async Task MarkATemplatedNoteEnteredInError()
    {
        var (id, version, _) = await SignedAsync(await PatientAsync("Fay"), "Wrong patient");

        var marked = await _doctor.DataAsync(MarkError, "markNoteEnteredInError", new { id, v = version, reason = "Documented in the wrong chart" });

        Assert.Equal("entered-in-error", marked["status"]!.GetValue<string>());
        Assert.Equal("Patient: Fay, born 1980-05-17\nS: Wrong patient\nScore: 0", marked["narrative"]!.GetValue<string>());
    }

    [Fact]
    public async Task KeepThePinnedVersionThroughANewerVersionAndRetirement()
    {
        var key = "pinned-" + Guid.NewGuid().ToString("N")[..6];
        var v1 = await _admin.PublishedAsync(key, Content("V1 {{ answers.cc.value }}"));
        var patient = await PatientAsync("Gus");
        var early = await _doctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = key } });

        var draft = await _admin.DataAsync(CreateDraft, "createNoteTemplateDraft", new { input = new { key, content = Content("V2 {{ answers.cc.value }}"), from = v1.Id() } });
        var v2 = await _admin.DataAsync(Publish, "publishNoteTemplate", new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>() });
        await _admin.DataAsync(Retire, "retireNoteTemplate", new { id = v1.Id(), v = v1["rowVersion"]!.GetValue<int>() });

        var late = await _doctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = key } });
        Assert.Equal((v2.Id(), "V2 "), (late["templateId"]!.GetValue<string>(), late["narrative"]!.GetValue<string>()));

        var edited = await EditAsync(early.Id(), early["version"]!.GetValue<int>(), With(early["answers"]!.GetValue<string>(), ("cc", Text("Back pain"))), null);
        var signed = await _doctor.DataAsync(SignNote, "signNote", new { id = early.Id(), v = edited["version"]!.GetValue<int>() });
        Assert.Equal((v1.Id(), "V1 Back pain"), (signed["templateId"]!.GetValue<string>(), signed["narrative"]!.GetValue<string>()));

        await _admin.DataAsync(Retire, "retireNoteTemplate", new { id = v2.Id(), v = v2["rowVersion"]!.GetValue<int>() });
        var none = await _doctor.GraphQLAsync(StartNote, new { input = new { patientId = patient, templateKey = key } });
        Assert.Equal(("VALIDATION_FAILED", "input.templateKey"), (none.Code, Assert.Single(none.FieldPaths)));
    }

    [Fact]
    public async Task RefuseToPrefillARestrictedRecordWithoutBreakingTheGlass()
    {
        var patient = await PatientAsync("Hal");
        (await _admin.GraphQLAsync(AccessGraph.Restrict, new { id = patient, v = 1, restriction = "vip", careTeam = CareTeam })).DataOrThrow.ToString();
        using var outsider = _host.Client(_host.Token(_tenant.Slug, "dr.outsider", "physician"));

        var refused = await outsider.GraphQLAsync(StartNote, new { input = new { patientId = patient, templateKey = _key } });

        Assert.Equal("RESTRICTED_RECORD", refused.Code);
        Assert.Contains(await AuditAsync(patient, "patient.read"), e => e["outcome"]!.GetValue<string>() == "restricted" && e["actorId"]!.GetValue<string>() == "dr.outsider");
        using var team = _host.Client(_host.Token(_tenant.Slug, "dr.team", "physician"));
        Assert.Empty((await team.GraphQLAsync("query($p: ID!) { notes(patientId: $p) { nodes { id } } }", new { p = patient })).DataOrThrow["notes"]!["nodes"]!.AsArray());

        (await outsider.GraphQLAsync(AccessGraph.BreakGlass, new { id = patient, reason = "Covering the emergency clinic today" })).DataOrThrow.ToString();
        var started = await outsider.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = _key } });
        Assert.StartsWith("Patient: Hal,", started["narrative"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefuseAnUnknownTemplateOrAMissingPatientWithPathsAndStoreNothing()
    {
        var patient = await PatientAsync("Ivy");

        var unknown = await _doctor.GraphQLAsync(StartNote, new { input = new { patientId = patient, templateKey = "no-such-template" } });
        var badTitle = await _doctor.GraphQLAsync(StartNote, new { input = new { patientId = patient, templateKey = _key, title = " " } });
        var noPatient = await _doctor.GraphQLAsync(StartNote, new { input = new { patientId = Guid.NewGuid(), templateKey = _key } });
        using var frontDesk = _host.Client(_host.Token(_tenant.Slug, "desk.tnotes", "front-desk"));
        var forbidden = await frontDesk.GraphQLAsync(StartNote, new { input = new { patientId = patient, templateKey = _key } });

        Assert.Equal(("VALIDATION_FAILED", "input.templateKey"), (unknown.Code, Assert.Single(unknown.FieldPaths)));
        Assert.Equal(("VALIDATION_FAILED", "input.title"), (badTitle.Code, Assert.Single(badTitle.FieldPaths)));
        Assert.Equal("NOT_FOUND", noPatient.Code);
        Assert.Equal("FORBIDDEN", forbidden.Code);
        Assert.Empty((await _doctor.GraphQLAsync("query($p: ID!) { notes(patientId: $p) { nodes { id } } }", new { p = patient })).DataOrThrow["notes"]!["nodes"]!.AsArray());
    }

    private async Task<(string Id, int Version, string Answers)> StartAsync(string patient)
    {
        var note = await _doctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = _key } });
        return (note.Id(), note["version"]!.GetValue<int>(), note["answers"]!.GetValue<string>());
    }

    private async Task<(string Id, int Version, string Answers)> SignedAsync(string patient, string complaint)
    {
        var (id, version, answers) = await StartAsync(patient);
        var edited = await EditAsync(id, version, With(answers, ("cc", Text(complaint))), null);
        var signed = await _doctor.DataAsync(SignNote, "signNote", new { id, v = edited["version"]!.GetValue<int>() });
        return (id, signed["version"]!.GetValue<int>(), signed["answers"]!.GetValue<string>());
    }

    private Task<JsonNode> EditAsync(string id, int version, string answers, string? freeText) =>
        _doctor.DataAsync(EditNote, "editNote", new { id, v = version, answers, freeText });

    private async Task<string> PatientAsync(string given, string birthDate = "1980-05-17") =>
        (await _doctor.RegisterAsync(PatientGraph.Input(given, "Templated" + Guid.NewGuid().ToString("N")[..6], birthDate)))["id"]!.GetValue<string>();

    private async Task<IReadOnlyList<JsonNode>> AuditAsync(string patient, string action) =>
        (await _admin.GraphQLAsync("query($id: String, $action: String) { auditLog(resourceId: $id, action: $action) { edges { node { action actorId outcome details } } } }",
            new { id = patient, action })).DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();

    private static async Task ExecAsync(NpgsqlConnection sql, string statement)
    {
        await using var cmd = new NpgsqlCommand(statement, sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
