using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// Definitions as versioned artifacts: the starter pack's published as standards, a bad graph refused at publish with
/// each problem's node, manual starts checked against their inputs, instances pinned to their version and moved to a
/// newer one only by an admin and only where they wait at a node both versions have.
/// </summary>
[Collection(WorkflowTests.Name)]
public sealed class WorkflowDefinitionsShould : IAsyncLifetime
{
    private static readonly string[] Approve = ["approve"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _nurse = null!;
    private HttpClient _frontDesk = null!;
    private HttpClient _physician = null!;
    private string _patient = null!;
    private string _main = null!;

    public async Task InitializeAsync()
    {
        _host = await WorkflowHost.StartAsync();
        _tenant = await _host.CreateTenantAsync("wf-defs");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.defs", "tenant-admin"));
        _nurse = _host.Client(_host.Token(_tenant.Slug, "rn.defs", "nurse"));
        _frontDesk = _host.Client(_host.Token(_tenant.Slug, "fd.defs", "front-desk"));
        _physician = _host.Client(_host.Token(_tenant.Slug, "dr.defs", "physician"));
        _patient = (await _nurse.GraphQLAsync("{ patients(first: 1) { nodes { id } } }")).Data("patients")["nodes"]![0]!["id"]!.GetValue<string>();
        _main = (await _admin.GraphQLAsync("{ locations { id code } }")).Data("locations").AsArray()
            .Single(l => l!["code"]!.GetValue<string>() == "MAIN")!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _nurse.Dispose();
        _frontDesk.Dispose();
        _physician.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task PublishTheStarterPacksWorkflowsAndRolesAsTenantStandards()
    {
        var definitions = (await _admin.GraphQLAsync("{ workflowDefinitions { key version status source triggerType triggerEvent locationId } }"))
            .Data("workflowDefinitions").AsArray();
        var roles = (await _admin.GraphQLAsync("{ roles { key } }")).Data("roles").AsArray().Select(r => r!["key"]!.GetValue<string>()).ToList();
        var startable = (await _frontDesk.GraphQLAsync("query($l: ID) { startableWorkflows(locationId: $l) { key inputs { name required } } }", new { l = _main }))
            .Data("startableWorkflows").AsArray();

        Assert.Equal(["intake-review", "medication-refill", "note-cosignature", "referral-review"], definitions.Select(d => d!["key"]!.GetValue<string>()));
        Assert.All(definitions, d => Assert.Equal(("published", "pack:primary-care", 1), (d!["status"]!.GetValue<string>(), d["source"]!.GetValue<string>(),
            d["version"]!.GetValue<int>())));
        Assert.Contains("medical-director", roles);
        Assert.Contains("practice-lead", roles);
        Assert.Equal(["medication-refill", "referral-review"], startable.Select(s => s!["key"]!.GetValue<string>()));
        Assert.Equal("FORBIDDEN", (await _frontDesk.GraphQLAsync("{ workflowDefinitions { key } }")).Code);
    }

    [Fact]
    public async Task RefuseABrokenGraphAtPublishNamingEachNode()
    {
        var broken = ToJson(new
        {
            schemaVersion = 1,
            title = "Broken",
            variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { } } },
                new { id = "call", kind = "action", action = "chart.teleport", inputs = new { } },
                new { id = "lost", kind = "notify", to = new[] { new { role = "nurse" } }, template = "x" },
                new { id = "end", kind = "end" },
            },
            edges = new object[]
            {
                new { from = "start", to = "call" },
                new { from = "call", outcome = "done", to = "nowhere" },
                new { from = "lost", to = "end" },
            },
        });
        var draft = (await _admin.GraphQLAsync(CreateDraft, new { input = new { key = "broken", title = "Broken", content = broken } })).Data("createWorkflowDraft");
        var notJson = await _admin.GraphQLAsync(CreateDraft, new { input = new { key = "not-json", title = "x", content = "{ nodes: [" } });

        var refused = await _admin.GraphQLAsync(Publish, new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>() });
        var validated = (await _admin.GraphQLAsync("query($c: String!) { validateWorkflowDefinition(content: $c) { nodeId code path } }", new { c = broken }))
            .Data("validateWorkflowDefinition").AsArray();

        Assert.Equal(("draft", "VALIDATION_FAILED"), (draft["status"]!.GetValue<string>(), refused.Code));
        var fields = refused.Errors![0]!["extensions"]!["fields"]!.AsArray()
            .Select(f => (Node: f!["nodeId"]?.GetValue<string>(), Code: f["code"]!.GetValue<string>(), Path: f["path"]!.GetValue<string>())).ToList();
        Assert.Contains(("call", "ACTION_UNKNOWN", "content.nodes[1].action"), fields);
        Assert.Contains(fields, f => f is { Node: "call", Code: "EDGE_UNKNOWN_NODE" } && f.Path.StartsWith("content.edges[1]", StringComparison.Ordinal));
        Assert.Equal(fields.Select(f => (f.Node, f.Code)).Order(), validated.Select(v => (v!["nodeId"]?.GetValue<string>(), v["code"]!.GetValue<string>())).Order());
        Assert.Equal(("VALIDATION_FAILED", "input.content"), (notJson.Code, notJson.FieldPaths.Single()));
        var still = (await _admin.GraphQLAsync("query($id: ID!) { workflowDefinition(id: $id) { status } }", new { id = draft["id"]!.GetValue<string>() }))
            .Data("workflowDefinition");
        Assert.Equal("draft", still["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task StartARefillRequestByHandAndTellThePatientItWasDeclined()
    {
        var before = await CountAsync(_host, _tenant, "SELECT count(*) FROM workflow_instances");
        var missing = await _frontDesk.GraphQLAsync(Start, new { input = new { key = "medication-refill", locationId = _main, patientId = _patient, inputs = "{\"pharmacy\": 5}" } });
        var unknown = await _frontDesk.GraphQLAsync(Start, new { input = new { key = "no-such-flow", locationId = _main, inputs = "{}" } });
        var byEvent = await _frontDesk.GraphQLAsync(Start, new { input = new { key = "note-cosignature", locationId = _main, inputs = "{}" } });
        var badJson = await _frontDesk.GraphQLAsync(Start, new { input = new { key = "medication-refill", inputs = "[1]" } });
        using var biller = _host.Client(_host.Token(_tenant.Slug, "bill.defs", "biller"));

        Assert.Equal("VALIDATION_FAILED", missing.Code);
        Assert.Equal(["input.inputs.medication", "input.inputs.pharmacy"], missing.FieldPaths.Order());
        Assert.Equal(("VALIDATION_FAILED", "input.key"), (unknown.Code, unknown.FieldPaths.Single()));
        Assert.Equal("NOT_MANUAL", byEvent.Errors![0]!["extensions"]!["fields"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(("VALIDATION_FAILED", "input.inputs"), (badJson.Code, badJson.FieldPaths.Single()));
        Assert.Equal("FORBIDDEN", (await biller.GraphQLAsync(Start, new { input = new { key = "medication-refill", inputs = "{}" } })).Code);
        Assert.Equal(before, await CountAsync(_host, _tenant, "SELECT count(*) FROM workflow_instances"));

        var request = new { key = "medication-refill", locationId = _main, patientId = _patient, inputs = "{\"medication\": \"lisinopril 10 mg\"}", requestId = "refill-1" };
        var started = (await _frontDesk.GraphQLAsync(Start, new { input = request })).Data("startWorkflow");
        var again = (await _frontDesk.GraphQLAsync(Start, new { input = request })).Data("startWorkflow");
        Assert.Equal(started["id"]!.GetValue<string>(), again["id"]!.GetValue<string>());
        Assert.Equal(("Patient", _patient, _main), (started["subjectType"]!.GetValue<string>(), started["subjectId"]!.GetValue<string>(),
            started["locationId"]!.GetValue<string>()));

        var review = await TaskAsync(_nurse, started["id"]!.GetValue<string>(), "nurse-review");
        (await _nurse.GraphQLAsync(Complete, new { id = review, outcome = "approve" })).Data("completeWorkflowTask");
        var decision = await TaskAsync(_physician, started["id"]!.GetValue<string>(), "prescriber-decision");
        (await _physician.GraphQLAsync(Complete, new { id = decision, outcome = "reject", comment = "Needs a visit first: book one this week." }))
            .Data("completeWorkflowTask");

        var portal = _host.Client(_host.PatientToken(_tenant.Slug, "pat.defs", Guid.Parse(_patient)));
        var told = (await portal.GraphQLAsync("{ portalNotifications { template channel data } }")).Data("portalNotifications").AsArray().Single()!;
        Assert.Equal(("refill-declined", "portal"), (told["template"]!.GetValue<string>(), told["channel"]!.GetValue<string>()));
        Assert.Equal("Needs a visit first: book one this week.", JsonNode.Parse(told["data"]!.GetValue<string>())!["reason"]!.GetValue<string>());
        var instance = (await _admin.GraphQLAsync(Instance, new { id = started["id"]!.GetValue<string>() })).Data("workflowInstance")["instance"]!;
        Assert.Equal(("completed", "declined", "fd.defs"), (instance["status"]!.GetValue<string>(), instance["outcome"]!.GetValue<string>(),
            instance["startedBy"]!.GetValue<string>()));
    }

    [Fact]
    public async Task MoveAWaitingInstanceToANewerVersionOnlyWhereItWaitsAtANodeBothHave()
    {
        var v1 = await PublishAsync(_admin, "review-flow", Review("review", "end"));
        var started = (await _nurse.GraphQLAsync(Start, new { input = new { key = "review-flow", locationId = _main, inputs = "{}" } })).Data("startWorkflow");
        var id = started["id"]!.GetValue<string>();
        var v2 = await NextVersionAsync(Review("review", "tell"));
        var v3 = await NextVersionAsync(Review("check", "end"));

        var allowed = (await _admin.GraphQLAsync(MigrationCheck, new { id, to = v2 })).Data("workflowMigrationCheck");
        var refusedCheck = (await _admin.GraphQLAsync(MigrationCheck, new { id, to = v3 })).Data("workflowMigrationCheck");
        var refused = await _admin.GraphQLAsync(Migrate, new { id, to = v3 });
        var byNurse = await _nurse.GraphQLAsync(Migrate, new { id, to = v2 });
        var notAVersion = await _admin.GraphQLAsync(Migrate, new { id, to = Guid.NewGuid().ToString() });

        Assert.True(allowed["allowed"]!.GetValue<bool>());
        Assert.False(refusedCheck["allowed"]!.GetValue<bool>());
        Assert.Equal(("review", "NODE_MISSING"), (refusedCheck["reasons"]![0]!["nodeId"]!.GetValue<string>(), refusedCheck["reasons"]![0]!["code"]!.GetValue<string>()));
        Assert.Equal("MIGRATION_REFUSED", refused.Code);
        Assert.Equal("review", refused.Errors![0]!["extensions"]!["fields"]![0]!["nodeId"]!.GetValue<string>());
        Assert.Equal("FORBIDDEN", byNurse.Code);
        Assert.Equal(("VALIDATION_FAILED", "toVersionId"), (notAVersion.Code, notAVersion.FieldPaths.Single()));
        Assert.Equal(v1, (await _admin.GraphQLAsync(Instance, new { id })).Data("workflowInstance")["instance"]!["definitionVersionId"]!.GetValue<string>());

        var migrated = (await _admin.GraphQLAsync(Migrate, new { id, to = v2 })).Data("migrateWorkflowInstance");
        Assert.Equal(v2, migrated["instance"]!["definitionVersionId"]!.GetValue<string>());
        Assert.Contains(migrated["timeline"]!.AsArray(), e => e!["what"]!.GetValue<string>() == "migrated" && e["actorId"]!.GetValue<string>() == "admin.defs");

        // It carries on along the new version: v2's notification after the review.
        (await _nurse.GraphQLAsync(Complete, new { id = await TaskAsync(_nurse, id, "review"), outcome = "approve" })).Data("completeWorkflowTask");
        var done = (await _admin.GraphQLAsync(Instance, new { id })).Data("workflowInstance");
        Assert.Equal("completed", done["instance"]!["status"]!.GetValue<string>());
        Assert.Contains(done["timeline"]!.AsArray(), e => e!["what"]!.GetValue<string>() == "notification.sent");
        var audit = (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id, action: \"workflow.migrate\") { edges { node { actorId } } } }", new { id }))
            .Data("auditLog")["edges"]!.AsArray();
        Assert.Equal("admin.defs", Assert.Single(audit)!["node"]!["actorId"]!.GetValue<string>());
    }

    private async Task<string> NextVersionAsync(string content)
    {
        var draft = (await _admin.GraphQLAsync(CreateDraft, new { input = new { key = "review-flow", title = "review-flow", content } })).Data("createWorkflowDraft");
        return (await _admin.GraphQLAsync(Publish, new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>() }))
            .Data("publishWorkflowDefinition")["id"]!.GetValue<string>();
    }

    /// <summary>A manual start, a nurse's review task at the start's location (node <paramref name="task"/>), then <paramref name="after"/>.</summary>
    private static string Review(string task, string after)
    {
        var nodes = new List<object>
        {
            new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { } } },
            new { id = task, kind = "task", title = "Review", assignee = new { role = "nurse", atSubjectLocation = true }, outcomes = Approve },
            new { id = "end", kind = "end", outcome = "reviewed" },
        };
        var edges = new List<object> { new { from = "start", to = task } };
        if (after == "tell")
        {
            nodes.Add(new { id = "tell", kind = "notify", to = new[] { new { role = "nurse", atSubjectLocation = true } }, template = "reviewed" });
            edges.Add(new { from = task, outcome = "approve", to = "tell" });
            edges.Add(new { from = "tell", to = "end" });
        }
        else
        {
            edges.Add(new { from = task, outcome = "approve", to = "end" });
        }

        return ToJson(new { schemaVersion = 1, title = "Review", variables = new { }, nodes, edges });
    }

    private static Task<string> TaskAsync(HttpClient worker, string instance, string node) => EventuallyAsync(async () =>
        (await worker.GraphQLAsync(Tasks, new { scope = "ASSIGNED" })).Data("workflowTasks")["nodes"]!.AsArray()
        .FirstOrDefault(t => t!["instanceId"]!.GetValue<string>() == instance && t["nodeId"]!.GetValue<string>() == node)?["id"]!.GetValue<string>(),
        $"the task {node} of {instance}");
}
