using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.ApiClients;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ehr.IntegrationTests.Identity;

/// <summary>
/// An API client's rate limit holds across the hosts of a deployment: two hosts on the same database, as behind a load
/// balancer, share one limit per client through <c>platform.api_client_request_counts</c>. Both hosts run on one
/// <see cref="TestClock"/>, so windows slide without waiting a minute; it is set a few minutes in the past (tokens
/// issued on it are valid by any clock). <c>SyncAsync</c> runs the hosts' flushes in an order that leaves both knowing
/// everything; their background flushes go on meanwhile, which can only make a host's view fresher.
/// </summary>
public sealed class ClientRateLimitsShould : IAsyncLifetime
{
    private const string Query = "{ locations { code } }";
    private static readonly string[] Scopes = ["location.read"];
    private static readonly long[] TenThenSix = [10, 6];
    private static readonly long[] ThreeThenOne = [3, 1];
    private static readonly string[] AppGrants = ["DELETE", "INSERT", "SELECT", "UPDATE"];

    private readonly TestClock _clock = new(DateTimeOffset.UtcNow.AddMinutes(-3));
    private TestHost _a = null!;
    private TestHost _b = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _a = await TestHost.StartAsync(clock: _clock);
        // One public issuer for the deployment, as behind a load balancer: tokens from either host work on both.
        _b = await TestHost.StartAsync(new Dictionary<string, string?> { ["Identity:Issuer"] = _a.Address.ToString() }, _clock);
        _tenant = await _a.CreateTenantAsync("ratelim");
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    [Fact]
    public async Task ShareOneLimitBetweenHostsWithinTheDocumentedBound()
    {
        SetClock(secondsIntoWindow: 10);
        const int limit = 20;
        // Each host's view misses at most what the other admitted since they last shared counts: here `k` requests.
        const int k = 3;
        await using var client = await NewClientAsync(limit);

        var admitted = 0;
        var refusedOnA = false;
        var refusedOnB = false;
        for (var i = 0; i < 10 * limit && !(refusedOnA && refusedOnB); i++)
        {
            var onA = i % 2 == 0;
            var answer = await CallAsync(onA ? client.OnA : client.OnB);
            if (answer.Admitted)
            {
                admitted++;
            }
            else
            {
                refusedOnA |= onA;
                refusedOnB |= !onA;
            }

            if (i % (2 * k) == 2 * k - 1)
            {
                await SyncAsync();
            }
        }

        await SyncAsync();
        var onA2 = await CallAsync(client.OnA);
        var onB2 = await CallAsync(client.OnB);

        // Counted per host, each would have admitted the whole limit: 2 × 20.
        Assert.InRange(admitted, limit, limit + k);
        Assert.Equal(admitted, await SharedCountAsync(client.ClientId));
        foreach (var refused in new[] { onA2, onB2 })
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
            Assert.Equal("RATE_LIMITED", refused.Code);
            // The rest of this window (50 s) and, for each request past the limit, a little of the next.
            Assert.InRange(refused.RetryAfter!.Value, 51, 60);
        }
    }

    [Fact]
    public async Task RefuseOnAnotherHostOnceItsBackgroundFlushLearnsTheCount()
    {
        SetClock(secondsIntoWindow: 10);
        const int limit = 30;
        await using var client = await NewClientAsync(limit);
        for (var i = 0; i < limit; i++)
        {
            Assert.True((await CallAsync(client.OnA)).Admitted);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await CallAsync(client.OnA)).Status);

        // No explicit flush: host A shares its counts early (new client, each tenth of the limit), host B reads them
        // on its own early flush (new client) or its next tick.
        var admittedOnB = 0;
        Answer? last = null;
        for (var i = 0; i < 150 && last?.Status != HttpStatusCode.TooManyRequests; i++)
        {
            last = await CallAsync(client.OnB);
            admittedOnB += last.Admitted ? 1 : 0;
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last!.Status);
        Assert.True(last.RetryAfter > 0);
        // Counted per host, B would have admitted a whole limit of its own.
        Assert.InRange(admittedOnB, 0, limit / 2);
    }

    [Fact]
    public async Task ApplyAChangedLimitAtOnceOnEveryHost()
    {
        SetClock(secondsIntoWindow: 10);
        await using var client = await NewClientAsync(limit: 5);
        await PrimeAsync(client); // 2 counted
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await CallAsync(client.OnA)).Admitted);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await CallAsync(client.OnA)).Status);
        await SyncAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await CallAsync(client.OnB)).Status);

        // Raised to 8: the 5 already counted leave room for exactly 3, on whichever host.
        var raised = await ChangeLimitAsync(client, 8);
        Assert.Equal(3, await CountAdmittedAsync(client.OnB, 10));
        await SyncAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await CallAsync(client.OnA)).Status);

        // Lowered to 3: both refuse on their next request.
        await ChangeLimitAsync(raised, 3);
        var onA = await CallAsync(client.OnA);
        var onB = await CallAsync(client.OnB);
        Assert.Equal(HttpStatusCode.TooManyRequests, onA.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, onB.Status);
        // 8 in this window against 3: the rest of this window (50 s), then until 8 × (W − e) < 3 W, i.e. 37.5 s more.
        Assert.Equal(88, onA.RetryAfter);
        Assert.Equal(88, onB.RetryAfter);
    }

    [Fact]
    public async Task LetTheWindowSlideOnBothHosts()
    {
        SetClock(secondsIntoWindow: 30);
        await using var client = await NewClientAsync(limit: 10);
        await PrimeAsync(client); // 2 counted
        Assert.Equal(8, await CountAdmittedAsync(client.OnA, 20));
        var refusedOnA = await CallAsync(client.OnA);
        await SyncAsync();
        var refusedOnB = await CallAsync(client.OnB);

        // 10 of 10 half-way through the window: the other half, then one millisecond.
        Assert.Equal(31, refusedOnA.RetryAfter);
        Assert.Equal(31, refusedOnB.RetryAfter);

        // Half-way through the next window the previous ten weigh five: five more, on B.
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(5, await CountAdmittedAsync(client.OnB, 20));
        Assert.Equal(1, (await CallAsync(client.OnB)).RetryAfter);

        // Six seconds on they weigh four: one more, on A once it has B's five.
        _clock.Advance(TimeSpan.FromSeconds(6));
        await SyncAsync();
        Assert.Equal(1, await CountAdmittedAsync(client.OnA, 20));
        await SyncAsync();
        Assert.Equal(TenThenSix, await SharedWindowsAsync(client.ClientId));
    }

    [Fact]
    public async Task KeepLimitingOnItsOwnCountsWhileTheDatabaseIsUnreachable()
    {
        SetClock(secondsIntoWindow: 10);
        await using var client = await NewClientAsync(limit: 5);
        await using var other = await NewClientAsync(limit: 5);
        var counts = new ClientRequestCounts();
        var log = new RecordingLogger();
        await using var unreachable = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={ClosedPort()};Username=ehr;Password=x;Timeout=3");
        using var down = new ClientRateLimitFlusher(counts, unreachable, _clock, Options.Create(new ClientRateLimitOptions()), log);
        using var up = new ClientRateLimitFlusher(counts, _a.Services.GetRequiredService<NpgsqlDataSource>(), _clock,
            Options.Create(new ClientRateLimitOptions()), new RecordingLogger());

        var admitted = Enumerable.Range(0, 4).Count(_ => counts.TryAdmit(client.ClientId, 5, _clock.GetUtcNow()).Admitted);
        Assert.False(await down.FlushAsync(CancellationToken.None));
        admitted += Enumerable.Range(0, 4).Count(_ => counts.TryAdmit(client.ClientId, 5, _clock.GetUtcNow()).Admitted);

        Assert.Equal(5, admitted);
        Assert.True(counts.TryAdmit(other.ClientId, 5, _clock.GetUtcNow()).Admitted);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("Could not share", StringComparison.Ordinal));

        // Once the database answers, what was counted meanwhile is shared.
        Assert.True(await up.FlushAsync(CancellationToken.None));
        Assert.Equal(5, await SharedCountAsync(client.ClientId));
        Assert.Equal(1, await SharedCountAsync(other.ClientId));
    }

    [Fact]
    public async Task PruneWindowsOlderThanTenMinutes()
    {
        SetClock(secondsIntoWindow: 10);
        await using var client = await NewClientAsync(limit: 5);
        var now = _clock.GetUtcNow();
        await using (var sql = await _a.OpenSqlAsync())
        await using (var insert = new NpgsqlCommand(
                         "INSERT INTO platform.api_client_request_counts (client_id, window_start, requests) VALUES ($1, $2, 7), ($1, $3, 3)", sql))
        {
            insert.Parameters.AddWithValue(client.ClientId);
            insert.Parameters.AddWithValue(WindowStart(now.AddMinutes(-11)));
            insert.Parameters.AddWithValue(WindowStart(now.AddMinutes(-9)));
            await insert.ExecuteNonQueryAsync();
        }

        var counts = new ClientRequestCounts();
        counts.TryAdmit(client.ClientId, 5, now);
        using var flusher = new ClientRateLimitFlusher(counts, _a.Services.GetRequiredService<NpgsqlDataSource>(), _clock,
            Options.Create(new ClientRateLimitOptions()), new RecordingLogger());

        Assert.True(await flusher.FlushAsync(CancellationToken.None));

        Assert.Equal(ThreeThenOne, await SharedWindowsAsync(client.ClientId));
    }

    [Fact]
    public async Task GiveTheAppRoleOnlyWhatTheCountsNeedAndTenantsNothing()
    {
        await using var sql = await _a.OpenSqlAsync();
        var granted = new List<string>();
        await using (var cmd = new NpgsqlCommand(
                         "SELECT privilege_type FROM information_schema.role_table_grants WHERE table_schema = 'platform' " +
                         "AND table_name = 'api_client_request_counts' AND grantee = current_user ORDER BY 1", sql))
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                granted.Add(reader.GetString(0));
            }
        }

        await using var asTenant = new NpgsqlCommand(
            $"SET ROLE \"{_tenant.SchemaName}\"; SELECT count(*) FROM platform.api_client_request_counts", sql);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => asTenant.ExecuteScalarAsync());

        Assert.Equal(AppGrants, granted);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    private sealed record Answer(HttpStatusCode Status, int? RetryAfter, string? Code)
    {
        public bool Admitted => Status == HttpStatusCode.OK;
    }

    private sealed record Client(string ClientId, int Version, HttpClient OnA, HttpClient OnB) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            OnA.Dispose();
            OnB.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The clock a few minutes in the past (tokens issued on it are valid by any clock), at this point of a window.</summary>
    private void SetClock(int secondsIntoWindow)
    {
        var past = DateTimeOffset.UtcNow.AddMinutes(-3).ToUnixTimeMilliseconds();
        _clock.Now = DateTimeOffset.FromUnixTimeMilliseconds(past - past % SlidingWindow.MinuteMs).AddSeconds(secondsIntoWindow);
    }

    private static DateTimeOffset WindowStart(DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        return DateTimeOffset.FromUnixTimeMilliseconds(ms - ms % SlidingWindow.MinuteMs);
    }

    private HttpClient Admin() => _a.Client(_a.Token(_tenant.Slug, "admin", "tenant-admin"));

    private async Task<Client> NewClientAsync(int limit)
    {
        using var admin = Admin();
        var created = (await admin.GraphQLAsync(
                "mutation($input: ApiClientInput!) { createApiClient(input: $input) { secret client { clientId version } } }",
                new { input = new { name = "Load-balanced back end", scopes = Scopes, rateLimitPerMinute = limit } }))
            .DataOrThrow["createApiClient"]!;
        var clientId = created["client"]!["clientId"]!.GetValue<string>();
        var token = await _a.Client().ClientCredentialsAsync(clientId, created["secret"]!.GetValue<string>());
        return new Client(clientId, created["client"]!["version"]!.GetValue<int>(),
            _a.Client(token.AccessToken), _b.Client(token.AccessToken));
    }

    /// <summary>Sets the limit; returns the client at its new version.</summary>
    private async Task<Client> ChangeLimitAsync(Client client, int limit)
    {
        using var admin = Admin();
        var version = client.Version;
        var changed = (await admin.GraphQLAsync(
                "mutation($id: String!, $limit: Int!, $v: Int!) { changeApiClientRateLimit(clientId: $id, rateLimitPerMinute: $limit, expectedVersion: $v) { rateLimitPerMinute version } }",
                new { id = client.ClientId, limit, v = version }))
            .DataOrThrow["changeApiClientRateLimit"]!;
        Assert.Equal(limit, changed["rateLimitPerMinute"]!.GetValue<int>());
        return client with { Version = changed["version"]!.GetValue<int>() };
    }

    private static async Task<Answer> CallAsync(HttpClient api)
    {
        using var response = await api.PostAsJsonAsync("/graphql", new { query = Query });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        var code = body?["errors"]?[0]?["extensions"]?["code"]?.GetValue<string>();
        if (response.StatusCode == HttpStatusCode.OK && code is not null)
        {
            throw new InvalidOperationException("Unexpected GraphQL error: " + body!.ToJsonString());
        }

        return new Answer(response.StatusCode, (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds, code);
    }

    private static async Task<int> CountAdmittedAsync(HttpClient api, int attempts)
    {
        var admitted = 0;
        for (var i = 0; i < attempts; i++)
        {
            admitted += (await CallAsync(api)).Admitted ? 1 : 0;
        }

        return admitted;
    }

    /// <summary>One request on each host, then shared: both hosts count the client from here on (2 counted).</summary>
    private async Task PrimeAsync(Client client)
    {
        Assert.True((await CallAsync(client.OnA)).Admitted);
        Assert.True((await CallAsync(client.OnB)).Admitted);
        await SyncAsync();
    }

    /// <summary>A, B, A: each host has sent what it counted and read back everything the other sent.</summary>
    private async Task SyncAsync()
    {
        foreach (var host in new[] { _a, _b, _a })
        {
            Assert.True(await host.Services.GetRequiredService<ClientRateLimitFlusher>().FlushAsync(CancellationToken.None));
        }
    }

    private async Task<long> SharedCountAsync(string clientId) => (await SharedWindowsAsync(clientId)).Sum();

    private async Task<long[]> SharedWindowsAsync(string clientId)
    {
        await using var sql = await _a.OpenSqlAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT requests FROM platform.api_client_request_counts WHERE client_id = $1 ORDER BY window_start", sql);
        cmd.Parameters.AddWithValue(clientId);
        var rows = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetInt64(0));
        }

        return rows.ToArray();
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Keeps what the flusher logs, to see that an outage is reported.</summary>
    private sealed class RecordingLogger : ILogger<ClientRateLimitFlusher>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
