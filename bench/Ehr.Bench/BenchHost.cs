using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Ehr.Host;
using Ehr.Platform.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Bench;

/// <summary>The real host, in this process, on 127.0.0.1 and a free port, against the benchmark database.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private BenchHost(WebApplication app, Uri address, string dataDir)
    {
        App = app;
        Address = address;
        DataDir = dataDir;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public string DataDir { get; }

    public IServiceProvider Services => App.Services;

    private static readonly Lazy<string> KeyRingCertificate = new(() =>
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("ehr-bench-keyring-").FullName, "data-protection.pfx");
        Ehr.Platform.Identity.KeyEncryptionCertificate.LoadOrCreate(path).Dispose();
        return path;
    });

    public static async Task<BenchHost> StartAsync(string databaseUrl, string packs, IDictionary<string, string?>? extra = null)
    {
        var dataDir = Directory.CreateTempSubdirectory("ehr-bench-data-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Database:Url"] = databaseUrl,
            ["Database:MaxPoolSize"] = "100",
            ["Ehr:DataDir"] = dataDir,
            // One key-ring certificate for every host of the run: they share the database's key ring.
            ["DataProtection:CertificatePath"] = KeyRingCertificate.Value,
            ["Jobs:RunServer"] = "false",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["StarterPacks:Directory"] = packs,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var (app, address) = await EhrHost.StartOnLoopbackAsync(settings);
        return new BenchHost(app, address, dataDir);
    }

    public HttpClient Client(string tenant, int connections)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            Services.GetRequiredService<DevTokenIssuer>().Issue(tenant, "bench", ["physician"], 24 * 60));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(DataDir, recursive: true);
    }
}

internal static class GraphQL
{
    /// <summary>POSTs a GraphQL document; any GraphQL error is a failure.</summary>
    public static async Task<JsonNode> PostAsync(this HttpClient client, string query, object? variables = null)
    {
        using var response = await client.PostAsJsonAsync("/graphql", new { query, variables });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (!response.IsSuccessStatusCode || body["errors"] is not null)
        {
            throw new InvalidOperationException($"GraphQL {(int)response.StatusCode}: {body["errors"]?.ToJsonString()}");
        }

        return body["data"]!;
    }
}

/// <summary>A starter pack of one location, so provisioning measures the platform rather than demo data.</summary>
internal static class BenchPack
{
    public const string Name = "bench";

    public static string Create()
    {
        var root = Directory.CreateTempSubdirectory("ehr-bench-packs-").FullName;
        var dir = Directory.CreateDirectory(Path.Combine(root, Name)).FullName;
        File.WriteAllText(Path.Combine(dir, "pack.json"), """{ "displayName": "Benchmark" }""");
        File.WriteAllText(Path.Combine(dir, "locations.json"), """[{ "code": "MAIN", "name": "Main", "timezone": "UTC" }]""");
        return root;
    }
}
