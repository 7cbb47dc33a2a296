using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Ehr.Workflow.Effects;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// Timers are Hangfire jobs whose ids are kept on their bookmarks: an escalation is scheduled for its due time and,
/// when its job runs (run here as the job server would run it 72 hours later), reassigns the task; a timer whose
/// bookmark was consumed first is deleted and changes nothing if it fires anyway; a short timer goes through the real
/// job server.
/// </summary>
[Collection(WorkflowTests.Name)]
public sealed class WorkflowTimersShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _np = null!;
    private HttpClient _physician = null!;
    private HttpClient _admin = null!;
    private HttpClient _director = null!;
    private string _patient = null!;

    public async Task InitializeAsync()
    {
        _host = await WorkflowHost.StartAsync();
        _tenant = await _host.CreateTenantAsync("wf-timers");
        _np = _host.Client(_host.Token(_tenant.Slug, "np.tim", "nurse-practitioner"));
        _physician = _host.Client(_host.Token(_tenant.Slug, "dr.tim", "physician"));
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.tim", "tenant-admin"));
        _director = _host.Client(_host.Token(_tenant.Slug, "dr.director", "medical-director"));
        _patient = (await _np.GraphQLAsync("{ patients(first: 1) { nodes { id } } }")).Data("patients")["nodes"]![0]!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        _np.Dispose();
        _physician.Dispose();
        _admin.Dispose();
        _director.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task EscalateAnOverdueCoSignatureToTheMedicalDirector()
    {
        var (task, escalation) = await CoSignatureTaskAsync();
        var instanceId = task["instanceId"]!.GetValue<string>();
        var due = escalation["dueAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(task["dueAt"]!.GetValue<DateTimeOffset>(), due);
        Assert.Equal("Scheduled", StateOf(escalation["jobId"]!.GetValue<string>()));
        // Scheduled for when it is due (the job server moves it to its queue then), not sooner.
        var enqueueAt = _host.Services.GetRequiredService<JobStorage>().GetMonitoringApi().ScheduledJobs(0, 10_000)
            .Single(j => j.Key == escalation["jobId"]!.GetValue<string>()).Value.EnqueueAt;
        Assert.InRange(new DateTimeOffset(DateTime.SpecifyKind(enqueueAt, DateTimeKind.Utc)), due.AddSeconds(-2), due.AddMinutes(1));

        await _host.Services.GetRequiredService<WorkflowTimers>().FireAsync(_tenant.Slug, Guid.Parse(instanceId),
            escalation["bookmarkId"]!.GetValue<string>(), CancellationToken.None);

        var reassigned = (await _admin.GraphQLAsync(Instance, new { id = instanceId })).Data("workflowInstance");
        var row = reassigned["tasks"]!.AsArray().Single()!;
        Assert.Equal(("medical-director", 1, "open"), (row["assigneeRole"]!.GetValue<string>(), row["escalationLevel"]!.GetValue<int>(),
            row["status"]!.GetValue<string>()));
        Assert.Contains(reassigned["timeline"]!.AsArray(), e => e!["what"]!.GetValue<string>() == "task.escalated"
                                                                && e["actorId"]!.GetValue<string>() == "system:escalation");
        // The next escalation (the director's reminder after five days) is scheduled in turn.
        var next = await EscalationAsync(instanceId, except: escalation["bookmarkId"]!.GetValue<string>());
        Assert.Equal("Scheduled", StateOf(next["jobId"]!.GetValue<string>()));

        // The physician no longer may decide it; the medical director (the pack's custom role) does.
        Assert.Equal("TASK_NOT_ASSIGNED", (await _physician.GraphQLAsync(Complete, new { id = row["id"]!.GetValue<string>(), outcome = "approve" })).Code);
        var inbox = (await _director.GraphQLAsync(Tasks, new { scope = "MY_ROLES" })).Data("workflowTasks")["nodes"]!.AsArray();
        Assert.Contains(inbox, t => t!["id"]!.GetValue<string>() == row["id"]!.GetValue<string>());
        await _director.GraphQLAsync(Complete, new { id = row["id"]!.GetValue<string>(), outcome = "approve" });
        var done = await CompletedAsync(instanceId);
        Assert.Equal("cosigned", done["instance"]!["outcome"]!.GetValue<string>());
        Assert.Equal("Deleted", StateOf(next["jobId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ChangeNothingWhenATimerFiresAfterItsTaskWasDecided()
    {
        var (task, escalation) = await CoSignatureTaskAsync();
        var instanceId = task["instanceId"]!.GetValue<string>();
        var jobId = escalation["jobId"]!.GetValue<string>();
        await _physician.GraphQLAsync(Complete, new { id = task["id"]!.GetValue<string>(), outcome = "approve" });
        var done = await CompletedAsync(instanceId);
        // The decision cancelled the escalation: its job was deleted once the step committed.
        await EventuallyAsync(() => Task.FromResult(StateOf(jobId) == "Deleted" ? "" : null), "the escalation's job to be deleted");
        var before = await CountAsync(_host, _tenant, $"SELECT count(*) FROM workflow_history WHERE instance_id = '{instanceId}'");

        // As if the job had run anyway (deleted too late, or scheduled twice by a process that died).
        await _host.Services.GetRequiredService<WorkflowTimers>().FireAsync(_tenant.Slug, Guid.Parse(instanceId),
            escalation["bookmarkId"]!.GetValue<string>(), CancellationToken.None);

        var after = (await _admin.GraphQLAsync(Instance, new { id = instanceId })).Data("workflowInstance");
        Assert.Equal(before, await CountAsync(_host, _tenant, $"SELECT count(*) FROM workflow_history WHERE instance_id = '{instanceId}'"));
        Assert.DoesNotContain(after["timeline"]!.AsArray(), e => e!["what"]!.GetValue<string>() is "timer.fired" or "task.escalated");
        Assert.Equal(("completed", "cosigned", 0), (after["instance"]!["status"]!.GetValue<string>(), after["instance"]!["outcome"]!.GetValue<string>(),
            after["instance"]!["openIncidents"]!.GetValue<int>()));
        Assert.Equal(done["instance"]!["steps"]!.GetValue<int>(), after["instance"]!["steps"]!.GetValue<int>());
        Assert.Equal("completed", after["tasks"]!.AsArray().Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task FireAShortTimerThroughTheJobServer()
    {
        var version = await PublishAsync(_admin, "pause", ToJson(new
        {
            schemaVersion = 1,
            title = "Pause",
            variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { } } },
                new { id = "wait", kind = "timer", duration = "PT1S" },
                new { id = "end", kind = "end", outcome = "waited" },
            },
            edges = new[] { new { from = "start", to = "wait" }, new { from = "wait", to = "end" } },
        }));
        var started = (await _physician.GraphQLAsync(Start, new { input = new { key = "pause", inputs = "{}" } })).Data("startWorkflow");
        Assert.Equal(version, started["definitionVersionId"]!.GetValue<string>());

        var done = await CompletedAsync(started["id"]!.GetValue<string>());
        var timeline = done["timeline"]!.AsArray().Select(e => e!["what"]!.GetValue<string>()).ToList();
        Assert.Equal(["started", "node.passed", "timer.scheduled", "timer.fired", "node.passed", "node.passed", "completed"], timeline);
        Assert.Contains(done["effects"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "scheduleTimer" && e["result"]!.GetValue<string>().StartsWith("scheduled as job", StringComparison.Ordinal));
    }

    /// <summary>An NP's signed note's co-signature task and its escalation bookmark, once the escalation is scheduled.</summary>
    private async Task<(JsonNode Task, JsonNode Escalation)> CoSignatureTaskAsync()
    {
        var draft = (await _np.GraphQLAsync("mutation($input: NoteInput!) { startNote(input: $input) { id version } }",
            new { input = new { patientId = _patient, noteType = "progress", title = "Visit", narrative = "Seen." } })).Data("startNote");
        var note = (await _np.GraphQLAsync("mutation($id: ID!, $v: Int!) { signNote(id: $id, expectedVersion: $v) { id } }",
            new { id = draft["id"]!.GetValue<string>(), v = draft["version"]!.GetValue<int>() })).Data("signNote")["id"]!.GetValue<string>();
        var task = await EventuallyAsync(async () => (await _physician.GraphQLAsync(Tasks, new { scope = "MY_ROLES" })).Data("workflowTasks")["nodes"]!
            .AsArray().FirstOrDefault(t => t!["subjectId"]!.GetValue<string>() == note), "the co-signature task");
        return (task, await EscalationAsync(task["instanceId"]!.GetValue<string>(), except: null));
    }

    private Task<JsonNode> EscalationAsync(string instanceId, string? except) => EventuallyAsync(async () =>
        (await _admin.GraphQLAsync(Instance, new { id = instanceId })).Data("workflowInstance")["waiting"]!.AsArray()
        .FirstOrDefault(w => w!["kind"]!.GetValue<string>() == "escalation" && w["jobId"] is not null && w["bookmarkId"]!.GetValue<string>() != except),
        "the escalation's job to be scheduled");

    private Task<JsonNode> CompletedAsync(string instanceId) => EventuallyAsync(async () =>
    {
        var detail = (await _admin.GraphQLAsync(Instance, new { id = instanceId })).Data("workflowInstance");
        return detail["instance"]!["status"]!.GetValue<string>() == "completed" ? detail : null;
    }, "the instance to complete");

    private string StateOf(string jobId) =>
        _host.Services.GetRequiredService<JobStorage>().GetMonitoringApi().JobDetails(jobId).History.OrderByDescending(h => h.CreatedAt).First().StateName;
}
