using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ehr.Platform.Identity;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Bench;

/// <summary>
/// What authorization costs per GraphQL request, and how fast the authorization server issues tokens.
/// Permission checks themselves cannot be switched off (there is deliberately no such switch in the product), so the
/// overhead measured is everything a token of our authorization server costs beyond a self-contained token: token
/// decryption, the authorization and token entries (revocation) and the per-request catalog check (deactivation,
/// current roles, rate limit). The same permission-checked query runs with both tokens, in one run.
/// </summary>
internal static class AuthBench
{
    private const int Concurrency = 8;
    private const string Query = "{ locations { code } }";

    public static async Task<IReadOnlyList<Metric>> RunAsync(string databaseUrl, string packs, TimeSpan duration)
    {
        await using var host = await BenchHost.StartAsync(databaseUrl, packs);
        var tenant = await host.Services.GetRequiredService<TenantProvisioner>()
            .CreateAsync(new CreateTenant("auth-" + Guid.NewGuid().ToString("N")[..6], "Auth bench", BenchPack.Name), PlatformAdministration.Operator("bench"));
        var issuer = host.Services.GetRequiredService<DevTokenIssuer>();

        using var admin = Client(host, issuer.Issue(tenant.Slug, "bench-admin", ["tenant-admin"], 60));
        var created = (await admin.PostAsync(
            "mutation { createApiClient(input: { name: \"bench\", scopes: [\"location.read\"], rateLimitPerMinute: 100000 }) { secret client { clientId } } }"))
            ["createApiClient"]!;
        var clientId = created["client"]!["clientId"]!.GetValue<string>();
        var secret = created["secret"]!.GetValue<string>();

        using var tokenClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { BaseAddress = host.Address };
        async Task<string> IssueAsync()
        {
            using var response = await tokenClient.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret,
            }));
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            return body["access_token"]?.GetValue<string>() ?? throw new InvalidOperationException("token: " + body.ToJsonString());
        }

        using var server = Client(host, await IssueAsync());
        using var selfContained = Client(host, issuer.Issue(tenant.Slug, "bench-client", [Permissions.ApiClientRole], 60));
        await server.PostAsync(Query);
        await selfContained.PostAsync(Query);

        // The two variants alternate in short rounds, so a change in the machine's background load during the run
        // weighs on both alike instead of on whichever happened to run second.
        System.Console.Error.WriteLine($"  query: self-contained token and authorization-server token, alternating in {Rounds} rounds");
        var baseline = Empty();
        var checkedRun = Empty();
        var slice = duration / Rounds;
        for (var round = 0; round < Rounds; round++)
        {
            baseline = Add(baseline, await Load.RunAsync(Concurrency, slice, (_, _) => selfContained.PostAsync(Query)));
            checkedRun = Add(checkedRun, await Load.RunAsync(Concurrency, slice, (_, _) => server.PostAsync(Query)));
        }

        System.Console.Error.WriteLine("  token issuance (client credentials)");
        var issuance = await Load.RunAsync(Concurrency, duration, async (_, _) => await IssueAsync());

        double PerSecond((Latencies L, TimeSpan E, int F) r) => r.L.Count / r.E.TotalSeconds;
        var ratio = PerSecond(baseline) / PerSecond(checkedRun);
        return
        [
            new("auth", "query, self-contained token: requests per second", PerSecond(baseline), "1/s", "", null),
            new("auth", "query, authorization-server token: requests per second", PerSecond(checkedRun), "1/s", "", null),
            new("auth", "query, authorization-server token: p95", checkedRun.Latencies.Percentile(95), "ms", "", null),
            new("auth", "authorization overhead (time per request ratio)", ratio, "x", "<= 1.10", ratio <= 1.10),
            new("auth", "token issuances per second (client credentials)", PerSecond(issuance), "1/s", "", null),
            new("auth", "token issuance p95", issuance.Latencies.Percentile(95), "ms", "", null),
        ];
    }

    private const int Rounds = 5;

    private static (Latencies Latencies, TimeSpan Elapsed, int Failures) Empty() => (new Latencies(), TimeSpan.Zero, 0);

    private static (Latencies Latencies, TimeSpan Elapsed, int Failures) Add(
        (Latencies Latencies, TimeSpan Elapsed, int Failures) total, (Latencies Latencies, TimeSpan Elapsed, int Failures) round)
    {
        total.Latencies.AddRange(round.Latencies);
        return (total.Latencies, total.Elapsed + round.Elapsed, total.Failures + round.Failures);
    }

    private static HttpClient Client(BenchHost host, string token)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { BaseAddress = host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
