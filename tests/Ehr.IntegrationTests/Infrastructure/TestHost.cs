using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ehr.Host;
using Ehr.Platform.Identity;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>
/// The real host (same composition root as <c>./ehr up</c>) on Kestrel at 127.0.0.1 and a free port, against the test
/// cluster. One per test assembly; each test class provisions its own tenants with unique slugs.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestHost? _shared;

    private TestHost(WebApplication app, Uri address, string dataDir, string logFile)
    {
        App = app;
        Address = address;
        DataDir = dataDir;
        LogFile = logFile;
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public string DataDir { get; }

    /// <summary>
    /// The host's warnings and errors, as the console sink writes them (a test host's console output is not shown):
    /// under <c>EHR_TEST_LOG_DIR</c>, which <c>./ehr test</c> sets, keeps and prints from when a test fails.
    /// </summary>
    public string LogFile { get; }

    /// <summary>What the host has logged to <see cref="LogFile"/> so far (each entry is flushed as it is written).</summary>
    public async Task<string> ReadLogAsync()
    {
        if (!File.Exists(LogFile))
        {
            return "";
        }

        await using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return await new StreamReader(stream).ReadToEndAsync();
    }

    public IServiceProvider Services => App.Services;

    /// <summary>The assembly-wide host, with a job server polling fast so job tests finish quickly.</summary>
    public static async Task<TestHost> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _shared ??= await StartAsync(new Dictionary<string, string?>
            {
                ["Jobs:RunServer"] = "true",
                ["Jobs:QueuePollInterval"] = "00:00:00.200",
                ["Jobs:WorkerCount"] = "2",
                // Workflow tests run their own hosts with the dispatcher (one test class at a time, see
                // WorkflowHost); here events and effects just wait, which no other test looks at.
                ["Workflow:RunWorkers"] = "false",
            });
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A host of its own; <paramref name="clock"/>, when given, is its time (hosts given one clock share it).</summary>
    public static async Task<TestHost> StartAsync(IDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        var dataDir = Directory.CreateTempSubdirectory("ehr-test-data-").FullName;
        // The cluster's key-ring certificate where the host (and any CLI verb run with this data directory) looks.
        Directory.CreateDirectory(Path.Combine(dataDir, "keys"));
        File.Copy(TestDatabase.KeyRingCertificate, Path.Combine(dataDir, "keys", "data-protection.pfx"));
        var logDir = Environment.GetEnvironmentVariable("EHR_TEST_LOG_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(AppContext.BaseDirectory, "TestResults", "server-logs");
        var logFile = Path.Combine(Directory.CreateDirectory(logDir).FullName, $"host-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid().ToString("N")[..8]}.log");
        var overrides = new Dictionary<string, string?>
        {
            ["Database:Url"] = TestDatabase.Url,
            ["Ehr:DataDir"] = dataDir,
            ["Jobs:RunServer"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:WriteTo:0:Name"] = "File",
            ["Serilog:WriteTo:0:Args:path"] = logFile,
            ["Serilog:WriteTo:0:Args:outputTemplate"] = "{Timestamp:HH:mm:ss.fff} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}",
            ["StarterPacks:Directory"] = Path.Combine(TestDatabase.RepoRoot, "tenant-templates"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            overrides[key] = value;
        }

        var (app, address) = await EhrHost.StartOnLoopbackAsync(overrides,
            clock is null ? null : services => services.AddSingleton(clock));
        return new TestHost(app, address, dataDir, logFile);
    }

    /// <summary>A new tenant with a unique slug (prefix + random suffix) from a starter pack.</summary>
    public async Task<Tenant> CreateTenantAsync(string prefix, string pack = "primary-care")
    {
        var slug = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        return await Services.GetRequiredService<TenantProvisioner>().CreateAsync(new CreateTenant(slug, "Test " + prefix, pack), PlatformAdministration.Operator("tests"));
    }

    public string Token(string? tenant, string user, params string[] roles) =>
        Services.GetRequiredService<DevTokenIssuer>().Issue(tenant, user, roles);

    /// <summary>A patient-role token that may read exactly <paramref name="patients"/>.</summary>
    public string PatientToken(string tenant, string user, params Guid[] patients) =>
        Services.GetRequiredService<DevTokenIssuer>().Issue(tenant, user, [Permissions.PatientRole], patients: patients);

    /// <summary>A token whose membership is restricted to <paramref name="locations"/>.</summary>
    public string LocationToken(string tenant, string user, IReadOnlyList<Guid> locations, params string[] roles) =>
        Services.GetRequiredService<DevTokenIssuer>().Issue(tenant, user, roles, locations: locations);

    /// <summary>A client-credentials-shaped token: an API client, outside the tenant.</summary>
    public string ApiClientToken(string tenant, string clientId, params string[] roles) =>
        Services.GetRequiredService<DevTokenIssuer>().Issue(tenant, clientId, roles, apiClient: true);

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>
    /// A fresh (unpooled) connection as the application's login role, no tenant role set: a hand-written SQL session,
    /// as an operator or an attacker with the app's credentials would have.
    /// </summary>
    public async Task<NpgsqlConnection> OpenSqlAsync()
    {
        var options = Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Ehr.Platform.Database.DatabaseOptions>>().Value;
        var builder = new NpgsqlConnectionStringBuilder(options.BuildConnectionString()) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(DataDir, recursive: true);
    }
}

/// <summary>A GraphQL answer: the raw status, <c>data</c> and the first error's code and field paths.</summary>
public sealed record GraphQLResult(int Status, JsonNode? Data, JsonArray? Errors)
{
    public string? Code => Errors?[0]?["extensions"]?["code"]?.GetValue<string>();

    public IReadOnlyList<string> FieldPaths => Errors?[0]?["extensions"]?["fields"]?.AsArray()
        .Select(f => f!["path"]!.GetValue<string>()).ToList() ?? [];

    public JsonNode DataOrThrow => Errors is { Count: > 0 }
        ? throw new InvalidOperationException("GraphQL errors: " + Errors.ToJsonString())
        : Data ?? throw new InvalidOperationException("No data.");
}

public static class GraphQLClient
{
    public static async Task<GraphQLResult> GraphQLAsync(this HttpClient client, string query, object? variables = null,
        Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = JsonContent.Create(new { query, variables }),
        };
        request.Headers.Accept.ParseAdd("application/graphql-response+json");
        configure?.Invoke(request);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 ? JsonNode.Parse(text) : null;
        return new GraphQLResult((int)response.StatusCode, body?["data"], body?["errors"]?.AsArray());
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}
