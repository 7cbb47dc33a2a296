using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using static Ehr.IntegrationTests.Forms.FormGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// What the inbox needs besides deciding: a task's form answered with the decision (filed and decided in one
/// transaction; the form engine's problems and the decision's refusals store neither), the staff directory that names
/// colleagues and offers whom to delegate to (active staff only, never to patients), and MY_ROLES at the caller's
/// locations (a manager's wider view is ALL, not MY_ROLES).
/// </summary>
[Collection(WorkflowTests.Name)]
public sealed class WorkflowTaskInboxShould : IAsyncLifetime
{
    private const string Review = "form-review";
    private const string AtLocation = "located-review";
    private const string TaskForm = "query($id: ID!) { workflowTaskForm(taskId: $id) { id key version status } }";
    private const string Decide = "mutation($id: ID!, $outcome: String!, $comment: String, $form: ID, $answers: String, $version: ID) { completeWorkflowTask(id: $id, outcome: $outcome, comment: $comment, formResponseId: $form, formAnswers: $answers, formVersionId: $version) { " + TaskFields + " formResponseId } }";
    private const string Directory = "query($search: String, $ids: [String!], $first: Int) { staffDirectory(search: $search, ids: $ids, first: $first) { userId displayName roles locationIds } }";

    private static readonly string[] ApproveOrReject = ["approve", "reject"];
    private static readonly string[] ApproveOnly = ["approve"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _physician = null!;
    private string _patient = null!;
    private string _formKey = null!;
    private string _formVersion = null!;
    private string _otherFormVersion = null!;

    public async Task InitializeAsync()
    {
        _host = await WorkflowHost.StartAsync();
        _tenant = await _host.CreateTenantAsync("wf-inbox-gaps");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.gaps", "tenant-admin"));
        _physician = _host.Client(_host.Token(_tenant.Slug, "dr.form", "physician"));
        _patient = (await _admin.GraphQLAsync("{ patients(first: 1) { nodes { id } } }")).Data("patients")["nodes"]![0]!["id"]!.GetValue<string>();
        _formKey = Key("mood");
        _formVersion = (await _admin.PublishedAsync(MoodForm(_formKey)))["id"]!.GetValue<string>();
        var otherKey = Key("other");
        _otherFormVersion = (await _admin.PublishedAsync(MoodForm(otherKey)))["id"]!.GetValue<string>();

        // A review that asks for the form (any physician), then a follow-up that asks for none.
        await PublishAsync(_admin, Review, ToJson(new
        {
            schemaVersion = 1,
            title = "Form review",
            variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { patientId = new { type = "string", required = true } } } },
                new { id = "review", kind = "task", title = "Review with the form", assignee = new { role = "physician" }, outcomes = ApproveOrReject, form = _formKey },
                new { id = "follow-up", kind = "task", title = "Follow up", assignee = new { role = "physician" }, outcomes = ApproveOnly },
                new { id = "end", kind = "end", outcome = "done" },
            },
            edges = new object[]
            {
                new { from = "start", to = "review" }, new { from = "review", outcome = "approve", to = "follow-up" },
                new { from = "review", outcome = "reject", to = "end" }, new { from = "follow-up", outcome = "approve", to = "end" },
            },
        }));
        // A task for physicians at the location it runs for.
        await PublishAsync(_admin, AtLocation, ToJson(new
        {
            schemaVersion = 1,
            title = "Located review",
            variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { patientId = new { type = "string", required = true } } } },
                new { id = "review", kind = "task", title = "Review here", assignee = new { role = "physician", atSubjectLocation = true }, outcomes = ApproveOnly },
                new { id = "end", kind = "end", outcome = "done" },
            },
            edges = new object[] { new { from = "start", to = "review" }, new { from = "review", outcome = "approve", to = "end" } },
        }));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _physician.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task FileTheAnswersToTheTasksFormAndDecideItInOneGo()
    {
        var task = await StartAsync(Review);
        var id = task["id"]!.GetValue<string>();
        var before = await CountsAsync();

        var form = (await _physician.GraphQLAsync(TaskForm, new { id })).Data("workflowTaskForm");
        Assert.Equal((_formVersion, _formKey, "published"), (form["id"]!.GetValue<string>(), form["key"]!.GetValue<string>(), form["status"]!.GetValue<string>()));

        var done = (await _physician.GraphQLAsync(Decide, new { id, outcome = "approve", answers = Response(Item("mood", Coded("good"))), version = _formVersion }))
            .Data("completeWorkflowTask");
        Assert.Equal(("completed", "approve", "dr.form"), (done["status"]!.GetValue<string>(), done["outcome"]!.GetValue<string>(), done["completedBy"]!.GetValue<string>()));

        // The response is on the patient's chart, submitted, and it is the one the task recorded.
        Assert.Equal((before.Responses + 1, before.Submitted + 1), await CountsAsync());
        var responses = (await _physician.GraphQLAsync(ListResponses, new { p = _patient, key = _formKey })).Data("formResponses")["nodes"]!.AsArray();
        var response = responses.Single(r => r!["id"]!.GetValue<string>() == done["formResponseId"]!.GetValue<string>())!;
        Assert.Equal("completed", response["status"]!.GetValue<string>());
        var stored = (await _physician.GraphQLAsync(GetResponse, new { id = response["id"]!.GetValue<string>() })).Data("formResponse");
        Assert.Equal((_formVersion, "dr.form"), (stored["formId"]!.GetValue<string>(), stored["completedBy"]!.GetValue<string>()));
        Assert.Contains("\"good\"", stored["content"]!.GetValue<string>(), StringComparison.Ordinal);

        // The next task names no form: answers sent with it are refused, and so is a form version without answers.
        var followUp = await OpenTaskAsync(task["instanceId"]!.GetValue<string>(), "follow-up");
        var noForm = await _physician.GraphQLAsync(Decide, new { id = followUp, outcome = "approve", answers = Response(Item("mood", Coded("good"))) });
        Assert.Equal(("VALIDATION_FAILED", "formAnswers", "NOT_ALLOWED"), (noForm.Code, noForm.FieldPaths.Single(), noForm.Fields()[0]["code"]!.GetValue<string>()));
        Assert.Equal((before.Responses + 1, before.Submitted + 1), await CountsAsync());
    }

    [Fact]
    public async Task ShowTheFormEnginesProblemsUnderFormAnswersAndStoreNothing()
    {
        var id = (await StartAsync(Review))["id"]!.GetValue<string>();
        var before = await CountsAsync();

        var missing = await _physician.GraphQLAsync(Decide, new { id, outcome = "approve", answers = """{"resourceType":"QuestionnaireResponse","status":"in-progress"}""" });
        var wrongOption = await _physician.GraphQLAsync(Decide, new { id, outcome = "approve", answers = Response(Item("mood", Coded("elated"))) });
        var unreadable = await _physician.GraphQLAsync(Decide, new { id, outcome = "approve", answers = "{ not json" });

        Assert.Equal("VALIDATION_FAILED", missing.Code);
        Assert.Contains(missing.Fields(), f => f["linkId"]?.GetValue<string>() == "mood" && f["code"]!.GetValue<string>() == "REQUIRED");
        Assert.All(missing.FieldPaths, p => Assert.StartsWith("formAnswers", p, StringComparison.Ordinal));
        Assert.Equal("VALIDATION_FAILED", wrongOption.Code);
        Assert.Contains(wrongOption.Fields(), f => f["linkId"]?.GetValue<string>() == "mood" && f["path"]!.GetValue<string>().StartsWith("formAnswers.item[0]", StringComparison.Ordinal));
        Assert.Equal(("VALIDATION_FAILED", "formAnswers"), (unreadable.Code, unreadable.FieldPaths.Single()));

        Assert.Equal(before, await CountsAsync());
        Assert.Equal(("open", 1), await TaskStateAsync(id));
    }

    [Fact]
    public async Task LeaveNoResponseBehindWhenTheDecisionIsRefusedAfterTheAnswersWereAccepted()
    {
        var id = (await StartAsync(Review))["id"]!.GetValue<string>();
        var before = await CountsAsync();
        var answers = Response(Item("mood", Coded("low")), Item("why", Text("Poor sleep")));

        // The answers are fine; the engine refuses a rejection without a comment after they were filed: both roll back.
        var noComment = await _physician.GraphQLAsync(Decide, new { id, outcome = "reject", answers });
        Assert.Equal(("VALIDATION_FAILED", "comment"), (noComment.Code, noComment.FieldPaths.Single()));
        // Not an assignee, a wrong form version, both a response and answers: refused, nothing stored.
        using var nurse = _host.Client(_host.Token(_tenant.Slug, "rn.form", "nurse"));
        Assert.Equal("TASK_NOT_ASSIGNED", (await nurse.GraphQLAsync(Decide, new { id, outcome = "approve", answers })).Code);
        var otherVersion = await _physician.GraphQLAsync(Decide, new { id, outcome = "approve", answers, version = _otherFormVersion });
        Assert.Equal(("VALIDATION_FAILED", "formVersionId", "UNKNOWN_REFERENCE"),
            (otherVersion.Code, otherVersion.FieldPaths.Single(), otherVersion.Fields()[0]["code"]!.GetValue<string>()));
        var both = await _physician.GraphQLAsync(Decide, new { id, outcome = "approve", answers, form = Guid.NewGuid() });
        Assert.Equal(("VALIDATION_FAILED", "formAnswers", "CHOOSE_ONE"), (both.Code, both.FieldPaths.Single(), both.Fields()[0]["code"]!.GetValue<string>()));
        var versionAlone = await _physician.GraphQLAsync(Decide, new { id, outcome = "approve", version = _formVersion });
        Assert.Equal(("VALIDATION_FAILED", "formVersionId"), (versionAlone.Code, versionAlone.FieldPaths.Single()));

        Assert.Equal(before, await CountsAsync());
        Assert.Equal(("open", 1), await TaskStateAsync(id));
        Assert.Equal(0, await CountAsync(_host, _tenant, $"SELECT count(*) FROM workflow_history WHERE what = 'task.decided' AND bookmark_id = (SELECT bookmark_id FROM workflow_tasks WHERE id = '{id}')"));

        // With the comment the same answers go through.
        var rejected = (await _physician.GraphQLAsync(Decide, new { id, outcome = "reject", comment = "Not now.", answers })).Data("completeWorkflowTask");
        Assert.Equal(("completed", "reject"), (rejected["status"]!.GetValue<string>(), rejected["outcome"]!.GetValue<string>()));
        Assert.Equal((before.Responses + 1, before.Submitted + 1), await CountsAsync());
    }

    [Fact]
    public async Task NameActiveStaffOnlyToThoseWhoWorkOnTasksAndNeverToPatients()
    {
        var surname = "Quill" + Guid.NewGuid().ToString("N")[..6];
        var ada = await _host.CreateNamedAsync(_tenant, "Ada " + surname, "physician");
        var bob = await _host.CreateNamedAsync(_tenant, "Bob " + surname, "nurse");
        var cy = await _host.CreateNamedAsync(_tenant, "Cy " + surname, "patient");
        await _host.ChangeMembershipAsync(bob, (m, now) => m.Deactivate(now));
        Guid stranger;
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            // An account with no membership here.
            stranger = (await scope.ServiceProvider.GetRequiredService<CreateUser>()
                .HandleAsync(new NewUser($"s{Guid.NewGuid():N}@example.test", "Di " + surname, "Correct-horse-" + Guid.NewGuid().ToString("N")[..12]), CancellationToken.None)).Id;
        }

        using var frontDesk = _host.Client(_host.Token(_tenant.Slug, "fd.gaps", "front-desk"));
        var found = (await frontDesk.GraphQLAsync(Directory, new { search = surname.ToLowerInvariant() })).Data("staffDirectory").AsArray();
        var only = Assert.Single(found)!;
        Assert.Equal((ada.Id.ToString(), "Ada " + surname), (only["userId"]!.GetValue<string>(), only["displayName"]!.GetValue<string>()));
        Assert.Equal(["physician"], only["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Empty((await frontDesk.GraphQLAsync(Directory, new { search = "Ada Nobody" + surname })).Data("staffDirectory").AsArray());

        var named = (await frontDesk.GraphQLAsync(Directory, new { ids = new[] { ada.Id.ToString(), bob.Id.ToString(), cy.Id.ToString(), stranger.ToString(), "system:workflow" } }))
            .Data("staffDirectory").AsArray();
        Assert.Equal([ada.Id.ToString()], named.Select(n => n!["userId"]!.GetValue<string>()));
        // Nothing but id, name, roles and locations: an e-mail cannot even be asked for.
        Assert.Equal("GRAPHQL_VALIDATION_FAILED", (await frontDesk.GraphQLAsync("{ staffDirectory(search: \"Ada\") { email } }")).Code);

        using var patient = _host.Client(_host.PatientToken(_tenant.Slug, cy.Id.ToString(), Guid.Parse(_patient)));
        using var biller = _host.Client(_host.Token(_tenant.Slug, "bill.gaps", "biller"));
        Assert.Equal("FORBIDDEN", (await patient.GraphQLAsync(Directory, new { search = surname })).Code);
        Assert.Equal("FORBIDDEN", (await biller.GraphQLAsync(Directory, new { search = surname })).Code);

        var tooMany = await frontDesk.GraphQLAsync(Directory, new { search = new string('a', 101), first = 0 });
        Assert.Equal("VALIDATION_FAILED", tooMany.Code);
        Assert.Equal(["first", "search"], tooMany.FieldPaths.Order());

        await using var sql = await _host.OpenSqlAsync();
        var audited = await sql.CountAsync($"SET ROLE ehr_owner; SELECT count(*) FROM (SELECT action, actor_id FROM {_tenant.SchemaName}.audit_pending UNION ALL " +
                                           $"SELECT action, actor_id FROM {_tenant.SchemaName}.audit_log) a WHERE action = 'staff.directory.search' AND actor_id = 'fd.gaps'");
        Assert.Equal(3, audited);
    }

    [Fact]
    public async Task ListRoleTasksAtMyLocationsAndAtNoneUnderMyRolesAndLeaveTheRestToAll()
    {
        var locations = (await _admin.GraphQLAsync("{ locations { id } }")).Data("locations").AsArray().Select(l => l!["id"]!.GetValue<string>()).ToList();
        var (here, there) = (locations[0], locations[1]);
        var atHere = (await StartAsync(AtLocation, here))["id"]!.GetValue<string>();
        var atThere = (await StartAsync(AtLocation, there))["id"]!.GetValue<string>();
        var anywhere = (await StartAsync(Review))["id"]!.GetValue<string>();

        using var physicianHere = _host.Client(_host.LocationToken(_tenant.Slug, "dr.here", [Guid.Parse(here)], "physician"));
        using var managerHere = _host.Client(_host.LocationToken(_tenant.Slug, "lead.here", [Guid.Parse(here)], "physician", "tenant-admin"));
        var mine = await IdsAsync(physicianHere, "MY_ROLES");
        var managers = await IdsAsync(managerHere, "MY_ROLES");
        var all = await IdsAsync(managerHere, "ALL");

        Assert.Contains(atHere, mine);
        Assert.Contains(anywhere, mine);
        Assert.DoesNotContain(atThere, mine);
        // workflow.manage does not widen MY_ROLES: what is elsewhere is under ALL.
        Assert.Contains(atHere, managers);
        Assert.Contains(anywhere, managers);
        Assert.DoesNotContain(atThere, managers);
        Assert.Contains(atThere, all);
        Assert.Equal("FORBIDDEN", (await physicianHere.GraphQLAsync(Tasks, new { scope = "ALL" })).Code);
        // A membership restricted to no location covers every one: its MY_ROLES has them all.
        var everywhere = await IdsAsync(_physician, "MY_ROLES");
        Assert.Contains(atHere, everywhere);
        Assert.Contains(atThere, everywhere);
    }

    private async Task<JsonNode> StartAsync(string key, string? locationId = null)
    {
        var instance = (await _admin.GraphQLAsync(WorkflowGraph.Start, new { input = new { key, locationId, patientId = _patient, inputs = "{}" } })).Data("startWorkflow");
        var id = instance["id"]!.GetValue<string>();
        var task = (await _admin.GraphQLAsync(Instance, new { id })).Data("workflowInstance")["tasks"]!.AsArray()
            .Single(t => t!["status"]!.GetValue<string>() == "open")!;
        return task;
    }

    private async Task<string> OpenTaskAsync(string instanceId, string nodeId) =>
        (await _admin.GraphQLAsync(Instance, new { id = instanceId })).Data("workflowInstance")["tasks"]!.AsArray()
        .Single(t => t!["nodeId"]!.GetValue<string>() == nodeId && t["status"]!.GetValue<string>() == "open")!["id"]!.GetValue<string>();

    private static async Task<IReadOnlyList<string>> IdsAsync(HttpClient client, string scope) =>
        (await client.GraphQLAsync(Tasks, new { scope })).Data("workflowTasks")["nodes"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToList();

    /// <summary>Every response to the test's form, and the submitted ones.</summary>
    private async Task<(long Responses, long Submitted)> CountsAsync() =>
        (await CountAsync(_host, _tenant, $"SELECT count(*) FROM form_responses WHERE form_key = '{_formKey}'"),
         await CountAsync(_host, _tenant, $"SELECT count(*) FROM form_responses WHERE form_key = '{_formKey}' AND status IN ('completed', 'amended')"));

    private async Task<(string Status, int RowVersion)> TaskStateAsync(string id)
    {
        var task = (await _admin.GraphQLAsync("query($id: ID!) { workflowTask(id: $id) { status rowVersion } }", new { id })).Data("workflowTask");
        return (task["status"]!.GetValue<string>(), task["rowVersion"]!.GetValue<int>());
    }
}
