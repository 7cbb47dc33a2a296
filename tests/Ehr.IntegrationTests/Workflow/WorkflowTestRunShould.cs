using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// The designer's test run (<c>testRunWorkflow</c>): the pure engine driven with a sample start and the tester's moves,
/// replayed from the start on each call. Paths through decisions, quorum tasks, timers fired by hand, script failures
/// as incidents, actions answered as chosen; bad inputs refused with their codes and paths; nothing ever stored.
/// </summary>
public sealed class WorkflowTestRunShould : IAsyncLifetime
{
    private const string Run = """
        query($input: WorkflowTestRunInput!) { testRunWorkflow(input: $input) {
          status outcome message startedAt path variables
          steps { number input automatic at effects variables timeline { what nodeId bookmarkId outcome actorId } }
          waiting { bookmarkId kind nodeId title assignee outcomes dueAt slot slots code message } } }
        """;

    private static readonly string[] NursePractitioner = ["nurse-practitioner"];
    private static readonly string[] Physician = ["physician"];
    private static readonly string[] Resident = ["resident"];
    private static readonly string[] ApproveOrReject = ["approve", "reject"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private string _main = null!;
    private string _cosignature = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("wf-testrun");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.testrun", "tenant-admin"));
        _main = (await _admin.GraphQLAsync("{ locations { id code } }")).Data("locations").AsArray()
            .Single(l => l!["code"]!.GetValue<string>() == "MAIN")!["id"]!.GetValue<string>();
        _cosignature = (await _admin.GraphQLAsync("{ workflowDefinitions(key: \"note-cosignature\") { content } }")).Data("workflowDefinitions")[0]!["content"]!
            .GetValue<string>();
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task TakeTheCoSignaturesApprovePathWithTheTaskWaitingForAPhysicianAtTheNotesLocation()
    {
        var payload = ToJson(new { patientId = "p-1", noteType = "progress", authorId = "np-1", signedBy = "np-1", actorRoles = NursePractitioner });

        var first = await RunAsync(new { content = _cosignature, @event = payload, locationId = _main });
        var task = first["waiting"]!.AsArray().Single(w => w!["kind"]!.GetValue<string>() == "task")!;
        var escalation = first["waiting"]!.AsArray().Single(w => w!["kind"]!.GetValue<string>() == "escalation")!;
        var approved = await RunAsync(new
        {
            content = _cosignature, @event = payload, locationId = _main, startAt = first["startedAt"]!.GetValue<string>(),
            moves = new[] { new { bookmarkId = task["bookmarkId"]!.GetValue<string>(), outcome = "approve", actorId = "dr-1" } },
        });
        var refused = await RunAsync(new
        {
            content = _cosignature, @event = payload, locationId = _main, startAt = first["startedAt"]!.GetValue<string>(),
            moves = new[] { new { bookmarkId = task["bookmarkId"]!.GetValue<string>(), outcome = "approve", actorId = "dr-1" } },
            actionOutcomes = new[] { new { nodeId = "sign", outcome = "refused", output = "{\"reason\": \"The note was entered in error.\"}" } },
        });

        Assert.Equal("running", first["status"]!.GetValue<string>());
        Assert.Equal(("task", "cosign", $"role physician at location {_main}"), (task["kind"]!.GetValue<string>(), task["nodeId"]!.GetValue<string>(),
            task["assignee"]!.GetValue<string>()));
        Assert.Equal(["approve", "returnForChanges"], task["outcomes"]!.AsArray().Select(o => o!.GetValue<string>()));
        Assert.Equal(DateTimeOffset.Parse(first["startedAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).AddHours(72),
            DateTimeOffset.Parse(task["dueAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("cosign", task["dueAt"]!.GetValue<string>()), (escalation["nodeId"]!.GetValue<string>(), escalation["dueAt"]!.GetValue<string>()));
        Assert.Contains(first["steps"]!.AsArray(), s => s!["automatic"]!.GetValue<bool>() && s["input"]!.GetValue<string>().Contains("note.requestCosign answered done", StringComparison.Ordinal));

        Assert.Equal(("completed", "cosigned"), (approved["status"]!.GetValue<string>(), approved["outcome"]!.GetValue<string>()));
        Assert.Equal(["start", "mark-pending", "cosign", "sign", "cosigned"], Path(approved));
        Assert.Empty(approved["waiting"]!.AsArray());
        var review = JsonNode.Parse(approved["variables"]!.GetValue<string>())!["review"]!;
        Assert.Equal(("approve", "dr-1"), (review["outcome"]!.GetValue<string>(), review["actorId"]!.GetValue<string>()));
        Assert.Contains(approved["steps"]!.AsArray(), s => s!["effects"]!.AsArray().Any(e => e!.GetValue<string>().StartsWith("call note.sign with", StringComparison.Ordinal)
            && e.GetValue<string>().Contains("\"signerId\":\"dr-1\"", StringComparison.Ordinal)));

        Assert.Equal(("completed", "refused"), (refused["status"]!.GetValue<string>(), refused["outcome"]!.GetValue<string>()));
        Assert.Equal(["start", "mark-pending", "cosign", "sign", "tell-author-refused", "refused"], Path(refused));
        Assert.Equal("The note was entered in error.", JsonNode.Parse(refused["variables"]!.GetValue<string>())!["cosign"]!["reason"]!.GetValue<string>());
        Assert.Contains(refused["steps"]!.AsArray(), s => s!["effects"]!.AsArray().Any(e => e!.GetValue<string>().Contains("(cosign-refused", StringComparison.Ordinal)
            && e.GetValue<string>().Contains("np-1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task NotStartWhenTheTriggersFilterIsFalseForTheSampleEvent()
    {
        var run = await RunAsync(new { content = _cosignature, @event = ToJson(new { actorRoles = Physician }), locationId = _main });

        Assert.Equal("notStarted", run["status"]!.GetValue<string>());
        Assert.Empty(run["steps"]!.AsArray());
    }

    [Fact]
    public async Task FollowTheDecisionsCaseThatIsTrue()
    {
        var content = Triage();

        var urgent = await RunAsync(new { content, inputs = "{\"score\": 12}" });
        var routine = await RunAsync(new { content, inputs = "{\"score\": 3}" });

        Assert.Equal(("completed", "urgent"), (urgent["status"]!.GetValue<string>(), urgent["outcome"]!.GetValue<string>()));
        Assert.Equal(["start", "triage", "flag", "urgent"], Path(urgent));
        Assert.Equal(12, JsonNode.Parse(urgent["variables"]!.GetValue<string>())!["score"]!.GetValue<int>());
        Assert.Equal("high", JsonNode.Parse(urgent["variables"]!.GetValue<string>())!["level"]!.GetValue<string>());
        Assert.Equal(["start", "triage", "routine"], Path(routine));
    }

    [Fact]
    public async Task WaitForEveryApproverOfAQuorumAndRefuseTheSamePersonTwice()
    {
        var content = ToJson(new
        {
            schemaVersion = 1, title = "Two approvals", variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { } } },
                new { id = "approve", kind = "task", title = "Approve the budget", assignee = new { role = "physician" }, outcomes = ApproveOrReject,
                      quorum = new { approvers = 2, required = 2 } },
                new { id = "yes", kind = "end", outcome = "approved" },
                new { id = "no", kind = "end", outcome = "rejected" },
            },
            edges = new object[]
            {
                new { from = "start", to = "approve" },
                new { from = "approve", outcome = "approve", to = "yes" },
                new { from = "approve", outcome = "reject", to = "no" },
            },
        });
        var first = await RunAsync(new { content });
        var slots = first["waiting"]!.AsArray().Select(w => w!["bookmarkId"]!.GetValue<string>()).ToList();

        var one = await RunAsync(new { content, startAt = first["startedAt"]!.GetValue<string>(), moves = new[] { new { bookmarkId = slots[0], outcome = "approve" } } });
        var both = await RunAsync(new
        {
            content, startAt = first["startedAt"]!.GetValue<string>(),
            moves = new[] { new { bookmarkId = slots[0], outcome = "approve" }, new { bookmarkId = slots[1], outcome = "approve" } },
        });
        var twice = await _admin.GraphQLAsync(Run, new
        {
            input = new
            {
                content,
                moves = new[] { new { bookmarkId = slots[0], outcome = "approve", actorId = "dr-same" }, new { bookmarkId = slots[1], outcome = "approve", actorId = "dr-same" } },
            },
        });

        Assert.Equal(2, slots.Count);
        Assert.All(first["waiting"]!.AsArray(), w => Assert.Equal(2, w!["slots"]!.GetValue<int>()));
        Assert.Equal(("running", slots[1]), (one["status"]!.GetValue<string>(), one["waiting"]!.AsArray().Single()!["bookmarkId"]!.GetValue<string>()));
        Assert.Equal(("completed", "approved"), (both["status"]!.GetValue<string>(), both["outcome"]!.GetValue<string>()));
        Assert.Equal(("VALIDATION_FAILED", "input.moves[1].outcome"), (twice.Code, twice.FieldPaths.Single()));
        Assert.Equal("ACTOR_ALREADY_DECIDED", FieldCode(twice));
    }

    [Fact]
    public async Task ShowAFailingScriptAsAnIncidentWhereTheRunStops()
    {
        var content = ToJson(new
        {
            schemaVersion = 1, title = "Parse", variables = new { parsed = new { type = "any" } },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { text = new { type = "string", required = true } } } },
                new { id = "parse", kind = "set", assign = new { parsed = "JSON.parse(vars.text)" } },
                new { id = "end", kind = "end" },
            },
            edges = new object[] { new { from = "start", to = "parse" }, new { from = "parse", to = "end" } },
        });

        var failing = await RunAsync(new { content, inputs = "{\"text\": \"not json\"}" });
        var fine = await RunAsync(new { content, inputs = "{\"text\": \"{\\\"a\\\": 1}\"}" });

        var incident = failing["waiting"]!.AsArray().Single()!;
        Assert.Equal("running", failing["status"]!.GetValue<string>());
        Assert.Equal(("incident", "parse", "SCRIPT_ERROR"), (incident["kind"]!.GetValue<string>(), incident["nodeId"]!.GetValue<string>(), incident["code"]!.GetValue<string>()));
        Assert.Contains(failing["steps"]![0]!["timeline"]!.AsArray(), e => e!["what"]!.GetValue<string>() == "incident.raised");
        Assert.Equal(1, JsonNode.Parse(fine["variables"]!.GetValue<string>())!["parsed"]!["a"]!.GetValue<int>());
        Assert.Equal("completed", fine["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task FireATimerByHandAtItsDueTime()
    {
        var content = ToJson(new
        {
            schemaVersion = 1, title = "Wait", variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { } } },
                new { id = "wait", kind = "timer", duration = "PT2H" },
                new { id = "end", kind = "end", outcome = "waited" },
            },
            edges = new object[] { new { from = "start", to = "wait" }, new { from = "wait", to = "end" } },
        });
        var first = await RunAsync(new { content, startAt = "2026-03-01T08:00:00Z" });
        var timer = first["waiting"]!.AsArray().Single()!;

        var fired = await RunAsync(new { content, startAt = "2026-03-01T08:00:00Z", moves = new[] { new { bookmarkId = timer["bookmarkId"]!.GetValue<string>() } } });

        Assert.Equal(("timer", "wait"), (timer["kind"]!.GetValue<string>(), timer["nodeId"]!.GetValue<string>()));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero), DateTimeOffset.Parse(timer["dueAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(("completed", "waited"), (fired["status"]!.GetValue<string>(), fired["outcome"]!.GetValue<string>()));
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero),
            DateTimeOffset.Parse(fired["steps"]!.AsArray()[^1]!["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RefuseBadInputsWithTheirCodesAndPathsAndStoreNothing()
    {
        var tables = new[] { "workflow_instances", "workflow_tasks", "workflow_history", "workflow_effects", "workflow_notifications", "audit_log", "domain_events", "artifacts" };
        var before = new List<long>();
        foreach (var table in tables)
        {
            before.Add(await CountAsync(_host, _tenant, $"SELECT count(*) FROM {table}"));
        }

        var unreachable = ToJson(new
        {
            schemaVersion = 1, title = "Lost", variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { } } },
                new { id = "lost", kind = "notify", to = new[] { new { role = "nurse" } }, template = "x" },
                new { id = "end", kind = "end" },
            },
            edges = new object[] { new { from = "start", to = "end" }, new { from = "lost", to = "end" } },
        });
        var triage = Triage();
        var first = await RunAsync(new { content = triage, inputs = "{\"score\": 1}" });
        Assert.Equal("completed", first["status"]!.GetValue<string>());
        using var nurse = _host.Client(_host.Token(_tenant.Slug, "rn.testrun", "nurse"));

        var invalid = await _admin.GraphQLAsync(Run, new { input = new { content = unreachable } });
        var notJson = await _admin.GraphQLAsync(Run, new { input = new { content = "{ nodes: [" } });
        var badInputs = await _admin.GraphQLAsync(Run, new { input = new { content = triage, inputs = "[1]" } });
        var missing = await _admin.GraphQLAsync(Run, new { input = new { content = triage, inputs = "{}" } });
        var wrongType = await _admin.GraphQLAsync(Run, new { input = new { content = triage, inputs = "{\"score\": \"high\"}" } });
        var eventForManual = await _admin.GraphQLAsync(Run, new { input = new { content = triage, inputs = "{\"score\": 1}", @event = "{}" } });
        var unknownBookmark = await _admin.GraphQLAsync(Run, new
        {
            input = new { content = _cosignature, @event = ToJson(new { actorRoles = Resident }), locationId = _main, moves = new[] { new { bookmarkId = "b99" } } },
        });
        var afterTheEnd = await _admin.GraphQLAsync(Run, new { input = new { content = triage, inputs = "{\"score\": 1}", moves = new[] { new { bookmarkId = "b1" } } } });
        var noOutcome = await _admin.GraphQLAsync(Run, new
        {
            input = new
            {
                content = _cosignature, @event = ToJson(new { actorRoles = Resident }), locationId = _main,
                moves = new[] { new { bookmarkId = (await RunAsync(new { content = _cosignature, @event = ToJson(new { actorRoles = Resident }), locationId = _main }))
                    ["waiting"]![0]!["bookmarkId"]!.GetValue<string>() } },
            },
        });
        var badAction = await _admin.GraphQLAsync(Run, new { input = new { content = _cosignature, actionOutcomes = new[] { new { nodeId = "sign", outcome = "maybe" } } } });
        var badOutput = await _admin.GraphQLAsync(Run, new { input = new { content = _cosignature, actionOutcomes = new[] { new { nodeId = "sign", outcome = "signed", output = "[1]" } } } });
        var unknownLocation = await _admin.GraphQLAsync(Run, new { input = new { content = triage, inputs = "{\"score\": 1}", locationId = Guid.NewGuid() } });

        Assert.Equal("VALIDATION_FAILED", invalid.Code);
        var fields = invalid.Errors![0]!["extensions"]!["fields"]!.AsArray();
        Assert.Contains(fields, f => f!["code"]!.GetValue<string>() == "NODE_UNREACHABLE" && f["nodeId"]?.GetValue<string>() == "lost"
                                     && f["path"]!.GetValue<string>().StartsWith("content.nodes[1]", StringComparison.Ordinal));
        Assert.Equal(("VALIDATION_FAILED", "INVALID_JSON"), (notJson.Code, FieldCode(notJson)));
        Assert.Equal(("VALIDATION_FAILED", "input.inputs"), (badInputs.Code, badInputs.FieldPaths.Single()));
        Assert.Equal(("input.inputs.score", "REQUIRED"), (missing.FieldPaths.Single(), FieldCode(missing)));
        Assert.Equal(("input.inputs.score", "INVALID_FORMAT"), (wrongType.FieldPaths.Single(), FieldCode(wrongType)));
        Assert.Equal(("input.event", "TRIGGER_MISMATCH"), (eventForManual.FieldPaths.Single(), FieldCode(eventForManual)));
        Assert.Equal(("input.moves[0].bookmarkId", "BOOKMARK_UNKNOWN"), (unknownBookmark.FieldPaths.Single(), FieldCode(unknownBookmark)));
        Assert.Equal(("input.moves[0]", "INSTANCE_CLOSED"), (afterTheEnd.FieldPaths.Single(), FieldCode(afterTheEnd)));
        Assert.Equal(("input.moves[0].outcome", "REQUIRED"), (noOutcome.FieldPaths.Single(), FieldCode(noOutcome)));
        Assert.Equal(("input.actionOutcomes[0].outcome", "OUTCOME_NOT_ALLOWED"), (badAction.FieldPaths.Single(), FieldCode(badAction)));
        Assert.Equal(("input.actionOutcomes[0].output", "INVALID_FORMAT"), (badOutput.FieldPaths.Single(), FieldCode(badOutput)));
        Assert.Equal(("input.locationId", "UNKNOWN_REFERENCE"), (unknownLocation.FieldPaths.Single(), FieldCode(unknownLocation)));

        for (var i = 0; i < tables.Length; i++)
        {
            Assert.True(before[i] == await CountAsync(_host, _tenant, $"SELECT count(*) FROM {tables[i]}"), $"{tables[i]} changed");
        }

        // Refused for want of workflow.manage (that refusal itself is audited as access.denied, so it comes last).
        var forbidden = await nurse.GraphQLAsync(Run, new { input = new { content = triage, inputs = "{\"score\": 1}" } });
        Assert.Equal("FORBIDDEN", forbidden.Code);
    }

    [Fact]
    public async Task UseEachActionsAndWebHooksSampleAnswerAsTheRuntimeWouldDefaultingToTheActionsDeclaredOutput()
    {
        var content = SignThenTell();
        const string Inputs = "{\"noteId\": \"n-1\"}";

        // Nothing given: note.sign answers its default outcome (signed) with a sample of what it declares (cosignedBy);
        // the web hook answers 200 with no body, so reading the body's ticket fails as it would at run time.
        var defaults = await RunAsync(new { content, inputs = Inputs });
        var given = await RunAsync(new
        {
            content, inputs = Inputs,
            actionOutcomes = new[] { new { nodeId = "sign", output = "{\"cosignedBy\": \"dr-7\"}" } },
            webhookResponses = new[] { new { nodeId = "tell", status = 201, body = "{\"ticket\": 42}" } },
        });
        var refused = await RunAsync(new
        {
            content, inputs = Inputs, actionOutcomes = new[] { new { nodeId = "sign", outcome = "refused", output = (string?)null } },
        });
        var unavailable = await RunAsync(new { content, inputs = Inputs, webhookResponses = new[] { new { nodeId = "tell", status = 503 } } });
        var notFound = await RunAsync(new { content, inputs = Inputs, webhookResponses = new[] { new { nodeId = "tell", status = 404 } } });
        var catalog = (await _admin.GraphQLAsync("{ workflowCatalog { actions { name outputs { outcome name type required } } } }"))
            .Data("workflowCatalog")["actions"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "note.sign")!;

        var incident = defaults["waiting"]!.AsArray().Single()!;
        Assert.Equal(("incident", "ticket", "SCRIPT_ERROR"), (incident["kind"]!.GetValue<string>(), incident["nodeId"]!.GetValue<string>(), incident["code"]!.GetValue<string>()));
        var afterDefaults = JsonNode.Parse(defaults["variables"]!.GetValue<string>())!;
        Assert.Equal("TEST-COSIGNEDBY", afterDefaults["cosigner"]!.GetValue<string>());
        Assert.Equal(200, afterDefaults["partner"]!["status"]!.GetValue<int>());
        Assert.Contains(defaults["steps"]!.AsArray(), s => s!["input"]!.GetValue<string>() == "note.sign answered signed with {\"cosignedBy\":\"test-cosignedBy\"} (simulated)");
        Assert.Contains(defaults["steps"]!.AsArray(), s => s!["input"]!.GetValue<string>() == "web hook at 'tell' answered 200 (simulated)");

        Assert.Equal(("completed", "told"), (given["status"]!.GetValue<string>(), given["outcome"]!.GetValue<string>()));
        var afterGiven = JsonNode.Parse(given["variables"]!.GetValue<string>())!;
        Assert.Equal(("DR-7", "42"), (afterGiven["cosigner"]!.GetValue<string>(), afterGiven["ticket"]!.GetValue<string>()));
        Assert.Equal((201, 42), (afterGiven["partner"]!["status"]!.GetValue<int>(), afterGiven["partner"]!["body"]!["ticket"]!.GetValue<int>()));
        Assert.Contains(given["steps"]!.AsArray(), s => s!["input"]!.GetValue<string>() == "web hook at 'tell' answered 201 with {\"ticket\": 42} (simulated)");

        Assert.Equal(("completed", "not-signed"), (refused["status"]!.GetValue<string>(), refused["outcome"]!.GetValue<string>()));
        Assert.Equal("test-reason", JsonNode.Parse(refused["variables"]!.GetValue<string>())!["signed"]!["reason"]!.GetValue<string>());

        Assert.Equal(("webhookRetry", "tell"), (unavailable["waiting"]![0]!["kind"]!.GetValue<string>(), unavailable["waiting"]![0]!["nodeId"]!.GetValue<string>()));
        var refusedDelivery = notFound["waiting"]!.AsArray().Single()!;
        Assert.Equal(("incident", "tell", "WEBHOOK_FAILED"), (refusedDelivery["kind"]!.GetValue<string>(), refusedDelivery["nodeId"]!.GetValue<string>(),
            refusedDelivery["code"]!.GetValue<string>()));

        Assert.Equal([("signed", "cosignedBy", "string", true), ("refused", "reason", "string", true)], catalog["outputs"]!.AsArray()
            .Select(o => (o!["outcome"]!.GetValue<string>(), o["name"]!.GetValue<string>(), o["type"]!.GetValue<string>(), o["required"]!.GetValue<bool>())));
    }

    [Fact]
    public async Task RefuseBadSampleOutputsAndAnswersWithTheirCodesAndPaths()
    {
        var content = SignThenTell();
        const string Inputs = "{\"noteId\": \"n-1\"}";
        async Task<GraphQLResult> Refused(object? actionOutcomes = null, object? webhookResponses = null) =>
            await _admin.GraphQLAsync(Run, new { input = new { content, inputs = Inputs, actionOutcomes, webhookResponses } });

        var notJson = await Refused(actionOutcomes: new[] { new { nodeId = "sign", output = "{ \"cosignedBy\": " } });
        var wrongType = await Refused(actionOutcomes: new[] { new { nodeId = "sign", output = "{\"cosignedBy\": 7}" } });
        var lacking = await Refused(actionOutcomes: new[] { new { nodeId = "sign", output = "{}" } });
        var twice = await Refused(actionOutcomes: new[] { new { nodeId = "sign", output = "{\"cosignedBy\": \"a\"}" }, new { nodeId = "sign", output = "{\"cosignedBy\": \"b\"}" } });
        var notAWebhook = await Refused(webhookResponses: new[] { new { nodeId = "sign", status = (int?)200, body = (string?)null } });
        var badStatus = await Refused(webhookResponses: new[] { new { nodeId = "tell", status = (int?)700, body = (string?)null } });
        var arrayBody = await Refused(webhookResponses: new[] { new { nodeId = "tell", status = (int?)200, body = (string?)"[1]" } });
        var badBody = await Refused(webhookResponses: new[] { new { nodeId = "tell", status = (int?)200, body = (string?)"{ticket: 1}" } });
        var bodyOfAFailure = await Refused(webhookResponses: new[] { new { nodeId = "tell", status = (int?)500, body = (string?)"{\"error\": \"down\"}" } });
        var huge = await Refused(webhookResponses: new[] { new { nodeId = "tell", status = (int?)200, body = (string?)$"{{\"pad\": \"{new string('x', 70_000)}\"}}" } });

        Assert.Equal(("VALIDATION_FAILED", "input.actionOutcomes[0].output", "INVALID_FORMAT"), (notJson.Code, notJson.FieldPaths.Single(), FieldCode(notJson)));
        Assert.Equal(("input.actionOutcomes[0].output.cosignedBy", "INVALID_FORMAT"), (wrongType.FieldPaths.Single(), FieldCode(wrongType)));
        Assert.Equal(("input.actionOutcomes[0].output.cosignedBy", "REQUIRED"), (lacking.FieldPaths.Single(), FieldCode(lacking)));
        Assert.Equal(("input.actionOutcomes[1].nodeId", "DUPLICATE"), (twice.FieldPaths.Single(), FieldCode(twice)));
        Assert.Equal(("input.webhookResponses[0].nodeId", "UNKNOWN_REFERENCE"), (notAWebhook.FieldPaths.Single(), FieldCode(notAWebhook)));
        Assert.Equal(("input.webhookResponses[0].status", "OUT_OF_RANGE"), (badStatus.FieldPaths.Single(), FieldCode(badStatus)));
        Assert.Equal(("input.webhookResponses[0].body", "INVALID_FORMAT"), (arrayBody.FieldPaths.Single(), FieldCode(arrayBody)));
        Assert.Equal(("input.webhookResponses[0].body", "INVALID_FORMAT"), (badBody.FieldPaths.Single(), FieldCode(badBody)));
        Assert.Equal(("input.webhookResponses[0].body", "INVALID_FORMAT"), (bodyOfAFailure.FieldPaths.Single(), FieldCode(bodyOfAFailure)));
        Assert.Equal(("input.webhookResponses[0].body", "TOO_LONG"), (huge.FieldPaths.Single(), FieldCode(huge)));
        Assert.Equal("sign", wrongType.Errors![0]!["extensions"]!["fields"]![0]!["nodeId"]!.GetValue<string>());
    }

    /// <summary>
    /// A manual start with a note id: note.sign co-signs it (its output to <c>signed</c>), the co-signer's name is read
    /// from that output, then a partner's web hook is told and the ticket number is read from its answer's body.
    /// </summary>
    private static string SignThenTell() => ToJson(new
    {
        schemaVersion = 1, title = "Sign then tell",
        variables = new
        {
            signed = new { type = "object" }, partner = new { type = "object" }, cosigner = new { type = "string" }, ticket = new { type = "string" },
        },
        nodes = new object[]
        {
            new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { noteId = new { type = "string", required = true } } } },
            new { id = "sign", kind = "action", action = "note.sign", inputs = new { noteId = "vars.noteId", signerId = "'dr-1'" }, output = "signed" },
            new { id = "remember", kind = "set", assign = new { cosigner = "vars.signed.cosignedBy.toUpperCase()" } },
            new { id = "tell", kind = "webhook", endpoint = "partner", @event = "note.cosigned", payload = new { note = "vars.noteId" }, output = "partner" },
            new { id = "ticket", kind = "set", assign = new { ticket = "String(vars.partner.body.ticket)" } },
            new { id = "told", kind = "end", outcome = "told" },
            new { id = "not-signed", kind = "end", outcome = "not-signed" },
        },
        edges = new object[]
        {
            new { from = "start", to = "sign" },
            new { from = "sign", outcome = "signed", to = "remember" },
            new { from = "sign", outcome = "refused", to = "not-signed" },
            new { from = "remember", to = "tell" },
            new { from = "tell", to = "ticket" },
            new { from = "ticket", to = "told" },
        },
    });

    /// <summary>A manual start with a score; a decision sends 10 and above to the urgent end (setting level high first).</summary>
    private static string Triage() => ToJson(new
    {
        schemaVersion = 1, title = "Triage", variables = new { level = new { type = "string", @default = "low" } },
        nodes = new object[]
        {
            new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { score = new { type = "number", required = true } } } },
            new { id = "triage", kind = "decision", cases = new[] { new { when = "vars.score >= 10", outcome = "high" } }, otherwise = "low" },
            new { id = "flag", kind = "set", assign = new { level = "'high'" } },
            new { id = "urgent", kind = "end", outcome = "urgent" },
            new { id = "routine", kind = "end", outcome = "routine" },
        },
        edges = new object[]
        {
            new { from = "start", to = "triage" },
            new { from = "triage", outcome = "high", to = "flag" },
            new { from = "triage", outcome = "low", to = "routine" },
            new { from = "flag", to = "urgent" },
        },
    });

    private async Task<JsonNode> RunAsync(object input) => (await _admin.GraphQLAsync(Run, new { input })).Data("testRunWorkflow");

    private static List<string> Path(JsonNode run) => run["path"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();

    private static string? FieldCode(GraphQLResult result) => result.Errors?[0]?["extensions"]?["fields"]?[0]?["code"]?.GetValue<string>();
}
