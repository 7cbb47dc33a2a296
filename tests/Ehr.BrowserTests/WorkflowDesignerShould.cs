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
/// Screenshots are kept as artifacts.
/// </summary>
public sealed class WorkflowDesignerShould(WorkflowDesignerFixture fixture) : IClassFixture<WorkflowDesignerFixture>
{
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

    private static async Task<IPage> SignInAsAdminAsync(IBrowserContext context, TestHost host, Tenant tenant)
    {
        var admin = await host.CreateAsync(tenant, "tenant-admin");
        var (page, _) = await SignInAsync(context, host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        return page;
    }
}
