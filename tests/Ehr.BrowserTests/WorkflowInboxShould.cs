using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;
using static Ehr.BrowserTests.NotePages;

namespace Ehr.BrowserTests;

/// <summary>A host that runs the workflow dispatcher and a fast job server, and a browser, for the inbox's tests.</summary>
public sealed class WorkflowInboxFixture : IAsyncLifetime
{
    public BrowserHost Console { get; private set; } = null!;

    public async Task InitializeAsync() => Console = await BrowserHost.StartAsync(new Dictionary<string, string?>
    {
        ["Jobs:RunServer"] = "true",
        ["Jobs:QueuePollInterval"] = "00:00:00.200",
        ["Jobs:SchedulePollingInterval"] = "00:00:00.500",
        ["Jobs:WorkerCount"] = "2",
        ["Workflow:RunWorkers"] = "true",
        ["Workflow:SweepInterval"] = "00:00:02",
    });

    public async Task DisposeAsync() => await Console.DisposeAsync();
}

/// <summary>
/// The task inbox and the instance view, with the primary-care pack's co-signature workflow (published as the tenant's
/// standard when the tenant is provisioned): a nurse practitioner signs a note in the chart; the physician's open inbox
/// shows the co-signature task without reloading; the physician approves it with a comment; the instance view shows the
/// timeline from the signing event to the end, and the note reads co-signed in the chart. Also: a refusal from the
/// server (a task claimed by another physician) shown beside the act, and the inbox on a tablet with the keyboard.
/// Screenshots are kept as artifacts.
/// </summary>
public sealed class WorkflowInboxShould(WorkflowInboxFixture fixture) : IClassFixture<WorkflowInboxFixture>, IAsyncLifetime
{
    /// <summary>The dispatcher works after the note's commit (event, action, task): a bound, not a timing assertion.</summary>
    private static readonly LocatorAssertionsToBeVisibleOptions Arrives = new() { Timeout = 60_000 };

    private BrowserHost _console = null!;
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _adminApi = null!;

    public async Task InitializeAsync()
    {
        _console = fixture.Console;
        _host = _console.Host;
        _tenant = await _host.CreateTenantAsync("wf-inbox");
        _adminApi = _host.Client(_host.Token(_tenant.Slug, "admin.wf-inbox", "tenant-admin"));
    }

    public Task DisposeAsync()
    {
        _adminApi.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ShowTheCoSignatureTaskLiveLetThePhysicianApproveItAndShowTheTimelineAndTheCoSignedNote()
    {
        var patient = await RegisterAsync("Iris");
        var physician = await _host.CreateNamedAsync(_tenant, "Pat Ellis", "physician");
        await using var doctorContext = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var inbox = await OpenInboxAsync(doctorContext, physician);
        await inbox.GetByRole(AriaRole.Tab, new() { Name = "My roles' tasks" }).ClickAsync();
        await Assertions.Expect(inbox.GetByTestId("no-tasks")).ToBeVisibleAsync();
        await ShotAsync(inbox, "workflow-inbox-01-empty");

        // The nurse practitioner signs a note in the chart; the physician's inbox, left open, shows the task.
        await using var signed = await SignANoteAsANursePractitionerAsync(_console, _tenant, patient, "Knee pain follow-up");
        var row = inbox.GetByTestId("tasks").GetByRole(AriaRole.Link, new() { Name = "Open the task Co-sign note" });
        await Assertions.Expect(row).ToBeVisibleAsync(Arrives);
        await Assertions.Expect(inbox.GetByTestId("tasks")).ToContainTextAsync(_family);
        await ShotAsync(inbox, "workflow-inbox-02-task-arrived");

        await row.ClickAsync();
        var panel = inbox.GetByTestId("task-panel");
        await Assertions.Expect(panel.GetByTestId("task-title")).ToHaveTextAsync("Co-sign note");
        await Assertions.Expect(panel.GetByTestId("task-patient")).ToHaveAttributeAsync("href", $"/console/patients/{patient}?note={signed.NoteId}");
        await panel.GetByLabel("Approve", new() { Exact = true }).CheckAsync();
        await panel.GetByLabel("Comment").FillAsync("Reviewed: plan agreed.");
        await panel.GetByTestId("task-decide").ClickAsync();
        await Assertions.Expect(panel.GetByTestId("task-done")).ToContainTextAsync("Approved by you");
        await ShotAsync(inbox, "workflow-inbox-03-approved");

        // The instance view, for someone who oversees workflows: the timeline from the signing to the end.
        var instanceId = await InstanceOfAsync(signed.NoteId);
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var adminContext = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var (view, _) = await SignInAsync(adminContext, _host, admin, setUpMfa: true);
        await Assertions.Expect(view.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        // People are named (the staff directory), their ids kept as the cell's title.
        await view.GotoAsync(_console.Url("/console/workflow-instances"));
        await LiveAsync(view);
        await view.GetByTestId($"instance-{instanceId}").ClickAsync();
        await Assertions.Expect(view.GetByTestId("instance-status")).ToHaveTextAsync("completed (cosigned)", new() { Timeout = 60_000 });
        var timeline = view.GetByTestId("instance-timeline");
        var what = timeline.GetByTestId("timeline-what");
        await Assertions.Expect(what.First).ToHaveTextAsync("Started");
        await Assertions.Expect(what.Last).ToHaveTextAsync("Ended");
        await Assertions.Expect(timeline.Locator("tr", new() { HasText = "Started" })).ToContainTextAsync("Test Person");
        await Assertions.Expect(timeline.Locator("tr", new() { HasText = "Started" }).GetByTitle(signed.Author.Id.ToString())).ToBeVisibleAsync();
        await Assertions.Expect(timeline.Locator("tr", new() { HasText = "Task created" })).ToContainTextAsync("cosign");
        var completed = timeline.Locator("tr", new() { HasText = "Task completed" });
        await Assertions.Expect(completed).ToContainTextAsync("Pat Ellis");
        await Assertions.Expect(completed).ToContainTextAsync("approve");
        await Assertions.Expect(completed).ToContainTextAsync("Reviewed: plan agreed.");
        await Assertions.Expect(timeline.Locator("tr", new() { HasText = "Action completed" }).Last).ToContainTextAsync("sign");
        await Assertions.Expect(view.GetByTestId("instance-waiting")).ToContainTextAsync("Nothing: the instance has ended.");
        await ShotAsync(view, "workflow-inbox-04-timeline");

        // The note in the chart reads co-signed.
        await OpenChartAsync(signed.Page, _console, patient);
        await signed.Page.GotoAsync(_console.Url($"/console/patients/{patient}?note={signed.NoteId}"));
        await LiveAsync(signed.Page);
        await Assertions.Expect(signed.Page.GetByTestId("note-cosignature")).ToContainTextAsync($"co-signed");
        await Assertions.Expect(signed.Page.GetByTestId("note-cosignature")).ToContainTextAsync(physician.Id.ToString());
        await ShotAsync(signed.Page, "workflow-inbox-05-note-cosigned");
    }

    [Fact]
    public async Task ShowTheServersRefusalBesideTheDecisionWhenAnotherPhysicianClaimedTheTask()
    {
        var patient = await RegisterAsync("Jonah");
        var first = await _host.CreateNamedAsync(_tenant, "Fay First", "physician");
        var second = await _host.CreateAsync(_tenant, "physician");
        await using var firstContext = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        await using var secondContext = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var mine = await OpenInboxAsync(firstContext, first);
        var theirs = await OpenInboxAsync(secondContext, second);
        await mine.GetByRole(AriaRole.Tab, new() { Name = "My roles' tasks" }).ClickAsync();
        await theirs.GetByRole(AriaRole.Tab, new() { Name = "My roles' tasks" }).ClickAsync();

        var taskId = await SignedNoteTaskAsync(patient);
        await mine.GetByTestId($"task-{taskId}").ClickAsync(new() { Timeout = 60_000 });
        await theirs.GetByTestId($"task-{taskId}").ClickAsync(new() { Timeout = 60_000 });
        await mine.GetByTestId("task-panel").GetByTestId("task-claim").ClickAsync();
        await Assertions.Expect(mine.GetByTestId("task-panel").GetByTestId("task-status")).ToHaveTextAsync("claimed by you");

        // The other physician's page heard of the claim; deciding anyway is refused by the server, which says why.
        var panel = theirs.GetByTestId("task-panel");
        await Assertions.Expect(panel.GetByTestId("task-status")).ToHaveTextAsync("claimed by Fay First");
        await panel.GetByLabel("Approve", new() { Exact = true }).CheckAsync();
        await panel.GetByTestId("task-decide").ClickAsync();
        await Assertions.Expect(panel.GetByTestId("task-decide-error")).ToContainTextAsync("TASK_CLAIMED");
        await Assertions.Expect(panel.GetByTestId("task-decide-error")).ToContainTextAsync("is claimed by");
        await ShotAsync(theirs, "workflow-inbox-06-refused");

        // Nothing changed: the task is still the first physician's, open for their decision.
        var task = (await _adminApi.GraphQLAsync("query($id: ID!) { workflowTask(id: $id) { status claimedBy } }", new { id = taskId })).DataOrThrow["workflowTask"]!;
        Assert.Equal(("claimed", first.Id.ToString()), (task["status"]!.GetValue<string>(), task["claimedBy"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ReadOnATabletAndDecideWithTheKeyboardAlone()
    {
        var patient = await RegisterAsync("Maeve");
        var physician = await _host.CreateAsync(_tenant, "physician");
        var taskId = await SignedNoteTaskAsync(patient);
        await using var context = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 820, Height = 1180 }, HasTouch = true });
        var page = await OpenInboxAsync(context, physician);
        await page.GetByRole(AriaRole.Tab, new() { Name = "My roles' tasks" }).ClickAsync();
        var link = page.GetByTestId($"task-{taskId}");
        await Assertions.Expect(link).ToBeVisibleAsync();
        // Stacked rows: nothing wider than the screen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));

        await link.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var panel = page.GetByTestId("task-panel");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await panel.GetByLabel("Return for changes", new() { Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await panel.GetByLabel("Comment (required)").FocusAsync();
        await page.Keyboard.TypeAsync("Please add the exam findings.");
        await panel.GetByTestId("task-decide").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(panel.GetByTestId("task-done")).ToContainTextAsync("Returned for changes by you");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await ShotAsync(page, "workflow-inbox-07-tablet");
    }

    [Fact]
    public async Task FillTheTasksFormInThePanelShowItsProblemsAndFileTheResponseWithTheDecision()
    {
        var formKey = "panel-mood-" + Guid.NewGuid().ToString("N")[..6];
        await PublishFormAsync(formKey);
        var workflow = await PublishReviewAsync(formKey);
        var patient = await RegisterAsync("Nora");
        var taskId = await StartedTaskAsync(workflow, patient);
        var physician = await _host.CreateNamedAsync(_tenant, "Rhea Form", "physician");
        await using var context = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1200 } });
        var inbox = await OpenInboxAsync(context, physician);
        await inbox.GetByRole(AriaRole.Tab, new() { Name = "My roles' tasks" }).ClickAsync();
        await inbox.GetByTestId($"task-{taskId}").ClickAsync();
        var panel = inbox.GetByTestId("task-panel");
        var form = panel.GetByTestId("task-form-renderer");
        await Assertions.Expect(panel.GetByTestId("task-form")).ToContainTextAsync("Panel mood");
        await Assertions.Expect(form.GetByTestId("item-mood")).ToBeVisibleAsync();

        // Deciding with the form unanswered: the server's check, shown beside the item; nothing decided or stored.
        await panel.GetByLabel("Approve", new() { Exact = true }).CheckAsync();
        await panel.GetByTestId("task-decide").ClickAsync();
        await Assertions.Expect(form.GetByTestId("problem-summary")).ToBeVisibleAsync();
        await Assertions.Expect(form.GetByTestId("problem-summary")).ToContainTextAsync("How is your mood?");
        await Assertions.Expect(panel.GetByTestId("task-decide-error")).ToContainTextAsync("VALIDATION_FAILED");
        await ShotAsync(inbox, "workflow-inbox-08-form-problems");
        Assert.Equal(0, await ResponsesAsync(patient, formKey));

        // Answered (the reason appears once the mood is low), then decided: one go.
        await form.GetByTestId("item-mood").GetByLabel("Low", new() { Exact = true }).CheckAsync();
        await form.GetByTestId("item-why").GetByLabel("Why is it low?").FillAsync("Poor sleep");
        await form.GetByTestId("item-why").GetByLabel("Why is it low?").PressAsync("Tab");
        await panel.GetByTestId("task-decide").ClickAsync();
        await Assertions.Expect(panel.GetByTestId("task-done")).ToContainTextAsync("Approved by you");
        await ShotAsync(inbox, "workflow-inbox-09-form-filed");
        Assert.Equal(1, await ResponsesAsync(patient, formKey));

        // The response is on the patient's chart.
        var chart = await context.NewPageAsync();
        await OpenChartAsync(chart, _console, patient);
        var responses = chart.GetByTestId("chart-forms").GetByTestId("responses");
        await Assertions.Expect(responses).ToContainTextAsync("Panel mood");
        await Assertions.Expect(responses).ToContainTextAsync("completed");
    }

    [Fact]
    public async Task NameWhoHoldsATaskAndDelegateItToAColleaguePickedByName()
    {
        var surname = "Lark" + Guid.NewGuid().ToString("N")[..5];
        var patient = await RegisterAsync("Otto");
        var taskId = await SignedNoteTaskAsync(patient);
        var me = await _host.CreateNamedAsync(_tenant, "Mia " + surname, "physician");
        var colleague = await _host.CreateNamedAsync(_tenant, "Ben " + surname, "physician");
        var gone = await _host.CreateNamedAsync(_tenant, "Bea " + surname, "physician");
        await _host.ChangeMembershipAsync(gone, (m, now) => m.Deactivate(now));
        using (var ben = _host.Client(_host.Token(_tenant.Slug, colleague.Id.ToString(), "physician")))
        {
            (await ben.GraphQLAsync("mutation($id: ID!) { claimWorkflowTask(id: $id) { id } }", new { id = taskId })).DataOrThrow.ToString();
        }

        await using var context = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var inbox = await OpenInboxAsync(context, me);
        await inbox.GetByRole(AriaRole.Tab, new() { Name = "My roles' tasks" }).ClickAsync();
        await Assertions.Expect(inbox.GetByTestId($"task-status-{taskId}")).ToHaveTextAsync("claimed by Ben " + surname);
        using (var ben = _host.Client(_host.Token(_tenant.Slug, colleague.Id.ToString(), "physician")))
        {
            (await ben.GraphQLAsync("mutation($id: ID!) { releaseWorkflowTask(id: $id) { id } }", new { id = taskId })).DataOrThrow.ToString();
        }

        await Assertions.Expect(inbox.GetByTestId($"task-status-{taskId}")).ToHaveTextAsync("open");
        await inbox.GetByTestId($"task-{taskId}").ClickAsync();
        var panel = inbox.GetByTestId("task-panel");
        await panel.GetByLabel("Find a colleague by name").FillAsync(surname.ToLowerInvariant());
        var options = panel.GetByTestId("task-delegate-options");
        await Assertions.Expect(options).ToContainTextAsync("Ben " + surname);
        await Assertions.Expect(options).ToContainTextAsync("Mia " + surname);
        await Assertions.Expect(options).Not.ToContainTextAsync("Bea " + surname);
        await options.GetByTestId($"task-delegate-option-{colleague.Id}").ClickAsync();
        await panel.GetByLabel("Why (optional)").FillAsync("Your patient");
        await Assertions.Expect(panel.GetByTestId("task-delegate")).ToHaveTextAsync("Delegate to Ben " + surname);
        await ShotAsync(inbox, "workflow-inbox-10-delegate-picker");
        await panel.GetByTestId("task-delegate").ClickAsync();
        // Given to Ben, it leaves my inbox.
        await Assertions.Expect(inbox.GetByTestId($"task-{taskId}")).ToHaveCountAsync(0);

        var task = (await _adminApi.GraphQLAsync("query($id: ID!) { workflowTask(id: $id) { assigneeUser status } }", new { id = taskId })).DataOrThrow["workflowTask"]!;
        Assert.Equal((colleague.Id.ToString(), "open"), (task["assigneeUser"]!.GetValue<string>(), task["status"]!.GetValue<string>()));
    }

    private string _family = "";

    private async Task<IPage> OpenInboxAsync(IBrowserContext context, Person person)
    {
        var (page, _) = await SignInAsync(context, _host, person);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex("^Welcome, ") })).ToBeVisibleAsync();
        // The menu offers the inbox to holders of workflow.task.
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Tasks", Exact = true }).First).ToHaveAttributeAsync("href", "/console/tasks");
        await page.GotoAsync(_console.Url("/console/tasks"));
        await LiveAsync(page);
        try
        {
            await page.GetByTestId("tasks-live").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        }
        catch (TimeoutException e)
        {
            await ShotAsync(page, "workflow-inbox-not-live-" + person.Id.ToString("N")[..6]);
            throw new TimeoutException($"The inbox did not go live at {page.Url}: {await page.Locator("body").InnerTextAsync()}", e);
        }

        return page;
    }

    /// <summary>
    /// A patient with a home location: the note's location when its signer has none, where the co-signature task goes
    /// (a task for physicians "at the note's location" with no location would be an incident, never a tenant-wide task).
    /// </summary>
    private async Task<Guid> RegisterAsync(string given)
    {
        _family = "Doe" + Guid.NewGuid().ToString("N")[..6];
        var location = (await _adminApi.GraphQLAsync("{ locations { id } }")).DataOrThrow["locations"]![0]!["id"]!.GetValue<string>();
        var result = await _adminApi.GraphQLAsync("mutation($input: PatientInput!) { registerPatient(input: $input) { id } }",
            new { input = new { name = new { given, family = _family }, birthDate = "1970-03-04", administrativeSex = "female", homeLocationId = location } });
        return Guid.Parse(result.DataOrThrow["registerPatient"]!["id"]!.GetValue<string>());
    }

    /// <summary>A note signed by a nurse practitioner through the API; the id of its co-signature task once the dispatcher made it.</summary>
    private async Task<string> SignedNoteTaskAsync(Guid patient)
    {
        using var np = _host.Client(_host.Token(_tenant.Slug, "np." + Guid.NewGuid().ToString("N")[..6], "nurse-practitioner"));
        var draft = (await np.GraphQLAsync("mutation($input: NoteInput!) { startNote(input: $input) { id version } }",
            new { input = new { patientId = patient, noteType = "progress", title = "Visit", narrative = "Seen today." } })).DataOrThrow["startNote"]!;
        var note = (await np.GraphQLAsync("mutation($id: ID!, $v: Int!) { signNote(id: $id, expectedVersion: $v) { id } }",
            new { id = draft["id"]!.GetValue<string>(), v = draft["version"]!.GetValue<int>() })).DataOrThrow["signNote"]!["id"]!.GetValue<string>();
        var task = await EventuallyAsync(async () => (await _adminApi.GraphQLAsync(
                "query($p: ID) { workflowTasks(scope: PATIENT, patientId: $p) { nodes { id subjectId } } }", new { p = patient }))
            .DataOrThrow["workflowTasks"]!["nodes"]!.AsArray().FirstOrDefault(t => t!["subjectId"]!.GetValue<string>() == note));
        return task["id"]!.GetValue<string>();
    }

    private async Task PublishFormAsync(string key)
    {
        var content = $$$"""
            {"resourceType":"Questionnaire","id":"{{{key}}}","url":"https://forms.example.org/Questionnaire/{{{key}}}","version":"1","status":"active","title":"Panel mood",
             "item":[
              {"linkId":"mood","text":"How is your mood?","type":"choice","required":true,"answerOption":[
                {"valueCoding":{"system":"https://forms.example.org/cs","code":"good","display":"Good"}},
                {"valueCoding":{"system":"https://forms.example.org/cs","code":"low","display":"Low"}}]},
              {"linkId":"why","text":"Why is it low?","type":"string","maxLength":200,
               "enableWhen":[{"question":"mood","operator":"=","answerCoding":{"system":"https://forms.example.org/cs","code":"low"}}]}
             ]}
            """;
        var draft = (await _adminApi.GraphQLAsync("mutation($input: FormDraftInput!) { createFormDraft(input: $input) { definition { id rowVersion } } }",
            new { input = new { content, key } })).DataOrThrow["createFormDraft"]!["definition"]!;
        (await _adminApi.GraphQLAsync("mutation($id: ID!, $v: Int!) { publishFormDefinition(id: $id, expectedVersion: $v) { id } }",
            new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>() })).DataOrThrow.ToString();
    }

    /// <summary>A workflow started by hand whose one task (any physician) asks for the form <paramref name="formKey"/>; its key.</summary>
    private async Task<string> PublishReviewAsync(string formKey)
    {
        var key = "panel-review-" + Guid.NewGuid().ToString("N")[..6];
        var content = System.Text.Json.JsonSerializer.Serialize(new
        {
            schemaVersion = 1,
            title = "Review with a form",
            variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { patientId = new { type = "string", required = true } } } },
                new { id = "review", kind = "task", title = "Review the mood check", assignee = new { role = "physician" }, outcomes = ApproveOrReject, form = formKey },
                new { id = "end", kind = "end", outcome = "done" },
            },
            edges = new object[]
            {
                new { from = "start", to = "review" }, new { from = "review", outcome = "approve", to = "end" }, new { from = "review", outcome = "reject", to = "end" },
            },
        });
        var draft = (await _adminApi.GraphQLAsync("mutation($input: WorkflowDraftInput!) { createWorkflowDraft(input: $input) { id rowVersion } }",
            new { input = new { key, title = key, content } })).DataOrThrow["createWorkflowDraft"]!;
        (await _adminApi.GraphQLAsync("mutation($id: ID!, $v: Int!) { publishWorkflowDefinition(id: $id, expectedVersion: $v) { id } }",
            new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>() })).DataOrThrow.ToString();
        return key;
    }

    private static readonly string[] ApproveOrReject = ["approve", "reject"];

    /// <summary>Starts <paramref name="workflow"/> on the patient; the id of its open task (made in the start's own transaction).</summary>
    private async Task<string> StartedTaskAsync(string workflow, Guid patient)
    {
        var instance = (await _adminApi.GraphQLAsync("mutation($input: StartWorkflowInput!) { startWorkflow(input: $input) { id } }",
            new { input = new { key = workflow, patientId = patient, inputs = "{}" } })).DataOrThrow["startWorkflow"]!["id"]!.GetValue<string>();
        var task = await EventuallyAsync(async () => (await _adminApi.GraphQLAsync("query($id: ID!) { workflowInstance(id: $id) { tasks { id status } } }", new { id = instance }))
            .DataOrThrow["workflowInstance"]!["tasks"]!.AsArray().FirstOrDefault(t => t!["status"]!.GetValue<string>() == "open"));
        return task["id"]!.GetValue<string>();
    }

    private async Task<int> ResponsesAsync(Guid patient, string formKey) =>
        (await _adminApi.GraphQLAsync("query($p: ID!, $key: String) { formResponses(patientId: $p, formKey: $key) { nodes { id status } } }", new { p = patient, key = formKey }))
        .DataOrThrow["formResponses"]!["nodes"]!.AsArray().Count(r => r!["status"]!.GetValue<string>() == "completed");

    private async Task<Guid> InstanceOfAsync(Guid note)
    {
        var instance = await EventuallyAsync(async () => (await _adminApi.GraphQLAsync(
                "{ workflowInstances(definitionKey: \"note-cosignature\", first: 50) { nodes { id subjectId } } }"))
            .DataOrThrow["workflowInstances"]!["nodes"]!.AsArray().FirstOrDefault(i => i!["subjectId"]!.GetValue<string>() == note.ToString()));
        return Guid.Parse(instance["id"]!.GetValue<string>());
    }

    private static async Task<JsonNode> EventuallyAsync(Func<Task<JsonNode?>> probe)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("Still waiting after 60 s for the workflow's dispatcher.");
            }

            await Task.Delay(200);
        }
    }
}
