using System.Net.WebSockets;
using System.Text;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.GraphQL;

/// <summary>A host whose WebSocket limits are short enough to reach in a test.</summary>
public sealed class ShortLimitsHost : IAsyncLifetime
{
    public TestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await TestHost.StartAsync(new Dictionary<string, string?>
    {
        ["GraphQL:WebSocket:ConnectionInitTimeout"] = "00:00:00.300",
        ["GraphQL:WebSocket:IdleTimeout"] = "00:00:00.500",
        ["GraphQL:WebSocket:AccessRecheckInterval"] = "00:00:00.300",
        ["GraphQL:WebSocket:MaxOperations"] = "2",
        ["GraphQL:WebSocket:MaxMessageBytes"] = "2048",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// The graphql-transport-ws protocol (github.com/enisdenjo/graphql-ws, PROTOCOL.md) rule by rule, each refusal with the
/// close code the protocol gives it, against the real host.
/// </summary>
public sealed class GraphQLOverWebSocketShould(ShortLimitsHost shortLimits) : IAsyncLifetime, IClassFixture<ShortLimitsHost>
{
    private const string Viewer = "{ viewer { id tenant roles } }";
    private const string Follow = "subscription { notificationAdded { id kind } }";
    private static readonly string[] AuditRead = ["audit.read"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private Tenant _other = null!;
    private string _auditor = "";

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("ws");
        _other = await _host.CreateTenantAsync("ws-other");
        _auditor = _host.Token(_tenant.Slug, "auditor.ws", "auditor");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AcknowledgeAConnectionInitCarryingTheBearerToken()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(_host);

        await socket.SendAsync(new { type = "connection_init", payload = new { authorization = "Bearer " + _auditor } });
        var ack = await socket.ExpectAsync("connection_ack");
        await socket.SubscribeAsync("q1", Viewer);
        var next = await socket.ExpectAsync("next", "q1");
        await socket.ExpectAsync("complete", "q1");

        Assert.Equal(GraphQLSocket.SubProtocol, socket.Socket.SubProtocol);
        Assert.Null(ack["payload"]);
        Assert.Equal("auditor.ws", next["payload"]!["data"]!["viewer"]!["id"]!.GetValue<string>());
        Assert.Equal(_tenant.Slug, next["payload"]!["data"]!["viewer"]!["tenant"]!.GetValue<string>());
    }

    [Fact]
    public async Task AcceptTheTokenInTheUpgradesAuthorizationHeader()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(_host, headerToken: _auditor);

        await socket.SendAsync(new { type = "connection_init" });
        await socket.ExpectAsync("connection_ack");
        await socket.SubscribeAsync("q1", Viewer);
        var next = await socket.ExpectAsync("next", "q1");

        Assert.Equal("auditor.ws", next["payload"]!["data"]!["viewer"]!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")]
    public async Task CloseWith4403WithoutAValidToken(string? token)
    {
        await using var socket = await GraphQLSocket.ConnectAsync(_host);

        await socket.SendAsync(token is null ? new { type = "connection_init" } : new { type = "connection_init", payload = (object)new { token } });
        var (code, reason, before) = await socket.ClosedAsync();

        Assert.True(code == 4403, reason);
        Assert.Empty(before);
    }

    [Fact]
    public async Task CloseWith4403WhenTheTokensTenantIsNotTheOneAddressed()
    {
        // The token in the payload names one tenant, the upgrade's X-Tenant header another.
        await using var socket = await GraphQLSocket.ConnectAsync(_host, configure: o => o.SetRequestHeader("X-Tenant", _other.Slug));

        await socket.SendAsync(new { type = "connection_init", payload = new { authorization = "Bearer " + _auditor } });
        var (code, reason, before) = await socket.ClosedAsync();

        Assert.Equal(4403, code);
        Assert.Contains("TENANT_MISMATCH", reason, StringComparison.Ordinal);
        Assert.Empty(before);
    }

    [Fact]
    public async Task RefuseTheUpgradeWhenTheHeaderTokensTenantIsNotTheOneAddressed()
    {
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => GraphQLSocket.ConnectAsync(_host, headerToken: _auditor, configure: o =>
        {
            o.SetRequestHeader("X-Tenant", _other.Slug);
            o.CollectHttpResponseDetails = true;
        }));

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("graphql-ws")]
    [InlineData("")]
    public async Task CloseWith4406WithoutTheGraphQLTransportWsSubprotocol(string offered)
    {
        await using var socket = await GraphQLSocket.ConnectAsync(_host, subProtocols: offered.Length == 0 ? [] : [offered]);

        var (code, reason, _) = await socket.ClosedAsync();

        Assert.Null(socket.Socket.SubProtocol);
        Assert.Equal((4406, "Subprotocol not acceptable"), (code, reason));
    }

    [Fact]
    public async Task CloseWith4408WhenNoConnectionInitArrivesInTime()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(shortLimits.Host);

        var (code, reason, _) = await socket.ClosedAsync();

        Assert.Equal((4408, "Connection initialisation timeout"), (code, reason));
    }

    [Fact]
    public async Task CloseWith4429OnASecondConnectionInit()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);

        await socket.SendAsync(new { type = "connection_init", payload = new { authorization = "Bearer " + _auditor } });
        var (code, _, _) = await socket.ClosedAsync();

        Assert.Equal(4429, code);
    }

    [Fact]
    public async Task CloseWith4401OnASubscribeBeforeTheAcknowledgement()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(_host);

        await socket.SubscribeAsync("q1", Viewer);
        var (code, _, before) = await socket.ClosedAsync();

        Assert.Equal(4401, code);
        Assert.Empty(before);
    }

    [Fact]
    public async Task CloseWith4409WhenAnIdIsAlreadyInUse()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);
        await socket.SubscribeAsync("s1", Follow);
        Assert.Empty(await socket.BarrierAsync());

        await socket.SubscribeAsync("s1", Follow);
        var (code, reason, _) = await socket.ClosedAsync();

        Assert.Equal((4409, "Subscriber for s1 already exists"), (code, reason));
    }

    [Fact]
    public async Task LetAnIdBeUsedAgainOnceItsOperationCompleted()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);
        await socket.SubscribeAsync("s1", Follow);
        await socket.SendAsync(new { id = "s1", type = "complete" });

        await socket.SubscribeAsync("s1", Viewer);
        var next = await socket.ExpectAsync("next", "s1");

        Assert.NotNull(next["payload"]!["data"]!["viewer"]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"payload\":{}}")]
    [InlineData("{\"type\":42}")]
    [InlineData("{\"type\":\"start\"}")]
    [InlineData("{\"type\":\"next\",\"id\":\"1\",\"payload\":{}}")]
    [InlineData("{\"type\":\"subscribe\",\"payload\":{\"query\":\"{ viewer { id } }\"}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"\",\"payload\":{\"query\":\"{ viewer { id } }\"}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"1\"}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"query\":42}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"query\":\"{ viewer { id } }\",\"variables\":[1]}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"query\":\"{ viewer { id } }\",\"operationName\":7}}")]
    [InlineData("{\"type\":\"complete\"}")]
    [InlineData("{\"type\":\"ping\",\"payload\":\"x\"}")]
    public async Task CloseWith4400OnAMessageTheProtocolDoesNotDefine(string message)
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);

        await socket.SendTextAsync(message);
        var (code, _, before) = await socket.ClosedAsync();

        Assert.Equal(4400, code);
        Assert.Empty(before);
    }

    [Fact]
    public async Task CloseWith4400OnABinaryMessage()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);

        await socket.Socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"ping\"}"), WebSocketMessageType.Binary, true, CancellationToken.None);
        var (code, _, _) = await socket.ClosedAsync();

        Assert.Equal(4400, code);
    }

    [Fact]
    public async Task CloseWith1009OnAMessageOverTheSizeLimit()
    {
        await using var socket = await GraphQLSocket.OpenAsync(shortLimits.Host, shortLimits.Host.Token(null, "ops", "platform-admin"));

        await socket.SubscribeAsync("big", "{ viewer { id } }", new { pad = new string('x', 4096) });
        var (code, _, _) = await socket.ClosedAsync();

        Assert.Equal((int)WebSocketCloseStatus.MessageTooBig, code);
    }

    [Fact]
    public async Task AnswerAPingWithAPongCarryingItsPayload()
    {
        await using var socket = await GraphQLSocket.ConnectAsync(_host);

        // Pings are answered before the connection is initialised too.
        await socket.SendAsync(new { type = "ping", payload = new { n = 7 } });
        var pong = await socket.ExpectAsync("pong");
        await socket.SendAsync(new { type = "ping" });
        var bare = await socket.ExpectAsync("pong");
        await socket.SendAsync(new { type = "pong" });

        Assert.Equal(7, pong["payload"]!["n"]!.GetValue<int>());
        Assert.False(bare.ContainsKey("payload"));
        Assert.Empty(await socket.BarrierAsync());
    }

    [Fact]
    public async Task AnswerQueriesAndMutationsWithOneNextThenComplete()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _host.Token(_tenant.Slug, "admin.ws", "tenant-admin"));

        await socket.SubscribeAsync("m1", """
            mutation($input: PatientInput!) { registerPatient(input: $input) { id name { family } } }
            """, new { input = new { name = new { given = "Web", family = "Socket" }, birthDate = "1980-01-01", administrativeSex = "female" } });
        var next = await socket.ExpectAsync("next", "m1");
        await socket.ExpectAsync("complete", "m1");

        Assert.Equal("Socket", next["payload"]!["data"]!["registerPatient"]!["name"]!["family"]!.GetValue<string>());
        Assert.Null(next["payload"]!["errors"]);
    }

    [Fact]
    public async Task SendFieldErrorsInNextWithTheirCodes()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);

        await socket.SubscribeAsync("q1", "{ patients(first: 1) { nodes { id } } }");
        var next = await socket.ExpectAsync("next", "q1");
        await socket.ExpectAsync("complete", "q1");

        Assert.Equal("FORBIDDEN", next["payload"]!["errors"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{ noSuchField }", "GRAPHQL_VALIDATION_FAILED")]
    [InlineData("{ viewer { id }", "GRAPHQL_PARSE_FAILED")]
    [InlineData("subscription { notificationAdded { id } viewer2: notificationAdded { id } }", "GRAPHQL_VALIDATION_FAILED")]
    public async Task SendAnErrorAndNoCompleteForADocumentThatCannotRun(string query, string expected)
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);

        await socket.SubscribeAsync("bad", query);
        var error = await socket.ExpectAsync("error", "bad");
        var after = await socket.BarrierAsync();

        Assert.Equal(expected, error["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
        Assert.Empty(after);
    }

    [Fact]
    public async Task ApplyTheDepthLimitOfHttp()
    {
        await using var socket = await GraphQLSocket.OpenAsync(_host, _auditor);
        var deep = "{ __type(name: \"Patient\") { fields { type { " + string.Concat(Enumerable.Repeat("ofType { ", 20)) + "name" +
                   string.Concat(Enumerable.Repeat(" }", 20)) + " } } } }";

        await socket.SubscribeAsync("deep", deep);
        var error = await socket.ExpectAsync("error", "deep");

        Assert.Equal("QUERY_TOO_DEEP", error["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefuseOperationsBeyondTheLimitWithoutClosing()
    {
        var host = shortLimits.Host;
        var tenant = await host.CreateTenantAsync("ws-limit");
        await using var socket = await GraphQLSocket.OpenAsync(host, host.Token(tenant.Slug, "auditor.limit", "auditor"));

        await socket.SubscribeAsync("s1", Follow);
        await socket.SubscribeAsync("s2", Follow);
        await socket.SubscribeAsync("s3", Follow);
        var error = await socket.ExpectAsync("error", "s3");
        await socket.SendAsync(new { id = "s1", type = "complete" });
        await socket.SubscribeAsync("s4", Follow);

        Assert.Equal("TOO_MANY_OPERATIONS", error["payload"]![0]!["extensions"]!["code"]!.GetValue<string>());
        Assert.Empty(await socket.BarrierAsync());
    }

    [Fact]
    public async Task CloseAConnectionThatStaysIdle()
    {
        var host = shortLimits.Host;
        await using var socket = await GraphQLSocket.OpenAsync(host, host.Token(null, "ops", "platform-admin"));

        var (code, reason, _) = await socket.ClosedAsync();

        Assert.Equal(((int)WebSocketCloseStatus.NormalClosure, "Idle timeout"), (code, reason));
    }

    [Fact]
    public async Task RefuseBrowserPagesOfOtherOriginsBeforeTheUpgrade()
    {
        var refused = await Assert.ThrowsAsync<WebSocketException>(() =>
            GraphQLSocket.ConnectAsync(_host, configure: o => o.SetRequestHeader("Origin", "https://evil.example")));
        await using var own = await GraphQLSocket.ConnectAsync(_host, configure: o => o.SetRequestHeader("Origin", _host.Address.GetLeftPart(UriPartial.Authority)));
        await own.SendAsync(new { type = "connection_init", payload = new { authorization = "Bearer " + _auditor } });

        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        await own.ExpectAsync("connection_ack");
    }

    [Fact]
    public async Task RefuseSubscriptionsOverHttp()
    {
        using var client = _host.Client(_auditor);

        var result = await client.GraphQLAsync(Follow);

        Assert.Equal((400, "BAD_REQUEST"), (result.Status, result.Code));
    }

    [Fact]
    public async Task CloseWith4403WhenThePeriodicCheckFindsTheAccessRevoked()
    {
        var host = shortLimits.Host;
        var tenant = await host.CreateTenantAsync("ws-recheck");
        using var admin = host.Client(host.Token(tenant.Slug, "admin.recheck", "tenant-admin"));
        var created = (await admin.GraphQLAsync("""
            mutation($input: ApiClientInput!) { createApiClient(input: $input) { secret client { clientId } } }
            """, new { input = new { name = "Alert relay", scopes = AuditRead } })).DataOrThrow["createApiClient"]!;
        var clientId = created["client"]!["clientId"]!.GetValue<string>();
        using var anonymous = host.Client();
        var token = (await anonymous.ClientCredentialsAsync(clientId, created["secret"]!.GetValue<string>())).AccessToken;
        await using var socket = await GraphQLSocket.OpenAsync(host, token);
        await socket.SubscribeAsync("alerts", Follow);
        Assert.Empty(await socket.BarrierAsync());

        (await admin.GraphQLAsync("mutation($id: String!) { revokeApiClient(clientId: $id) { status } }", new { id = clientId })).DataOrThrow.ToString();
        // No event is published: the periodic check alone ends the connection.
        var (code, reason, before) = await socket.ClosedAsync();

        Assert.Equal((4403, "Forbidden: access revoked"), (code, reason));
        Assert.Empty(before);
    }

    [Fact]
    public async Task CountEachOperationOfAnApiClientAgainstItsRateLimit()
    {
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.ws", "tenant-admin"));
        var created = (await admin.GraphQLAsync("""
            mutation($input: ApiClientInput!) { createApiClient(input: $input) { secret client { clientId } } }
            """, new { input = new { name = "Chatty relay", scopes = AuditRead, rateLimitPerMinute = 2 } })).DataOrThrow["createApiClient"]!;
        using var anonymous = _host.Client();
        var token = (await anonymous.ClientCredentialsAsync(created["client"]!["clientId"]!.GetValue<string>(), created["secret"]!.GetValue<string>())).AccessToken;
        await using var socket = await GraphQLSocket.OpenAsync(_host, token);

        var codes = new List<string?>();
        foreach (var id in new[] { "q1", "q2", "q3" })
        {
            await socket.SubscribeAsync(id, Viewer);
            var answer = await socket.ReceiveAsync();
            codes.Add(answer!["type"]!.GetValue<string>() == "error" ? answer["payload"]![0]!["extensions"]!["code"]!.GetValue<string>() : null);
            if (answer["type"]!.GetValue<string>() == "next")
            {
                await socket.ExpectAsync("complete", id);
            }
        }

        Assert.Equal([null, null, "RATE_LIMITED"], codes);
    }
}
