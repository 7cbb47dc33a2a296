using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// <c>workflowTaskChanged</c> over WebSocket (graphql-transport-ws): the runtime announces each task change on the
/// tenant topic in the change's transaction, and each subscriber hears the changes of the tasks in their inbox only
/// (re-read under the inbox's rule), from whichever host committed them, in their tenant only. Signals arrive in commit
/// order, so "not delivered" is proven by a later change that is delivered first.
/// </summary>
[Collection(WorkflowTests.Name)]
public sealed class WorkflowTaskSubscriptionsShould : IAsyncLifetime
{
    private const string Follow =
        "subscription { workflowTaskChanged { taskId task { id status definitionKey subjectId assigneeRole assigneeUser assigneeLocation claimedBy outcome } } }";

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _np = null!;
    private HttpClient _physician = null!;
    private string _patient = null!;

    public async Task InitializeAsync()
    {
        _host = await WorkflowHost.StartAsync();
        _tenant = await _host.CreateTenantAsync("wf-live");
        _np = _host.Client(_host.Token(_tenant.Slug, "np.live", "nurse-practitioner"));
        _physician = _host.Client(_host.Token(_tenant.Slug, "dr.live", "physician"));
        _patient = await FirstPatientAsync(_np);
    }

    public async Task DisposeAsync()
    {
        _np.Dispose();
        _physician.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task DeliverATaskCreatedForMyRoleAndItsClaim()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _host.Token(_tenant.Slug, "dr.watch", "physician"));
        await socket.SubscribeAsync("tasks", Follow);
        Assert.Empty(await socket.BarrierAsync());

        var note = await SignedNoteAsync(_np, _patient);
        await TaskForAsync(_physician, note);
        var created = Changed(await socket.ExpectAsync("next", "tasks"));

        Assert.Equal(("open", "note-cosignature", note, "physician"), (created["status"]!.GetValue<string>(),
            created["definitionKey"]!.GetValue<string>(), created["subjectId"]!.GetValue<string>(), created["assigneeRole"]!.GetValue<string>()));
        var id = created["id"]!.GetValue<string>();
        (await _physician.GraphQLAsync(Claim, new { id })).Data("claimWorkflowTask");
        var claimed = Changed(await socket.ExpectAsync("next", "tasks"));
        Assert.Equal((id, "claimed", "dr.live"), (claimed["id"]!.GetValue<string>(), claimed["status"]!.GetValue<string>(),
            claimed["claimedBy"]!.GetValue<string>()));

        (await _physician.GraphQLAsync(Complete, new { id, outcome = "approve" })).Data("completeWorkflowTask");
        var completed = Changed(await socket.ExpectAsync("next", "tasks"));
        Assert.Equal(("completed", "approve"), (completed["status"]!.GetValue<string>(), completed["outcome"]!.GetValue<string>()));
    }

    [Fact]
    public async Task DeliverNothingOfATaskForAnotherRoleOrLocationUntilItIsGivenToThem()
    {
        var elsewhere = await OtherLocationAsync();
        // Tasks are delegated to the practice's staff: these two are.
        var rn = (await _host.CreateNamedAsync(_tenant, "Rn Live", "nurse")).Id.ToString();
        var drFar = (await _host.CreateNamedAsync(_tenant, "Dr Far", "physician")).Id.ToString();
        await using var nurse = await GraphQLSocket.OpenAsync(_host, _host.Token(_tenant.Slug, rn, "nurse"));
        await using var far = await GraphQLSocket.OpenAsync(_host, _host.LocationToken(_tenant.Slug, drFar, [elsewhere], "physician"));
        await nurse.SubscribeAsync("tasks", Follow);
        await far.SubscribeAsync("tasks", Follow);
        Assert.Empty(await nurse.BarrierAsync());
        Assert.Empty(await far.BarrierAsync());

        var note = await SignedNoteAsync(_np, _patient);
        var task = await TaskForAsync(_physician, note);
        Assert.NotEqual(elsewhere.ToString(), task["assigneeLocation"]!.GetValue<string>());
        using var nurseClient = _host.Client(_host.Token(_tenant.Slug, rn, "nurse"));
        (await _physician.GraphQLAsync(DelegateTask, new { id = task["id"]!.GetValue<string>(), user = rn, comment = "please check" }))
            .Data("delegateWorkflowTask");

        // The nurse's first message is the delegation, not the creation: a physicians' task never reached her.
        var given = Changed(await nurse.ExpectAsync("next", "tasks"));
        Assert.Equal((rn, "open"), (given["assigneeUser"]!.GetValue<string>(), given["status"]!.GetValue<string>()));

        (await nurseClient.GraphQLAsync(DelegateTask, new { id = task["id"]!.GetValue<string>(), user = drFar, comment = "yours" }))
            .Data("delegateWorkflowTask");
        // The physician at another location hears of it only once it is his; the nurse hears it left her inbox.
        var his = Changed(await far.ExpectAsync("next", "tasks"));
        Assert.Equal(drFar, his["assigneeUser"]!.GetValue<string>());
        var gone = (await nurse.ExpectAsync("next", "tasks"))["payload"]!["data"]!["workflowTaskChanged"]!;
        Assert.Equal((task["id"]!.GetValue<string>(), null), (gone["taskId"]!.GetValue<string>(), gone["task"]));
    }

    [Fact]
    public async Task NeverDeliverAnotherTenantsTask()
    {
        var other = await _host.CreateTenantAsync("wf-live-b");
        using var theirNp = _host.Client(_host.Token(other.Slug, "np.b", "nurse-practitioner"));
        using var theirPhysician = _host.Client(_host.Token(other.Slug, "dr.b", "physician"));
        await using var socket = await GraphQLSocket.OpenAsync(_host, _host.Token(_tenant.Slug, "dr.ours", "physician"));
        await socket.SubscribeAsync("tasks", Follow);
        Assert.Empty(await socket.BarrierAsync());

        var theirs = await SignedNoteAsync(theirNp, await FirstPatientAsync(theirNp));
        await TaskForAsync(theirPhysician, theirs);
        var ours = await SignedNoteAsync(_np, _patient);
        await TaskForAsync(_physician, ours);
        var first = Changed(await socket.ExpectAsync("next", "tasks"));

        Assert.Equal(ours, first["subjectId"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefuseASubscriberWithoutTheInbox()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _host.Token(_tenant.Slug, "bill.live", "biller"));

        await socket.SubscribeAsync("tasks", Follow);
        var error = await socket.ExpectAsync("error", "tasks");

        Assert.Equal("FORBIDDEN", error["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
        Assert.Empty(await socket.BarrierAsync());
    }

    [Fact]
    public async Task DeliverAChangeCommittedOnOneHostToASubscriberOnAnother()
    {
        // The other host runs no workflow worker: the task is made by this host's dispatcher, the claim by its API.
        await using var other = await TestHost.StartAsync();
        await using var socket = await GraphQLSocket.OpenAsync(other, other.Token(_tenant.Slug, "dr.remote", "physician"));
        await socket.SubscribeAsync("tasks", Follow);
        Assert.Empty(await socket.BarrierAsync());

        var note = await SignedNoteAsync(_np, _patient);
        await TaskForAsync(_physician, note);
        var created = Changed(await socket.ExpectAsync("next", "tasks"));
        Assert.Equal(note, created["subjectId"]!.GetValue<string>());

        (await _physician.GraphQLAsync(Claim, new { id = created["id"]!.GetValue<string>() })).Data("claimWorkflowTask");
        var claimed = Changed(await socket.ExpectAsync("next", "tasks"));
        Assert.Equal(("claimed", "dr.live"), (claimed["status"]!.GetValue<string>(), claimed["claimedBy"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ListEveryTaskOfTheTenantOnlyForThoseWhoManageWorkflows()
    {
        var note = await SignedNoteAsync(_np, _patient);
        var task = await TaskForAsync(_physician, note);
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.live", "tenant-admin"));

        var refused = await _physician.GraphQLAsync(Tasks, new { scope = "ALL" });
        var all = (await admin.GraphQLAsync(Tasks, new { scope = "ALL" })).Data("workflowTasks")["nodes"]!.AsArray();

        Assert.Equal("FORBIDDEN", refused.Code);
        Assert.Contains(all, t => t!["id"]!.GetValue<string>() == task["id"]!.GetValue<string>());
    }

    private static JsonNode Changed(JsonObject message)
    {
        var change = message["payload"]!["data"]!["workflowTaskChanged"]!;
        var task = change["task"]!;
        Assert.Equal(change["taskId"]!.GetValue<string>(), task["id"]!.GetValue<string>());
        return task;
    }

    private async Task<Guid> OtherLocationAsync()
    {
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.live", "tenant-admin"));
        var home = (await admin.GraphQLAsync("query($id: ID!) { patient(id: $id) { homeLocationId } }", new { id = _patient })).Data("patient")["homeLocationId"]!
            .GetValue<string>();
        var other = (await admin.GraphQLAsync("{ locations { id } }")).Data("locations").AsArray().First(l => l!["id"]!.GetValue<string>() != home)!;
        return Guid.Parse(other["id"]!.GetValue<string>());
    }

    private static async Task<string> FirstPatientAsync(HttpClient client) =>
        (await client.GraphQLAsync("{ patients(first: 1) { nodes { id } } }")).Data("patients")["nodes"]![0]!["id"]!.GetValue<string>();

    private static async Task<string> SignedNoteAsync(HttpClient author, string patient)
    {
        var draft = (await author.GraphQLAsync("mutation($input: NoteInput!) { startNote(input: $input) { id version } }",
            new { input = new { patientId = patient, noteType = "progress", title = "Visit", narrative = "Seen today." } })).Data("startNote");
        return (await author.GraphQLAsync("mutation($id: ID!, $v: Int!) { signNote(id: $id, expectedVersion: $v) { id } }",
            new { id = draft["id"]!.GetValue<string>(), v = draft["version"]!.GetValue<int>() })).Data("signNote")["id"]!.GetValue<string>();
    }

    /// <summary>
    /// The task once the dispatcher made it (read through the API first, so a socket's wait never includes the
    /// dispatcher's: on a loaded machine that can exceed the socket helper's guard). A bound, not a timing assertion.
    /// </summary>
    private static Task<JsonNode> TaskForAsync(HttpClient physician, string note) => EventuallyAsync(async () =>
        (await physician.GraphQLAsync(Tasks, new { scope = "MY_ROLES" })).Data("workflowTasks")["nodes"]!.AsArray()
        .FirstOrDefault(t => t!["subjectId"]!.GetValue<string>() == note), $"the co-signature task of note {note}", seconds: 180);
}
