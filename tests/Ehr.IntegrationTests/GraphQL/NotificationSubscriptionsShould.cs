using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;
using Ehr.Platform.Topics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.IntegrationTests.GraphQL;

/// <summary>
/// <c>notificationAdded</c> end to end: a break-the-glass committed through one host reaches the auditors subscribed on
/// any host sharing the database, in its tenant only, re-read through the use case (permission, audit) for each
/// delivery; revoked callers stop receiving; the NOTIFY payloads carry the tenant and an id, nothing else.
/// </summary>
public sealed class NotificationSubscriptionsShould : IAsyncLifetime
{
    private const string Follow = "subscription { notificationAdded { id kind payload recipientRole createdAt } }";
    private const string Reason = "Collapsed in the waiting room, chart needed now";

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _physician = null!;
    private string _auditor = "";

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("ws-alerts");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.alerts", "tenant-admin"));
        _physician = _host.Client(_host.Token(_tenant.Slug, "dr.alerts", "physician"));
        _auditor = _host.Token(_tenant.Slug, "auditor.alerts", "auditor");
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        _physician.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DeliverABreakTheGlassAlertToASubscribedAuditor()
    {
        var patient = await PatientAsync(_admin);
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);
        await socket.SubscribeAsync("alerts", Follow);
        Assert.Empty(await socket.BarrierAsync());

        await BreakGlassAsync(_physician, patient);
        var next = await socket.ExpectAsync("next", "alerts");

        var alert = next["payload"]!["data"]!["notificationAdded"]!;
        Assert.Equal(("break_glass", "auditor"), (alert["kind"]!.GetValue<string>(), alert["recipientRole"]!.GetValue<string>()));
        var payload = JsonNode.Parse(alert["payload"]!.GetValue<string>())!;
        Assert.Equal((patient, Reason), (payload["patientId"]!.GetValue<string>(), payload["reason"]!.GetValue<string>()));
        // Each delivery is a read of the alert, audited as such.
        var delivered = await AuditAsync(_admin, "notification.deliver");
        Assert.Contains(delivered, e => e["actorId"]!.GetValue<string>() == "auditor.alerts" && e["resourceId"]!.GetValue<string>() == alert["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeliverAnAlertCommittedOnOneHostToASubscriberOnAnother()
    {
        await using var other = await TestHost.StartAsync();
        var patient = await PatientAsync(_admin);
        // Development tokens are signed with each host's own key: the other host's, for the same auditor.
        await using var socket = await GraphQLSocket.OpenAsync(other, other.Token(_tenant.Slug, "auditor.alerts", "auditor"));
        await socket.SubscribeAsync("alerts", Follow);
        Assert.Empty(await socket.BarrierAsync());

        await BreakGlassAsync(_physician, patient);
        var next = await socket.ExpectAsync("next", "alerts");

        var payload = JsonNode.Parse(next["payload"]!["data"]!["notificationAdded"]!["payload"]!.GetValue<string>())!;
        Assert.Equal(patient, payload["patientId"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeliverOnlyTheAlertsOfTheSubscribersTenant()
    {
        var elsewhere = await _host.CreateTenantAsync("ws-alerts-b");
        using var otherAdmin = _host.Client(_host.Token(elsewhere.Slug, "admin.b", "tenant-admin"));
        using var otherPhysician = _host.Client(_host.Token(elsewhere.Slug, "dr.b", "physician"));
        var theirs = await PatientAsync(otherAdmin);
        var ours = await PatientAsync(_admin);
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);
        await socket.SubscribeAsync("alerts", Follow);
        Assert.Empty(await socket.BarrierAsync());

        await BreakGlassAsync(otherPhysician, theirs);
        await BreakGlassAsync(_physician, ours);
        var next = await socket.ExpectAsync("next", "alerts");

        // Signals are delivered in commit order: had the other tenant's reached this socket, it would have come first.
        var payload = JsonNode.Parse(next["payload"]!["data"]!["notificationAdded"]!["payload"]!.GetValue<string>())!;
        Assert.Equal(ours, payload["patientId"]!.GetValue<string>());
        Assert.Empty(await socket.BarrierAsync());
    }

    [Fact]
    public async Task RefuseASubscriberWithoutAuditReadAndRecordTheDenial()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _host.Token(_tenant.Slug, "dr.curious", "physician"));

        await socket.SubscribeAsync("alerts", Follow);
        var error = await socket.ExpectAsync("error", "alerts");

        Assert.Equal("FORBIDDEN", error["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
        Assert.Empty(await socket.BarrierAsync());
        var denied = await AuditAsync(_admin, "access.denied");
        Assert.Contains(denied, e => e["actorId"]!.GetValue<string>() == "dr.curious" && e["details"]!.GetValue<string>().Contains("audit.read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EndTheSubscriptionWithForbiddenOnceThePermissionIsWithdrawn()
    {
        var role = await _admin.DefineRoleAsync(AccessGraph.Role("alert-watch", "Alert watch", ["audit.read", "location.read"]));
        var patient = await PatientAsync(_admin);
        await using var socket = await GraphQLSocket.OpenAsync(_host, _host.Token(_tenant.Slug, "watcher", "alert-watch"));
        await socket.SubscribeAsync("alerts", Follow);
        Assert.Empty(await socket.BarrierAsync());

        (await _admin.GraphQLAsync(AccessGraph.UpdateRole, new { id = role.Id(), v = role["version"]!.GetValue<int>(), input = AccessGraph.Change("Alert watch", "location.read") })).DataOrThrow.ToString();
        await BreakGlassAsync(_physician, patient);
        var error = await socket.ExpectAsync("error", "alerts");

        Assert.Equal("FORBIDDEN", error["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
        // The connection itself stays: only that operation ended.
        Assert.Empty(await socket.BarrierAsync());
    }

    [Fact]
    public async Task CloseTheSocketOfARevokedTokenBeforeDeliveringAnything()
    {
        var (clientId, secret) = await ApiClientAsync("audit.read");
        using var anonymous = _host.Client();
        var token = (await anonymous.ClientCredentialsAsync(clientId, secret)).AccessToken;
        var patient = await PatientAsync(_admin);
        await using var socket = await GraphQLSocket.OpenAsync(_host, token);
        await socket.SubscribeAsync("alerts", Follow);
        Assert.Empty(await socket.BarrierAsync());

        using var revoke = await anonymous.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));
        Assert.True(revoke.IsSuccessStatusCode);
        await BreakGlassAsync(_physician, patient);
        var (code, reason, before) = await socket.ClosedAsync();

        Assert.Equal((4403, "Forbidden: access revoked"), (code, reason));
        Assert.Empty(before);
    }

    [Fact]
    public async Task CarryOnlyTheTenantAndTheIdInNotifyPayloads()
    {
        var patient = await PatientAsync(_admin);
        var mrn = (await _admin.GraphQLAsync(PatientGraph.Get, new { id = patient })).DataOrThrow["patient"]!["mrn"]!.GetValue<string>();
        var payloads = new List<string>();
        await using var listen = await _host.OpenSqlAsync();
        listen.Notification += (_, e) =>
        {
            lock (payloads)
            {
                payloads.Add(e.Payload);
            }
        };
        await using (var cmd = new NpgsqlCommand($"LISTEN \"{TopicNames.Channel(TopicNames.Notification)}\"", listen))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        await BreakGlassAsync(_physician, patient);
        var newest = (await _admin.GraphQLAsync("{ notifications(first: 1) { id } }")).DataOrThrow["notifications"]![0]!["id"]!.GetValue<string>();
        var expected = $"{_tenant.SchemaName}:{newest}";
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!Seen(payloads, expected))
        {
            await listen.WaitAsync(guard.Token);
        }

        lock (payloads)
        {
            Assert.All(payloads, p => Assert.Matches("^t_[a-z0-9_]+:[0-9a-f-]{36}$", p));
            Assert.All(payloads, p => Assert.DoesNotContain(patient, p, StringComparison.Ordinal));
            Assert.All(payloads, p => Assert.DoesNotContain(mrn, p, StringComparison.Ordinal));
            Assert.All(payloads, p => Assert.DoesNotContain("waiting room", p, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ServeTheGraphQLWsReferenceClient()
    {
        var dir = Path.Combine(TestDatabase.RepoRoot, "tests", "graphql-audit");
        if (!File.Exists(Path.Combine(dir, "node_modules", "graphql-ws", "package.json")))
        {
            var install = await GraphQLOverHttpShould.RunAsync("npm", dir, "ci", "--no-audit", "--no-fund");
            Assert.True(install.Exit == 0, "npm ci failed:\n" + install.Output);
        }

        var patient = await PatientAsync(_admin);

        var run = await GraphQLOverHttpShould.RunAsync("node", dir, "subscribe.mjs", GraphQLSocket.Url(_host).ToString(), _auditor,
            _host.Token(_tenant.Slug, "dr.reference", "physician"), patient);

        Assert.True(run.Exit == 0, run.Output);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        Assert.Equal("auditor.alerts", result["viewer"]!["data"]!["viewer"]!["id"]!.GetValue<string>());
        Assert.Equal(patient, result["broken"]!["data"]!["breakGlass"]!["patientId"]!.GetValue<string>());
        var alert = result["alert"]!["data"]!["notificationAdded"]!;
        Assert.Equal("break_glass", alert["kind"]!.GetValue<string>());
        Assert.Equal(patient, JsonNode.Parse(alert["payload"]!.GetValue<string>())!["patientId"]!.GetValue<string>());
    }

    private static bool Seen(List<string> payloads, string expected)
    {
        lock (payloads)
        {
            return payloads.Contains(expected);
        }
    }

    private static async Task<string> PatientAsync(HttpClient admin) =>
        (await admin.RegisterAsync(PatientGraph.Input("Alert", "Case" + Guid.NewGuid().ToString("N")[..8]))).Id();

    private static async Task BreakGlassAsync(HttpClient physician, string patient) =>
        (await physician.GraphQLAsync(AccessGraph.BreakGlass, new { id = patient, reason = Reason })).DataOrThrow.ToString();

    private async Task<(string ClientId, string Secret)> ApiClientAsync(params string[] scopes)
    {
        var result = await _admin.GraphQLAsync("""
            mutation($input: ApiClientInput!) { createApiClient(input: $input) { secret client { clientId } } }
            """, new { input = new { name = "Alert relay", scopes } });
        var created = result.DataOrThrow["createApiClient"]!;
        return (created["client"]!["clientId"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    private static async Task<List<JsonNode>> AuditAsync(HttpClient admin, string action) =>
        (await admin.GraphQLAsync("query($action: String) { auditLog(action: $action, first: 200) { edges { node { action actorId resourceId outcome details } } } }", new { action }))
        .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();
}
