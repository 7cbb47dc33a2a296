using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;
using static Ehr.BrowserTests.FormPages;

namespace Ehr.BrowserTests;

/// <summary>One host and browser for the workflow designer's browser tests; each test makes its own tenant.</summary>
public sealed class WorkflowDesignerFixture : IAsyncLifetime
{
    public BrowserHost Console { get; private set; } = null!;

    public async Task InitializeAsync() => Console = await BrowserHost.StartAsync();

    public async Task DisposeAsync() => await Console.DisposeAsync();
}

/// <summary>
/// The workflow designer as a tenant admin: the starter pack's co-signature workflow opened, a draft of version 2 made
/// from it, its due time edited (a schema error shown as it is typed, with its node and line, and gone once fixed),
/// its diagram drawn and a node read by clicking it, a test run that takes the approve path, then published with a
/// note and in force as version 2; and a graph with an unreachable node refused at publishing with that node named.
/// The less happy paths: two people saving the same draft (the second refused, shown the conflict, reloading the latest
/// with their own text kept in sight and put back); a published version retired and out of force; a draft discarded;
/// a location's own version published and in force there only. And an instance moved to a newer version from its
/// view (refused with every reason and node first, then moved, pinned and on the timeline). Screenshots are kept as
/// artifacts.
/// </summary>
public sealed class WorkflowDesignerShould(WorkflowDesignerFixture fixture) : IClassFixture<WorkflowDesignerFixture>
{
    private static readonly string[] Approve = ["approve"];

    [Fact]
    public async Task EditTheCoSignatureWorkflowTestRunItsApprovePathAndPublishVersionTwo()
    {
        var (host, tenant) = (fixture.Console.Host, await fixture.Console.Host.CreateTenantAsync("wf-designer"));
        await using var context = await fixture.Console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await SignInAsAdminAsync(context, host, tenant);

        // Once the circuit is live, so the click is not lost to a page that is still starting.
        await LiveAsync(page);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Workflows" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/workflows$"));
        await Assertions.Expect(page.GetByTestId("standard-note-cosignature")).ToHaveTextAsync("published v1");
        await ShotAsync(page, "workflows-01-list");
        await LiveAsync(page);
        await page.GetByTestId("workflow-note-cosignature").ClickAsync();
        await Assertions.Expect(page.GetByTestId("status-standard-1")).ToHaveTextAsync("published (in force)");
        await LiveAsync(page);
        await page.GetByTestId("new-draft-standard-1").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/workflows/edit/"));
        await Assertions.Expect(page.GetByTestId("workflow-scope")).ToContainTextAsync("version 2 · the organisation's standard · draft");
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("check-status")).ToHaveTextAsync("No problems: it can be published.");
        await Assertions.Expect(page.GetByTestId("diagram-node-cosign")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("diagram-edge-cosign-approve-sign")).ToContainTextAsync("approve");

        // An invalid due time: the schema's error appears as it is typed, on the task's node and the line of "due".
        var json = page.GetByTestId("workflow-json");
        var original = await json.InputValueAsync();
        Assert.Contains("\"due\": \"PT72H\"", original, StringComparison.Ordinal);
        var dueLine = original[..original.IndexOf("\"due\": \"PT72H\"", StringComparison.Ordinal)].Count(c => c == '\n') + 1;
        await json.FillAsync(original.Replace("\"due\": \"PT72H\"", "\"due\": \"in three days\"", StringComparison.Ordinal));
        var problems = page.GetByTestId("workflow-problems");
        await Assertions.Expect(problems).ToContainTextAsync($"Line {dueLine}:");
        await Assertions.Expect(problems.Locator("li[data-node='cosign']")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("diagram-node-cosign")).ToHaveAttributeAsync("data-problem", "true");
        await ShotAsync(page, "workflows-02-schema-error-as-typed");

        // Fixed: the problem goes, the draft is saved, and the node's JSON shows the new due time.
        var edited = original.Replace("\"due\": \"PT72H\"", "\"due\": \"PT48H\"", StringComparison.Ordinal);
        await json.FillAsync(edited);
        await Assertions.Expect(page.GetByTestId("workflow-problems")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("check-status")).ToHaveTextAsync("No problems: it can be published.");
        await Assertions.Expect(page.GetByTestId("diagram-node-cosign")).Not.ToHaveAttributeAsync("data-problem", "true");
        await SavedAsync(page);
        await page.GetByTestId("diagram-node-cosign").ClickAsync();
        await Assertions.Expect(page.GetByTestId("selected-node-json")).ToContainTextAsync("\"due\": \"PT48H\"");
        await Assertions.Expect(page.GetByTestId("selected-node")).ToContainTextAsync("Node cosign");
        await ShotAsync(page, "workflows-03-diagram-node");

        // A test run: a nurse practitioner's note; the task waits for a physician at Main Street, due in 48 hours; approved, the path ends co-signed.
        var run = page.GetByTestId("test-run-panel");
        await run.GetByTestId("test-run-sample").FillAsync("{ \"patientId\": \"p-1\", \"noteType\": \"progress\", \"authorId\": \"np-1\", \"signedBy\": \"np-1\", \"actorRoles\": [\"nurse-practitioner\"] }");
        await run.GetByTestId("test-run-location").SelectOptionAsync(new SelectOptionValue { Label = "Main Street Family Medicine (MAIN)" });
        await run.GetByTestId("test-run-start").ClickAsync();
        await Assertions.Expect(run.GetByTestId("test-run-status")).ToHaveTextAsync("Waiting.");
        await Assertions.Expect(run.GetByTestId("test-run-waiting")).ToContainTextAsync("Co-sign note");
        await Assertions.Expect(run.GetByTestId("test-run-waiting")).ToContainTextAsync("role physician at location Main Street Family Medicine");
        await Assertions.Expect(run.GetByTestId("test-run-steps")).ToContainTextAsync("note.requestCosign answered done (simulated)");
        await Assertions.Expect(page.GetByTestId("diagram-node-mark-pending")).ToHaveClassAsync(new Regex("ehr-wf-node-path"));
        await run.GetByTestId("test-run-cosign-approve").ClickAsync();
        await Assertions.Expect(run.GetByTestId("test-run-status")).ToHaveTextAsync("Completed: cosigned.");
        await Assertions.Expect(run.GetByTestId("test-run-path")).ToHaveTextAsync("Path: start → mark-pending → cosign → sign → cosigned");
        await Assertions.Expect(page.GetByTestId("diagram-node-cosigned")).ToHaveClassAsync(new Regex("ehr-wf-node-path"));
        await Assertions.Expect(page.GetByTestId("diagram-node-tell-author-returned")).Not.ToHaveClassAsync(new Regex("ehr-wf-node-path"));
        await ShotAsync(page, "workflows-04-test-run-approved");

        // The co-signature action's answer: by default a sample of the output note.sign declares; a given one is checked
        // against that declaration (refused with its field), then answered as given.
        await Assertions.Expect(run.GetByTestId("test-run-steps")).ToContainTextAsync("note.sign answered signed with {\"cosignedBy\":\"test-cosignedBy\"} (simulated)");
        var output = run.GetByTestId("test-run-output-sign");
        await Assertions.Expect(output).ToHaveAttributeAsync("placeholder", "{\"cosignedBy\":\"test-cosignedBy\"}");
        await output.FillAsync("{\"cosignedBy\": 7}");
        await run.GetByTestId("test-run-start").ClickAsync();
        await Assertions.Expect(run.GetByTestId("test-run-problems")).ToContainTextAsync("sign: input.actionOutcomes[0].output.cosignedBy");
        await Assertions.Expect(run.GetByTestId("test-run-problems")).ToContainTextAsync("(INVALID_FORMAT)");
        await output.FillAsync("{\"cosignedBy\": \"dr-lee\"}");
        await run.GetByTestId("test-run-start").ClickAsync();
        await run.GetByTestId("test-run-cosign-approve").ClickAsync();
        await Assertions.Expect(run.GetByTestId("test-run-status")).ToHaveTextAsync("Completed: cosigned.");
        await Assertions.Expect(run.GetByTestId("test-run-steps")).ToContainTextAsync("note.sign answered signed with {\"cosignedBy\": \"dr-lee\"} (simulated)");
        await ShotAsync(page, "workflows-04b-test-run-action-output");

        await PublishAsync(page, "Co-signature due in 48 hours");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/workflows/note-cosignature\\?published="));
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("Published version 2 (standard): Co-signature due in 48 hours");
        await Assertions.Expect(page.GetByTestId("status-standard-2")).ToHaveTextAsync("published (in force)");
        await Assertions.Expect(page.GetByTestId("status-standard-1")).ToHaveTextAsync("published");
        await ShotAsync(page, "workflows-05-published");
        using var api = host.Client(host.Token(tenant.Slug, "admin.wf-designer", "tenant-admin"));
        var published = (await api.GraphQLAsync("{ workflowDefinitionsInForce { key version content } }")).DataOrThrow["workflowDefinitionsInForce"]!.AsArray()
            .Single(d => d!["key"]!.GetValue<string>() == "note-cosignature")!;
        Assert.Equal(2, published["version"]!.GetValue<int>());
        Assert.Contains("\"due\": \"PT48H\"", published["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefuseToPublishAGraphWithAnUnreachableNodeNamingTheNode()
    {
        var (host, tenant) = (fixture.Console.Host, await fixture.Console.Host.CreateTenantAsync("wf-refusal"));
        await using var context = await fixture.Console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await SignInAsAdminAsync(context, host, tenant);
        await page.GotoAsync(fixture.Console.Url("/console/workflows"));
        await LiveAsync(page);
        await page.GetByTestId("workflow-title").FillAsync("Lab result follow-up");
        await page.GetByTestId("workflow-start-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/workflows/edit/"));
        await Assertions.Expect(page.GetByTestId("workflow-scope")).ToContainTextAsync("lab-result-follow-up · version 1");
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("check-status")).ToHaveTextAsync("No problems: it can be published.");

        const string lost = """
            {
              "schemaVersion": 1,
              "title": "Lab result follow-up",
              "variables": {},
              "nodes": [
                { "id": "start", "kind": "start", "trigger": { "type": "manual", "inputs": {} } },
                { "id": "call-patient", "kind": "task", "title": "Call the patient", "assignee": { "role": "nurse" }, "outcomes": ["approve"] },
                { "id": "forgotten", "kind": "notify", "title": "Remind the nurse", "to": [{ "role": "nurse" }], "template": "lab-reminder" },
                { "id": "done", "kind": "end", "outcome": "called" }
              ],
              "edges": [
                { "from": "start", "to": "call-patient" },
                { "from": "call-patient", "outcome": "approve", "to": "done" },
                { "from": "forgotten", "to": "done" }
              ]
            }
            """;
        await page.GetByTestId("workflow-json").FillAsync(lost);
        await Assertions.Expect(page.GetByTestId("workflow-problems").Locator("li[data-code='NODE_UNREACHABLE'][data-node='forgotten']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByTestId("workflow-problems")).ToContainTextAsync("Line 8:");
        await SavedAsync(page);

        await PublishAsync(page, "Should not go out");
        var refused = page.GetByTestId("publish-problems");
        await Assertions.Expect(refused).ToContainTextAsync("forgotten");
        await Assertions.Expect(refused).ToContainTextAsync("NODE_UNREACHABLE");
        await Assertions.Expect(refused).ToContainTextAsync("line 8:");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/workflows/edit/"));
        await Assertions.Expect(page.GetByTestId("diagram-node-forgotten")).ToHaveAttributeAsync("data-problem", "true");
        await ShotAsync(page, "workflows-06-publish-refused-unreachable");
        using var api = host.Client(host.Token(tenant.Slug, "admin.wf-refusal", "tenant-admin"));
        var versions = (await api.GraphQLAsync("{ workflowDefinitions(key: \"lab-result-follow-up\") { status } }")).DataOrThrow["workflowDefinitions"]!.AsArray();
        Assert.Equal("draft", versions.Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefuseTheSecondSaveOfADraftEditedInTwoSessionsAndReloadTheLatestKeepingWhatWasTyped()
    {
        var (host, tenant) = (fixture.Console.Host, await fixture.Console.Host.CreateTenantAsync("wf-conflict"));
        using var api = host.Client(host.Token(tenant.Slug, "admin.wf-conflict", "tenant-admin"));
        var draft = await DraftFromInForceAsync(api, "note-cosignature");
        await using var firstContext = await fixture.Console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        await using var secondContext = await fixture.Console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var first = await OpenEditorAsync(await SignInAsAdminAsync(firstContext, host, tenant), draft);
        var second = await OpenEditorAsync(await SignInAsAdminAsync(secondContext, host, tenant), draft);
        var original = await second.GetByTestId("workflow-json").InputValueAsync();

        // The first person's change is saved; the second, made on the draft as they loaded it, is refused.
        await first.GetByTestId("workflow-json").FillAsync(original.Replace("\"due\": \"PT72H\"", "\"due\": \"PT48H\"", StringComparison.Ordinal));
        await SavedAsync(first);
        var typed = original.Replace("\"due\": \"PT72H\"", "\"due\": \"PT24H\"", StringComparison.Ordinal);
        await second.GetByTestId("workflow-json").FillAsync(typed);
        await Assertions.Expect(second.GetByTestId("autosave-conflict")).ToBeVisibleAsync();
        await Assertions.Expect(second.GetByTestId("autosave-status")).ToHaveTextAsync("Not saved: changed elsewhere.");
        await Assertions.Expect(second.GetByTestId("publish")).ToBeDisabledAsync();
        await Assertions.Expect(second.GetByTestId("workflow-json")).ToHaveValueAsync(typed);
        await ShotAsync(second, "workflows-07-save-conflict");
        Assert.Contains("\"due\": \"PT48H\"", await ContentAsync(api, draft), StringComparison.Ordinal);

        // Reloaded: the editor shows the first person's draft; what the second typed stays in sight beside it.
        await second.GetByTestId("reload-draft").ClickAsync();
        await Assertions.Expect(second.GetByTestId("autosave-conflict")).ToHaveCountAsync(0);
        await Assertions.Expect(second.GetByTestId("workflow-json")).ToHaveValueAsync(new Regex("\"due\": \"PT48H\""));
        await Assertions.Expect(second.GetByTestId("unsaved-text")).ToHaveValueAsync(typed);
        await ShotAsync(second, "workflows-08-reloaded-with-own-text");

        // Put back on purpose, it is saved over the latest draft (version-checked against the reloaded one).
        await second.GetByTestId("use-mine").ClickAsync();
        await Assertions.Expect(second.GetByTestId("unsaved-mine")).ToHaveCountAsync(0);
        await Assertions.Expect(second.GetByTestId("workflow-json")).ToHaveValueAsync(typed);
        await SavedAsync(second);
        Assert.Contains("\"due\": \"PT24H\"", await ContentAsync(api, draft), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetireAVersionDiscardADraftAndPublishALocationsOwnVersionInForceThereOnly()
    {
        var (host, tenant) = (fixture.Console.Host, await fixture.Console.Host.CreateTenantAsync("wf-lifecycle"));
        using var api = host.Client(host.Token(tenant.Slug, "admin.wf-lifecycle", "tenant-admin"));
        var main = (await api.GraphQLAsync("{ locations { id code } }")).DataOrThrow["locations"]!.AsArray()
            .Single(l => l!["code"]!.GetValue<string>() == "MAIN")!["id"]!.GetValue<string>();
        await PublishByApiAsync(api, await DraftFromInForceAsync(api, "note-cosignature"), "Version two");
        await using var context = await fixture.Console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await SignInAsAdminAsync(context, host, tenant);
        await page.GotoAsync(fixture.Console.Url("/console/workflows/note-cosignature"));
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("status-standard-2")).ToHaveTextAsync("published (in force)");

        // Retired: version 2 leaves what is in force; version 1 is in force again.
        await page.GetByTestId("retire-standard-2").ClickAsync();
        await Assertions.Expect(page.GetByTestId("confirm")).ToContainTextAsync("Retire version 2 (standard)?");
        await page.GetByTestId("confirm-yes").ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToHaveTextAsync("Retired version 2 (standard).");
        await Assertions.Expect(page.GetByTestId("status-standard-2")).ToHaveTextAsync("retired");
        await Assertions.Expect(page.GetByTestId("status-standard-1")).ToHaveTextAsync("published (in force)");
        await ShotAsync(page, "workflows-09-retired");
        Assert.Equal(1, (await InForceAsync(api, null))["version"]!.GetValue<int>());

        // Discarded: a new draft (version 3) from the designer, gone from the versions.
        await page.GetByTestId("new-draft-standard-1").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workflow-scope")).ToContainTextAsync("version 3 · the organisation's standard · draft");
        await LiveAsync(page);
        await page.GetByTestId("discard").ClickAsync();
        await page.GetByTestId("discard-confirm").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/workflows/note-cosignature$"));
        await Assertions.Expect(page.GetByTestId("status-standard-1")).ToHaveTextAsync("published (in force)");
        await Assertions.Expect(page.GetByTestId("status-standard-3")).ToHaveCountAsync(0);
        var versions = (await api.GraphQLAsync("{ workflowDefinitions(key: \"note-cosignature\") { version status } }")).DataOrThrow["workflowDefinitions"]!.AsArray();
        Assert.DoesNotContain(versions, v => v!["status"]!.GetValue<string>() == "draft");

        // Main Street's own version: due in a day there, while every other location keeps the standard's 72 hours.
        await LiveAsync(page);
        await page.GetByTestId("override-location").SelectOptionAsync(new SelectOptionValue { Label = "Main Street Family Medicine (MAIN)" });
        await page.GetByTestId("start-override").ClickAsync();
        await Assertions.Expect(page.GetByTestId("workflow-scope")).ToContainTextAsync("override for Main Street Family Medicine · draft");
        await LiveAsync(page);
        var json = page.GetByTestId("workflow-json");
        await Assertions.Expect(page.GetByTestId("check-status")).ToHaveTextAsync("No problems: it can be published.");
        await json.FillAsync((await json.InputValueAsync()).Replace("\"due\": \"PT72H\"", "\"due\": \"PT24H\"", StringComparison.Ordinal));
        await SavedAsync(page);
        await PublishAsync(page, "Main Street co-signs within a day");
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("(Main Street Family Medicine): Main Street co-signs within a day");
        await Assertions.Expect(page.GetByTestId("scope-main")).ToContainTextAsync("published (in force)");
        await Assertions.Expect(page.GetByTestId("status-standard-1")).ToHaveTextAsync("published (in force)");
        await ShotAsync(page, "workflows-10-location-override-published");
        var atMain = await InForceAsync(api, main);
        var standard = await InForceAsync(api, null);
        Assert.Equal(main, atMain["locationId"]!.GetValue<string>());
        Assert.Contains("\"due\": \"PT24H\"", atMain["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(standard["locationId"]);
        Assert.Equal(1, standard["version"]!.GetValue<int>());
        Assert.Contains("\"due\": \"PT72H\"", standard["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MoveAWaitingInstanceToANewerVersionAfterShowingWhyAnotherIsRefused()
    {
        var (host, tenant) = (fixture.Console.Host, await fixture.Console.Host.CreateTenantAsync("wf-migrate"));
        using var api = host.Client(host.Token(tenant.Slug, "admin.wf-migrate", "tenant-admin"));
        var main = (await api.GraphQLAsync("{ locations { id code } }")).DataOrThrow["locations"]!.AsArray()
            .Single(l => l!["code"]!.GetValue<string>() == "MAIN")!["id"]!.GetValue<string>();
        var v1 = (await api.GraphQLAsync("mutation($input: WorkflowDraftInput!) { createWorkflowDraft(input: $input) { id } }",
            new { input = new { key = "callback", title = "Call back", content = Callback("call", "Call the patient") } })).DataOrThrow["createWorkflowDraft"]!["id"]!.GetValue<string>();
        await PublishByApiAsync(api, v1, "First");
        var instance = (await api.GraphQLAsync("mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }",
            new { input = new { key = "callback", locationId = main, inputs = "{}" } })).DataOrThrow["startWorkflow"]!["id"]!.GetValue<string>();
        // Version 2 words the task better (the same node, kind and outcomes); version 3 renames the node the instance waits at.
        var v2 = await DraftFromInForceAsync(api, "callback", Callback("call", "Call the patient back today"));
        await PublishByApiAsync(api, v2, "Clearer task title");
        var v3 = await DraftFromInForceAsync(api, "callback", Callback("phone", "Phone the patient"));
        await PublishByApiAsync(api, v3, "Renamed the step");

        await using var context = await fixture.Console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await SignInAsAdminAsync(context, host, tenant);
        await page.GotoAsync(fixture.Console.Url($"/console/workflow-instances/{instance}"));
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("instance-version")).ToHaveTextAsync("v1 (standard)");
        var migrate = page.GetByTestId("instance-migrate");

        // Refused: version 3 has no node 'call', where the instance waits; the reason names it.
        await migrate.GetByTestId("migrate-version").SelectOptionAsync(new SelectOptionValue { Label = "v3 (standard)" });
        var reasons = migrate.GetByTestId("migrate-reasons");
        await Assertions.Expect(reasons.Locator("li[data-code='NODE_MISSING'][data-node='call']")).ToHaveCountAsync(1);
        await Assertions.Expect(migrate.GetByTestId("migrate-confirm")).ToHaveCountAsync(0);
        await ShotAsync(page, "workflows-11-migration-refused");

        // Allowed to version 2: confirmed, the instance keeps v2 from now on and the timeline says so.
        await migrate.GetByTestId("migrate-version").SelectOptionAsync(new SelectOptionValue { Label = "v2 (standard)" });
        await Assertions.Expect(migrate.GetByTestId("migrate-allowed")).ToContainTextAsync("It can move to v2 (standard)");
        await migrate.GetByTestId("migrate-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("migrate-notice")).ToHaveTextAsync("Moved from v1 (standard) to v2 (standard).");
        await Assertions.Expect(page.GetByTestId("instance-version")).ToHaveTextAsync("v2 (standard)");
        var moved = page.GetByTestId("instance-timeline").Locator("tr", new() { Has = page.GetByTestId("timeline-what").GetByText("Moved to another version") });
        await Assertions.Expect(moved.GetByTestId("timeline-comment")).ToHaveTextAsync("from version v1 (standard) to v2 (standard)");
        await Assertions.Expect(moved.GetByTestId("timeline-actor")).Not.ToBeEmptyAsync();
        await ShotAsync(page, "workflows-12-migrated");

        var detail = (await api.GraphQLAsync("query($id: ID!) { workflowInstance(id: $id) { instance { definitionVersionId status } timeline { what } } }", new { id = instance }))
            .DataOrThrow["workflowInstance"]!;
        Assert.Equal((v2, "running"), (detail["instance"]!["definitionVersionId"]!.GetValue<string>(), detail["instance"]!["status"]!.GetValue<string>()));
        Assert.Single(detail["timeline"]!.AsArray(), e => e!["what"]!.GetValue<string>() == "migrated");
    }

    /// <summary>A manual workflow waiting on one nurse's task at <paramref name="taskNode"/>, then ending.</summary>
    private static string Callback(string taskNode, string title) => JsonSerializer.Serialize(new
    {
        schemaVersion = 1,
        title = "Call back",
        variables = new { },
        nodes = new object[]
        {
            new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { } } },
            new { id = taskNode, kind = "task", title, assignee = new { role = "nurse" }, outcomes = Approve },
            new { id = "done", kind = "end", outcome = "called" },
        },
        edges = new object[] { new { from = "start", to = taskNode }, new { from = taskNode, outcome = "approve", to = "done" } },
    });

    /// <summary>A new draft of the standard copied from what is in force (with other content when given); its id.</summary>
    private static async Task<string> DraftFromInForceAsync(HttpClient api, string key, string? content = null)
    {
        var from = (await api.GraphQLAsync("{ workflowDefinitionsInForce { id key } }")).DataOrThrow["workflowDefinitionsInForce"]!.AsArray()
            .Single(d => d!["key"]!.GetValue<string>() == key)!["id"]!.GetValue<string>();
        return (await api.GraphQLAsync("mutation($input: WorkflowDraftInput!) { createWorkflowDraft(input: $input) { id } }", new { input = new { from, content } }))
            .DataOrThrow["createWorkflowDraft"]!["id"]!.GetValue<string>();
    }

    private static async Task PublishByApiAsync(HttpClient api, string id, string note)
    {
        var version = (await api.GraphQLAsync("query($id: ID!) { workflowDefinition(id: $id) { rowVersion } }", new { id })).DataOrThrow["workflowDefinition"]!["rowVersion"]!.GetValue<int>();
        (await api.GraphQLAsync("mutation($id: ID!, $v: Int!, $note: String) { publishWorkflowDefinition(id: $id, expectedVersion: $v, note: $note) { id } }",
            new { id, v = version, note })).DataOrThrow.ToString();
    }

    private static async Task<string> ContentAsync(HttpClient api, string id) =>
        (await api.GraphQLAsync("query($id: ID!) { workflowDefinition(id: $id) { content } }", new { id })).DataOrThrow["workflowDefinition"]!["content"]!.GetValue<string>();

    /// <summary>The co-signature workflow's version in force at a location (or where no override applies).</summary>
    private static async Task<JsonNode> InForceAsync(HttpClient api, string? locationId) =>
        (await api.GraphQLAsync("query($at: ID) { workflowDefinitionsInForce(locationId: $at) { key version locationId content } }", new { at = locationId }))
        .DataOrThrow["workflowDefinitionsInForce"]!.AsArray().Single(d => d!["key"]!.GetValue<string>() == "note-cosignature")!;

    private async Task<IPage> OpenEditorAsync(IPage page, string id)
    {
        await page.GotoAsync(fixture.Console.Url($"/console/workflows/edit/{id}"));
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("check-status")).ToHaveTextAsync("No problems: it can be published.");
        return page;
    }

    private static async Task<IPage> SignInAsAdminAsync(IBrowserContext context, TestHost host, Tenant tenant)
    {
        var admin = await host.CreateAsync(tenant, "tenant-admin");
        var (page, _) = await SignInAsync(context, host, admin, setUpMfa: true);
        // The sign-in's redirect chain ends on the home page: a bound for a loaded machine (a second session in the same
        // test signs in while the first one's circuit is live), not a timing assertion.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync(new() { Timeout = 45_000 });
        return page;
    }
}
