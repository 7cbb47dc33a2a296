using System.Text.Json.Nodes;
using Ehr.Forms.Templates;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Identity;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using static Ehr.IntegrationTests.Templates.TemplateGraph;

namespace Ehr.IntegrationTests.Templates;

/// <summary>
/// Documentation templates as configuration artifacts through GraphQL: drafts checked leniently, publication
/// completely (paths inside the content), location overrides resolved before the tenant's standard, retirement, the
/// builder's preview, and who may do what.
/// </summary>
public sealed class NoteTemplatesShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _nurse = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("ntemplates");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.ntemplates", "tenant-admin"));
        _nurse = _host.Client(_host.Token(_tenant.Slug, "nurse.ntemplates", "nurse"));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        _nurse.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task CheckDraftsLenientlyAndPublicationCompletelyWithPathsInTheContent()
    {
        var key = Key();
        var incomplete = JsonNode.Parse(Content())!.AsObject();
        incomplete.Remove("narrative");
        var draft = await _admin.DataAsync(CreateDraft, "createNoteTemplateDraft", new { input = new { key, title = "Visit", content = incomplete.ToJsonString() } });
        Assert.Equal(("draft", 1, (string?)null), (draft["status"]!.GetValue<string>(), draft["version"]!.GetValue<int>(), draft["narrative"]?.GetValue<string>()));

        var missing = await _admin.GraphQLAsync(Publish, new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>() });
        Assert.Equal(("VALIDATION_FAILED", "content.narrative"), (missing.Code, Assert.Single(missing.FieldPaths)));

        var typo = await _admin.DataAsync(Edit, "editNoteTemplate", new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>(), content = Content("S: {{ answers.chief-complaint.value }}") });
        var unknown = await _admin.GraphQLAsync(Publish, new { id = typo.Id(), v = typo["rowVersion"]!.GetValue<int>() });
        Assert.Equal(("VALIDATION_FAILED", "content.narrative"), (unknown.Code, Assert.Single(unknown.FieldPaths)));
        Assert.Contains("'chief-complaint'", unknown.Errors![0]!["extensions"]!["fields"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var badType = await _admin.GraphQLAsync(Edit, new { id = typo.Id(), v = typo["rowVersion"]!.GetValue<int>(), content = Content(noteType: "letter") });
        Assert.Equal(("VALIDATION_FAILED", "content.noteType"), (badType.Code, Assert.Single(badType.FieldPaths)));

        var fixedDraft = await _admin.DataAsync(Edit, "editNoteTemplate", new { id = typo.Id(), v = typo["rowVersion"]!.GetValue<int>(), content = Content() });
        var published = await _admin.DataAsync(Publish, "publishNoteTemplate", new { id = fixedDraft.Id(), v = fixedDraft["rowVersion"]!.GetValue<int>(), note = "First version" });
        Assert.Equal(("published", "soap", "11506-3", "First version"),
            (published["status"]!.GetValue<string>(), published["noteType"]!.GetValue<string>(), published["code"]!.GetValue<string>(), published["versionNote"]!.GetValue<string>()));
        Assert.Equal("CONFLICT", (await _admin.GraphQLAsync(Edit, new { id = published.Id(), v = published["rowVersion"]!.GetValue<int>(), title = "Changed" })).Code);
    }

    [Fact]
    public async Task ResolveALocationsOverrideBeforeTheStandardAndStartNotesThere()
    {
        var key = Key();
        var locations = await _admin.LocationIdsAsync();
        var (main, branch) = (locations[0], locations[1]);
        var standard = await _admin.PublishedAsync(key, Content("Standard: {{ answers.cc.value }}"));
        var local = await _admin.PublishedAsync(key, Content("Branch: {{ answers.cc.value }}"), branch, "Branch visit");

        Assert.Equal(standard.Id(), (await _nurse.DataAsync(Resolve, "resolveNoteTemplate", new { key, location = main })).Id());
        Assert.Equal(local.Id(), (await _nurse.DataAsync(Resolve, "resolveNoteTemplate", new { key, location = branch })).Id());
        Assert.Contains(local.Id(), (await _nurse.DataAsync(InForce, "noteTemplates", new { location = branch })).AsArray().Select(t => t!.Id()));
        Assert.Contains(standard.Id(), (await _nurse.DataAsync(InForce, "noteTemplates", new { location = main })).AsArray().Select(t => t!.Id()));

        using var doctor = _host.Client(_host.Token(_tenant.Slug, "dr.ntemplates", "physician"));
        var patient = (await doctor.RegisterAsync(PatientGraph.Input("Jo", "Override", homeLocationId: main)))["id"]!.GetValue<string>();
        var atBranch = await doctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = key, locationId = branch } });
        var atHome = await doctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = key } });
        using var branchDoctor = _host.Client(_host.LocationToken(_tenant.Slug, "dr.branch", [Guid.Parse(branch)], "physician"));
        var byMembership = await branchDoctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = key } });

        Assert.Equal((local.Id(), "Branch visit"), (atBranch["templateId"]!.GetValue<string>(), atBranch["title"]!.GetValue<string>()));
        Assert.Equal(standard.Id(), atHome["templateId"]!.GetValue<string>());
        Assert.Equal(local.Id(), byMembership["templateId"]!.GetValue<string>());

        await _admin.DataAsync(Retire, "retireNoteTemplate", new { id = local.Id(), v = local["rowVersion"]!.GetValue<int>() });
        Assert.Equal(standard.Id(), (await _nurse.DataAsync(Resolve, "resolveNoteTemplate", new { key, location = branch })).Id());
        Assert.Equal([("published", (string?)null), ("retired", branch)],
            (await _nurse.DataAsync(Versions, "noteTemplateVersions", new { key })).AsArray().Select(v => (v!["status"]!.GetValue<string>(), v["locationId"]?.GetValue<string>())));
        Assert.Equal("retired", (await _nurse.DataAsync(Get, "noteTemplate", new { id = local.Id() }))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task LetOnlyTemplateManagersChangeTemplatesAndAuditEachStep()
    {
        var key = Key();
        var refused = await _nurse.GraphQLAsync(CreateDraft, new { input = new { key, title = "Visit", content = Content() } });
        Assert.Equal("FORBIDDEN", refused.Code);

        var draft = await _admin.DataAsync(CreateDraft, "createNoteTemplateDraft", new { input = new { key, title = "Visit", content = Content() } });
        Assert.Equal("FORBIDDEN", (await _nurse.GraphQLAsync(Publish, new { id = draft.Id(), v = 1 })).Code);
        Assert.Equal("VERSION_CONFLICT", (await _admin.GraphQLAsync(Publish, new { id = draft.Id(), v = 7 })).Code);
        Assert.True((await _admin.DataAsync(Discard, "discardNoteTemplateDraft", new { id = draft.Id(), v = 1 })).GetValue<bool>());
        Assert.Null((await _nurse.GraphQLAsync(Get, new { id = draft.Id() })).DataOrThrow["noteTemplate"]);

        var actions = (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action } } } }", new { id = draft.Id() }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["artifact.discard", "artifact.draft"], actions);
    }

    [Fact]
    public async Task PreviewADraftWithPrefillForASamplePatientOrWithSampleAnswers()
    {
        var prefilled = await _admin.DataAsync(Preview, "previewNoteTemplate", new { content = Content() });
        Assert.StartsWith("Patient: Alex, born 1980-04-15\nS: \nScore: ", prefilled["narrative"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(prefilled["answerProblems"]!.AsArray());

        var answered = await _admin.DataAsync(Preview, "previewNoteTemplate", new
        {
            content = Content(),
            answers = Answers(("cc", Text("Sore throat")), ("q1", Choice("3", "Nearly every day")), ("q2", Choice("9", "Unknown"))),
        });
        Assert.StartsWith("Patient: , born \nS: Sore throat\nScore: 3", answered["narrative"]!.GetValue<string>(), StringComparison.Ordinal);
        var problem = Assert.Single(answered["answerProblems"]!.AsArray());
        Assert.Equal(("answers.q2", "ANSWER_NOT_IN_OPTIONS"), (problem!["path"]!.GetValue<string>(), problem["code"]!.GetValue<string>()));

        var broken = await _admin.GraphQLAsync(Preview, new { content = Content("{% if answers.cc %}unclosed") });
        Assert.Equal(("VALIDATION_FAILED", "content.narrative"), (broken.Code, Assert.Single(broken.FieldPaths)));
        Assert.Equal("FORBIDDEN", (await _nurse.GraphQLAsync(Preview, new { content = Content() })).Code);
    }

    [Fact]
    public async Task ResolveAnswerValueSetsHeldInTheTenantAsFormsDo()
    {
        // Before templates went through the tenant's form engine, publishing this was refused whether or not the
        // tenant held the value set (ANSWER_VALUE_SET_UNKNOWN), and a note's answers could not be checked against it.
        var url = "https://example.org/ValueSet/" + Key();
        var key = Key();
        var questionnaire = new JsonObject
        {
            ["resourceType"] = "Questionnaire",
            ["status"] = "active",
            ["item"] = new JsonArray(
                new JsonObject { ["linkId"] = "cc", ["text"] = "Chief complaint", ["type"] = "string" },
                new JsonObject { ["linkId"] = "side", ["text"] = "Side", ["type"] = "choice", ["answerValueSet"] = url }),
        };
        var content = JsonNode.Parse(Content("Side: {{ answers.side.display }}"))!.AsObject();
        content["questionnaire"] = questionnaire;
        var draft = await _admin.DataAsync(CreateDraft, "createNoteTemplateDraft", new { input = new { key, title = "Side", content = content.ToJsonString() } });

        var unknown = await _admin.GraphQLAsync(Publish, new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>() });
        Assert.Equal(("VALIDATION_FAILED", "content.questionnaire.item[1]"), (unknown.Code, Assert.Single(unknown.FieldPaths)));
        Assert.Equal("ANSWER_VALUE_SET_UNKNOWN", unknown.Errors![0]!["extensions"]!["fields"]![0]!["code"]!.GetValue<string>());

        await _admin.DataAsync(Ehr.IntegrationTests.Forms.FormGraph.ImportValueSet, "importAnswerValueSet", new
        {
            key = Key(),
            content = new JsonObject
            {
                ["resourceType"] = "ValueSet", ["url"] = url, ["status"] = "active",
                ["compose"] = new JsonObject { ["include"] = new JsonArray(new JsonObject
                {
                    ["system"] = "urn:side",
                    ["concept"] = new JsonArray(new JsonObject { ["code"] = "L", ["display"] = "Left" }, new JsonObject { ["code"] = "R", ["display"] = "Right" }),
                }) },
            }.ToJsonString(),
        });
        var published = await _admin.DataAsync(Publish, "publishNoteTemplate", new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>() });
        Assert.Equal("published", published["status"]!.GetValue<string>());

        // The chart's note panel offers the set's concepts as the question's options (location.read, as reading the template).
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(_tenant);
            scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(new Actor("nurse.sides", _tenant.Slug, ["nurse"], "127.0.0.1", PurposeOfUse.Treatment));
            var sets = await scope.ServiceProvider.GetRequiredService<ReadNoteTemplates>().ValueSetsAsync(Guid.Parse(published.Id()), default);
            Assert.Equal(["L", "R"], sets!.Find(url)!.Concepts.Select(c => c.Code));
        }

        string Side(string code, string? display = null)
        {
            var coding = new JsonObject { ["system"] = "urn:side", ["code"] = code };
            if (display is not null) coding["display"] = display;
            return new JsonObject { ["valueCoding"] = coding }.ToJsonString();
        }
        var preview = await _admin.DataAsync(Preview, "previewNoteTemplate", new { content = content.ToJsonString(), answers = Answers(("side", Side("X"))) });
        var problem = Assert.Single(preview["answerProblems"]!.AsArray());
        Assert.Equal(("answers.side", "ANSWER_NOT_IN_OPTIONS"), (problem!["path"]!.GetValue<string>(), problem["code"]!.GetValue<string>()));

        using var doctor = _host.Client(_host.Token(_tenant.Slug, "dr.sides", "physician"));
        var patient = (await doctor.RegisterAsync(PatientGraph.Input("Jo", "Sides")))["id"]!.GetValue<string>();
        var note = await doctor.DataAsync(StartNote, "startNoteFromTemplate", new { input = new { patientId = patient, templateKey = key } });
        var outside = await doctor.GraphQLAsync(EditNote, new { id = note.Id(), v = note["version"]!.GetValue<int>(), answers = Answers(("side", Side("X"))) });
        Assert.Equal(("VALIDATION_FAILED", "answers.side"), (outside.Code, Assert.Single(outside.FieldPaths)));
        // The narrative says what the value set says the code means, not the display the client sent with it.
        var inside = await doctor.DataAsync(EditNote, "editNote", new { id = note.Id(), v = note["version"]!.GetValue<int>(), answers = Answers(("side", Side("L", "Right"))) });
        Assert.Equal("Side: Left", inside["narrative"]!.GetValue<string>().Trim());
    }

    private static string Key() => "visit-" + Guid.NewGuid().ToString("N")[..8];
}
