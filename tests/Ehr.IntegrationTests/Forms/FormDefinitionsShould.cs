using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Npgsql;
using static Ehr.IntegrationTests.Forms.FormGraph;

namespace Ehr.IntegrationTests.Forms;

/// <summary>
/// Form definitions as versioned configuration (ARCHITECTURE.md): drafts edited, published versions checked first and
/// frozen after, retired versions out of resolution, a location's override before the tenant's standard; imports
/// report what they cannot do, exports give back what was imported, and two versions compare item by item.
/// </summary>
public sealed class FormDefinitionsShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _nurse = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("form-defs");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.forms", "tenant-admin"));
        _nurse = _host.Client(_host.Token(_tenant.Slug, "nurse.forms", "nurse"));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        _nurse.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PublishADraftOnlyWhenItIsCompleteThenKeepItFrozenAndRetireIt()
    {
        var key = Key("mood");
        var blank = await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { key, title = "Mood check" } });
        var draft = blank["definition"]!;
        Assert.Equal(("draft", 1), (draft["status"]!.GetValue<string>(), draft["version"]!.GetValue<int>()));
        Assert.Contains(blank["problems"]!.AsArray(), p => p!["code"]!.GetValue<string>() == "REQUIRED");

        var empty = await _admin.GraphQLAsync(Publish, new { id = draft.Id(), v = 1 });
        Assert.Equal(("VALIDATION_FAILED", "content.item"), (empty.Code, Assert.Single(empty.FieldPaths)));

        var edited = (await _admin.DataAsync(EditDraft, "editFormDraft", new { id = draft.Id(), v = 1, content = MoodForm(key) }))["definition"]!;
        var stale = await _admin.GraphQLAsync(EditDraft, new { id = draft.Id(), v = 1, title = "Too late" });
        Assert.Equal("VERSION_CONFLICT", stale.Code);
        var published = await _admin.DataAsync(Publish, "publishFormDefinition", new { id = draft.Id(), v = edited["rowVersion"]!.GetValue<int>(), note = "First release" });
        Assert.Equal(("published", "First release", "admin.forms"),
            (published["status"]!.GetValue<string>(), published["note"]!.GetValue<string>(), published["publishedBy"]!.GetValue<string>()));

        var change = await _admin.GraphQLAsync(EditDraft, new { id = draft.Id(), v = published["rowVersion"]!.GetValue<int>(), title = "Changed" });
        Assert.Equal("CONFLICT", change.Code);
        await using (var sql = await _host.OpenSqlAsync())
        {
            await sql.ExecAsync($"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}");
            var tamper = await Assert.ThrowsAsync<PostgresException>(() => sql.ExecAsync($"UPDATE artifacts SET content = '{{}}' WHERE id = '{draft.Id()}'"));
            Assert.Equal(PostgresErrorCodes.IntegrityConstraintViolation, tamper.SqlState);
        }

        Assert.Equal(draft.Id(), (await _nurse.DataAsync(Resolve, "resolveFormDefinition", new { key })).Id());
        var retired = await _admin.DataAsync(Retire, "retireFormDefinition", new { id = draft.Id(), v = published["rowVersion"]!.GetValue<int>() });
        Assert.Equal("retired", retired["status"]!.GetValue<string>());
        Assert.Null((await _nurse.GraphQLAsync(Resolve, new { key })).DataOrThrow["resolveFormDefinition"]);
        Assert.Equal(MoodForm(key), (await _nurse.DataAsync(Get, "formDefinition", new { id = draft.Id() }))["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task ResolveALocationsOverrideBeforeTheTenantStandard()
    {
        var key = Key("intake");
        var locations = await _admin.LocationIdsAsync();
        var (main, branch) = (locations[0], locations[1]);
        var standard = await _admin.PublishedAsync(MoodForm(key, "Standard"));
        var copy = (await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { from = standard.Id(), locationId = branch } }))["definition"]!;
        Assert.Equal((key, 1, branch), (copy["key"]!.GetValue<string>(), copy["version"]!.GetValue<int>(), copy["locationId"]!.GetValue<string>()));
        var edited = (await _admin.DataAsync(EditDraft, "editFormDraft", new { id = copy.Id(), v = copy["rowVersion"]!.GetValue<int>(), title = "Branch", content = MoodForm(key, "Branch") }))["definition"]!;

        Assert.Equal(standard.Id(), (await _nurse.DataAsync(Resolve, "resolveFormDefinition", new { key, locationId = branch })).Id());
        var local = await _admin.DataAsync(Publish, "publishFormDefinition", new { id = copy.Id(), v = edited["rowVersion"]!.GetValue<int>() });

        Assert.Equal(local.Id(), (await _nurse.DataAsync(Resolve, "resolveFormDefinition", new { key, locationId = branch })).Id());
        Assert.Equal(standard.Id(), (await _nurse.DataAsync(Resolve, "resolveFormDefinition", new { key, locationId = main })).Id());
        Assert.Equal(standard.Id(), (await _nurse.DataAsync(Resolve, "resolveFormDefinition", new { key })).Id());
        Assert.Equal([local.Id()], (await _nurse.DataAsync(List, "formDefinitions", new { key, locationId = branch })).AsArray().Select(d => d!.Id()));
        Assert.Equal([standard.Id()], (await _nurse.DataAsync(List, "formDefinitions", new { key, standard = true })).AsArray().Select(d => d!.Id()));
    }

    [Fact]
    public async Task ReportWhatAnUploadedQuestionnaireUsesThatIsNotSupportedAndRefuseToPublishIt()
    {
        var key = Key("upload");
        var upload = $$$"""
            {"resourceType":"Questionnaire","id":"{{{key}}}","status":"active","title":"Imported elsewhere",
             "item":[
              {"linkId":"a","text":"Answer","type":"string",
               "extension":[{"url":"https://vendor.example.org/fhir/StructureDefinition/secret-sauce","valueBoolean":true}]},
              {"linkId":"b","text":"Follow-up","type":"string","enableWhen":[{"question":"nowhere","operator":"exists","answerBoolean":true}]}
             ]}
            """;

        var report = await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { content = upload } });

        var draft = report["definition"]!;
        Assert.Equal((key, "Imported elsewhere", "draft"), (draft["key"]!.GetValue<string>(), draft["title"]!.GetValue<string>(), draft["status"]!.GetValue<string>()));
        Assert.Equal(["https://vendor.example.org/fhir/StructureDefinition/secret-sauce"], report["unsupportedFeatures"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal([("a", "UNSUPPORTED"), ("b", "ENABLE_WHEN_UNKNOWN_QUESTION")],
            report["problems"]!.AsArray().Select(p => (p!["linkId"]!.GetValue<string>(), p["code"]!.GetValue<string>())).Order());

        var refused = await _admin.GraphQLAsync(Publish, new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>() });
        Assert.Equal("VALIDATION_FAILED", refused.Code);
        Assert.Equal([("content.item[0]", "UNSUPPORTED", "a"), ("content.item[1].enableWhen[0].question", "ENABLE_WHEN_UNKNOWN_QUESTION", "b")],
            refused.Fields().Select(f => (f["path"]!.GetValue<string>(), f["code"]!.GetValue<string>(), f["linkId"]!.GetValue<string>())).Order());
        Assert.Equal("draft", (await _admin.DataAsync(Get, "formDefinition", new { id = draft.Id() }))["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{ not json", "input.content")]
    [InlineData("""{"resourceType":"Patient","id":"p"}""", "input.content.resourceType")]
    [InlineData("""{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"a","type":"no-such-type"}]}""", "input.content.item[0].type")]
    public async Task RefuseAnUnreadableUploadWithItsPathAndStoreNothing(string content, string path)
    {
        var before = await CountAsync();

        var result = await _admin.GraphQLAsync(CreateDraft, new { input = new { key = Key("bad"), title = "Bad", content } });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Contains(path, result.FieldPaths);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task ExportExactlyWhatWasImportedSoAnExportImportsAsTheSameForm()
    {
        var key = Key("roundtrip");
        // Odd spacing and member order on purpose: the export is the stored text, not a re-serialization.
        var upload = MoodForm(key).Replace("\"status\":\"active\"", "\"status\" :  \"active\"", StringComparison.Ordinal);
        var first = await _admin.PublishedAsync(upload);

        var exported = (await _admin.DataAsync(Export, "exportFormDefinition", new { id = first.Id() })).GetValue<string>();
        Assert.Equal(upload, exported);

        var again = (await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { key = key + "-copy", content = exported } }))["definition"]!;
        Assert.Equal(exported, (await _admin.DataAsync(Export, "exportFormDefinition", new { id = again.Id() })).GetValue<string>());
        Assert.Empty((await _admin.DataAsync(Diff, "formDefinitionDiff", new { from = first.Id(), to = again.Id() }))["changes"]!.AsArray());
    }

    [Fact]
    public async Task DescribeWhatChangedBetweenTwoVersionsItemByItem()
    {
        var key = Key("diff");
        var v1 = await _admin.PublishedAsync(MoodForm(key, extraItems: """,{"linkId":"sleep","text":"Hours of sleep","type":"integer"}"""));
        var v2Content = MoodForm(key, "Mood check (revised)", """,{"linkId":"energy","text":"Energy level","type":"integer"}""")
            .Replace("\"text\":\"How is your mood?\",\"type\":\"choice\",\"required\":true", "\"text\":\"How has your mood been?\",\"type\":\"choice\",\"required\":false", StringComparison.Ordinal);
        var v2 = (await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { from = v1.Id(), content = v2Content } }))["definition"]!;
        Assert.Equal(2, v2["version"]!.GetValue<int>());

        var changes = (await _nurse.DataAsync(Diff, "formDefinitionDiff", new { from = v1.Id(), to = v2.Id() }))["changes"]!.AsArray()
            .Select(c => (c!["change"]!.GetValue<string>(), c["linkId"]?.GetValue<string>(), c["property"]?.GetValue<string>(), c["before"]?.GetValue<string>(), c["after"]?.GetValue<string>()))
            .ToList();

        Assert.Equal(
        [
            ("changed", null, "title", "Mood check", "Mood check (revised)"),
            ("changed", "mood", "text", "How is your mood?", "How has your mood been?"),
            ("changed", "mood", "required", "true", "false"),
            ("added", "energy", null, null, "integer \"Energy level\""),
            ("removed", "sleep", null, "integer \"Hours of sleep\"", null),
        ], changes);
        var description = (await _nurse.DataAsync(Diff, "formDefinitionDiff", new { from = v1.Id(), to = v2.Id() }))["changes"]![1]!["description"]!.GetValue<string>();
        Assert.Equal("Item 'mood': text changed from How is your mood? to How has your mood been?.", description);
    }

    [Fact]
    public async Task ResolveAnswerValueSetsHeldInTheTenant()
    {
        var url = "https://forms.example.org/ValueSet/" + Key("colours");
        var valueSet = $$$"""
            {"resourceType":"ValueSet","id":"colours","url":"{{{url}}}","status":"active","title":"Colours",
             "compose":{"include":[{"system":"https://forms.example.org/cs/colour","concept":[{"code":"red","display":"Red"},{"code":"blue","display":"Blue"}]}]}}
            """;
        var key = Key("colour-form");
        var form = $$$"""
            {"resourceType":"Questionnaire","status":"active","title":"Colour",
             "item":[{"linkId":"colour","text":"Favourite colour","type":"choice","answerValueSet":"{{{url}}}"}]}
            """;
        var draft = (await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { key, content = form } }))["definition"]!;
        var unknown = await _admin.GraphQLAsync(Publish, new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>() });
        var field = Assert.Single(unknown.Fields());
        Assert.Equal(("content.item[0]", "ANSWER_VALUE_SET_UNKNOWN", "colour"),
            (field["path"]!.GetValue<string>(), field["code"]!.GetValue<string>(), field["linkId"]!.GetValue<string>()));

        var held = await _admin.DataAsync(ImportValueSet, "importAnswerValueSet", new { key = Key("colours"), content = valueSet });
        Assert.Equal((url, "published"), (held["url"]!.GetValue<string>(), held["status"]!.GetValue<string>()));
        Assert.Equal(["red", "blue"], held["concepts"]!.AsArray().Select(c => c!["code"]!.GetValue<string>()));

        var published = await _admin.DataAsync(Publish, "publishFormDefinition", new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>() });
        Assert.Equal("published", published["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListTheLibraryAndImportFromItAsTheNextVersionOfItsKey()
    {
        var library = (await _admin.DataAsync(Library, "formLibrary")).AsArray();
        Assert.Contains(library, f => f!["key"]!.GetValue<string>() == "phq-9" && f["importable"]!.GetValue<bool>());
        Assert.All(library, f => Assert.Empty(f!["problems"]!.AsArray()));
        var before = (await _admin.DataAsync(List, "formDefinitions", new { key = "fall-risk-morse" })).AsArray().Count;

        var imported = await _admin.DataAsync(ImportLibrary, "importLibraryForm", new { file = "fall-risk-morse.json", publish = true, note = "From the library" });

        var definition = imported["definition"]!;
        Assert.Equal(("fall-risk-morse", "published", "library:fall-risk-morse.json", before + 1),
            (definition["key"]!.GetValue<string>(), definition["status"]!.GetValue<string>(), definition["source"]!.GetValue<string>(), definition["version"]!.GetValue<int>()));
        Assert.Empty(imported["problems"]!.AsArray());
        var file = await File.ReadAllTextAsync(Path.Combine(TestDatabase.RepoRoot, "form-definitions", "fall-risk-morse.json"));
        Assert.Equal(file, (await _admin.DataAsync(Export, "exportFormDefinition", new { id = definition.Id() })).GetValue<string>());
        var unknown = await _admin.GraphQLAsync(ImportLibrary, new { file = "no-such-form.json" });
        Assert.Equal(("VALIDATION_FAILED", "file"), (unknown.Code, Assert.Single(unknown.FieldPaths)));
    }

    [Fact]
    public async Task LeaveChangesToFormManagersAndAuditThem()
    {
        var key = Key("perm");
        Assert.Equal("FORBIDDEN", (await _nurse.GraphQLAsync(CreateDraft, new { input = new { key, title = "Nurse's form" } })).Code);
        Assert.Equal("FORBIDDEN", (await _nurse.GraphQLAsync(Library)).Code);
        var published = await _admin.PublishedAsync(MoodForm(key));
        Assert.Equal([published.Id()], (await _nurse.DataAsync(List, "formDefinitions", new { search = key })).AsArray().Select(d => d!.Id()));
        using var patient = _host.Client(_host.PatientToken(_tenant.Slug, "patient.forms", Guid.NewGuid()));
        Assert.Equal("FORBIDDEN", (await patient.GraphQLAsync(List, new { key })).Code);

        var actions = (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action actorId } } } }", new { id = published.Id() }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["artifact.publish", "artifact.draft"], actions);
    }

    [Fact]
    public async Task ListByStatusAndDiscardDrafts()
    {
        var key = Key("list");
        var published = await _admin.PublishedAsync(MoodForm(key));
        var draft = (await _admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { from = published.Id() } }))["definition"]!;

        Assert.Equal([draft.Id()], (await _nurse.DataAsync(List, "formDefinitions", new { key, status = "draft" })).AsArray().Select(d => d!.Id()));
        Assert.Equal([draft.Id(), published.Id()], (await _nurse.DataAsync(List, "formDefinitions", new { key })).AsArray().Select(d => d!.Id()));
        Assert.Equal(("VALIDATION_FAILED", "status"), ((await _nurse.GraphQLAsync(List, new { status = "finished" })).Code, (await _nurse.GraphQLAsync(List, new { status = "finished" })).FieldPaths[0]));

        Assert.True((await _admin.DataAsync(Discard, "discardFormDraft", new { id = draft.Id(), v = draft["rowVersion"]!.GetValue<int>() })).GetValue<bool>());
        Assert.Equal("CONFLICT", (await _admin.GraphQLAsync(Discard, new { id = published.Id(), v = published["rowVersion"]!.GetValue<int>() })).Code);
        Assert.Equal([published.Id()], (await _nurse.DataAsync(List, "formDefinitions", new { key })).AsArray().Select(d => d!.Id()));
    }

    private async Task<long> CountAsync()
    {
        await using var sql = await _host.OpenSqlAsync();
        await sql.ExecAsync($"SET ROLE {_tenant.SchemaName}");
        return await sql.CountAsync($"SELECT count(*) FROM {_tenant.SchemaName}.artifacts");
    }
}
