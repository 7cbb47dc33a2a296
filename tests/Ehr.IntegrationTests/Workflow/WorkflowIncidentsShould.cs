using System.Text.Json;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// What fails becomes an incident an admin sees (the node, its code and message) and may retry or cancel; web hooks are
/// signed, retried with back-off under the same delivery id and body, and checked by a receiver on 127.0.0.1.
/// </summary>
[Collection(WorkflowTests.Name)]
public sealed class WorkflowIncidentsShould : IAsyncLifetime
{
    private const string Secret = "wf-incidents-shared-secret-0123";
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _nurse = null!;
    private FakeWebhookReceiver _receiver = null!;
    private string _patient = null!;

    public async Task InitializeAsync()
    {
        _host = await WorkflowHost.StartAsync();
        _tenant = await _host.CreateTenantAsync("wf-incidents");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.inc", "tenant-admin"));
        _nurse = _host.Client(_host.Token(_tenant.Slug, "rn.inc", "nurse"));
        _receiver = await FakeWebhookReceiver.StartAsync(Secret);
        _patient = (await _nurse.GraphQLAsync("{ patients(first: 1) { nodes { id } } }")).Data("patients")["nodes"]![0]!["id"]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _nurse.Dispose();
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task RetryAFailedDeliveryOnceItsEndpointIsDefined()
    {
        await PublishAsync(_admin, "tell-partner", Hook("partner", retry: null));
        var instance = await StartAsync("tell-partner");

        var incident = await EventuallyAsync(async () => (await _admin.GraphQLAsync("{ workflowIncidents { instanceId bookmarkId nodeId code message } }"))
            .Data("workflowIncidents").AsArray().FirstOrDefault(i => i!["instanceId"]!.GetValue<string>() == instance), "the incident");
        Assert.Equal(("call", "WEBHOOK_FAILED"), (incident["nodeId"]!.GetValue<string>(), incident["code"]!.GetValue<string>()));
        Assert.Contains("partner", incident["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("FORBIDDEN", (await _nurse.GraphQLAsync(Retry, new { id = instance, b = incident["bookmarkId"]!.GetValue<string>() })).Code);

        var badUrl = await _admin.GraphQLAsync(DefineEndpoint, new { input = new { key = "partner", url = "http://partner.example.org/hooks", secret = "short" } });
        Assert.Equal("VALIDATION_FAILED", badUrl.Code);
        Assert.Equal(["url", "secret"], badUrl.FieldPaths);
        (await _admin.GraphQLAsync(DefineEndpoint, new { input = new { key = "partner", url = _receiver.Url.ToString(), secret = Secret } })).Data("defineWebhookEndpoint");
        Assert.DoesNotContain(Secret, (await _admin.GraphQLAsync("{ webhookEndpoints { key url description } }")).DataOrThrow.ToJsonString(), StringComparison.Ordinal);

        var retried = (await _admin.GraphQLAsync(Retry, new { id = instance, b = incident["bookmarkId"]!.GetValue<string>() })).Data("retryWorkflowIncident");
        Assert.Equal(0, retried["instance"]!["openIncidents"]!.GetValue<int>());
        var done = await CompletedAsync(instance);

        var delivery = Assert.Single(_receiver.Received, r => r.Body.Contains(instance, StringComparison.Ordinal));
        Assert.True(delivery.SignatureValid);
        Assert.Equal(("partner.notified", 1), (delivery.Event, delivery.Attempt));
        Assert.Equal(_patient, JsonNode.Parse(delivery.Body)!["data"]!["patient"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"status":200,"body":{"received":true}}"""),
            JsonNode.Parse(done["variables"]!.GetValue<string>())!["answer"]), done["variables"]!.GetValue<string>());
        Assert.Contains(done["timeline"]!.AsArray(), e => e!["what"]!.GetValue<string>() == "incident.retried" && e["actorId"]!.GetValue<string>() == "admin.inc");
        Assert.Equal("INCIDENT_RESOLVED", (await _admin.GraphQLAsync(Retry, new { id = instance, b = incident["bookmarkId"]!.GetValue<string>() })).Code);
    }

    [Fact]
    public async Task RetryADeliveryTheReceiverRefusedForNowWithTheSameIdAndBody()
    {
        await _admin.GraphQLAsync(DefineEndpoint, new { input = new { key = "busy", url = _receiver.Url.ToString(), secret = Secret } });
        await PublishAsync(_admin, "tell-busy", Hook("busy", retry: new { maxAttempts = 3, initialDelay = "PT1S", multiplier = 2, maxDelay = "PT10S" }));
        _receiver.Answers.Enqueue(503);

        var instance = await StartAsync("tell-busy");
        var done = await CompletedAsync(instance);

        var attempts = _receiver.Received.Where(r => r.Body.Contains(instance, StringComparison.Ordinal)).ToList();
        Assert.Equal([1, 2], attempts.Select(a => a.Attempt));
        Assert.Single(attempts.Select(a => (a.DeliveryId, a.Body)).Distinct());
        Assert.All(attempts, a => Assert.True(a.SignatureValid));
        var timeline = done["timeline"]!.AsArray().Select(e => e!["what"]!.GetValue<string>()).ToList();
        Assert.Equal(["webhook.called", "webhook.failed", "webhook.called", "webhook.delivered"], timeline.Where(w => w.StartsWith("webhook.", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CancelAnInstanceWaitingOnAFailedAction()
    {
        await PublishAsync(_admin, "flag-badly", ToJson(new
        {
            schemaVersion = 1,
            title = "Flag badly",
            variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { patientId = new { type = "string", required = true } } } },
                new { id = "flag", kind = "action", action = "patient.flag", inputs = new { patientId = "vars.patientId", flag = "'Not A Code!'" } },
                new { id = "end", kind = "end" },
            },
            edges = new object[] { new { from = "start", to = "flag" }, new { from = "flag", outcome = "done", to = "end" } },
        }));
        var instance = await StartAsync("flag-badly");
        var failed = await EventuallyAsync(async () =>
        {
            var detail = (await _admin.GraphQLAsync(Instance, new { id = instance })).Data("workflowInstance");
            return detail["incidents"]!.AsArray().Count > 0 ? detail : null;
        }, "the action's incident");
        var incident = failed["incidents"]![0]!;
        Assert.Equal(("flag", "ACTION_FAILED"), (incident["nodeId"]!.GetValue<string>(), incident["code"]!.GetValue<string>()));
        Assert.Contains("VALIDATION_FAILED", incident["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("flag", incident["message"]!.GetValue<string>(), StringComparison.Ordinal);
        // The module's refusal was rolled back: no flag was put on the chart.
        Assert.Equal(0, await CountAsync(_host, _tenant, $"SELECT count(*) FROM patient_flags WHERE source = 'workflow:{instance}'"));
        Assert.Equal("VALIDATION_FAILED", (await _admin.GraphQLAsync(Cancel, new { id = instance, reason = "no" })).Code);

        var cancelled = (await _admin.GraphQLAsync(Cancel, new { id = instance, reason = "The flag code was wrong; fixed in v2." })).Data("cancelWorkflowInstance");
        Assert.Equal(("cancelled", 0), (cancelled["instance"]!["status"]!.GetValue<string>(), cancelled["instance"]!["openIncidents"]!.GetValue<int>()));
        Assert.Equal("INSTANCE_CLOSED", (await _admin.GraphQLAsync(Cancel, new { id = instance, reason = "Once more, to be sure." })).Code);
        var resolution = (await _admin.GraphQLAsync(Instance, new { id = instance })).Data("workflowInstance")["incidents"]![0]!["resolution"]!.GetValue<string>();
        Assert.Contains("cancelled", resolution, StringComparison.Ordinal);
    }

    private async Task<string> StartAsync(string key) =>
        (await _admin.GraphQLAsync(Start, new { input = new { key, patientId = _patient, inputs = "{}" } })).Data("startWorkflow")["id"]!.GetValue<string>();

    private Task<JsonNode> CompletedAsync(string instanceId) => EventuallyAsync(async () =>
    {
        var detail = (await _admin.GraphQLAsync(Instance, new { id = instanceId })).Data("workflowInstance");
        return detail["instance"]!["status"]!.GetValue<string>() == "completed" ? detail : null;
    }, "the instance to complete");

    private static string Hook(string endpoint, object? retry) => JsonSerializer.Serialize(new
    {
        schemaVersion = 1,
        title = "Tell a partner",
        variables = new { answer = new { type = "object" } },
        nodes = new object[]
        {
            new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { patientId = new { type = "string", required = true } } } },
            retry is null
                ? new { id = "call", kind = "webhook", endpoint, @event = "partner.notified", payload = new { patient = "vars.patientId" }, output = "answer" }
                : (object)new { id = "call", kind = "webhook", endpoint, @event = "partner.notified", payload = new { patient = "vars.patientId" }, output = "answer", retry },
            new { id = "end", kind = "end" },
        },
        edges = new[] { new { from = "start", to = "call" }, new { from = "call", to = "end" } },
    });
}
