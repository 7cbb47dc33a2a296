using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Ehr.Bench;
using Npgsql;

// ./ehr bench [--quick] [--only provisioning|search|register|auth|forms|subscriptions|workflow|workflow-runtime|responses]
//             [--tenants N] [--patients N] [--seconds S] [--waiting N]
// Targets are reported, never asserted: a missed target is a finding, not a failed build.
var options = args.ToList();
string? Value(string name)
{
    var i = options.IndexOf(name);
    return i >= 0 && i + 1 < options.Count ? options[i + 1] : null;
}

var quick = options.Contains("--quick");
var only = Value("--only");
var tenants = int.Parse(Value("--tenants") ?? (quick ? "50" : "1000"), CultureInfo.InvariantCulture);
var patients = int.Parse(Value("--patients") ?? (quick ? "10000" : "100000"), CultureInfo.InvariantCulture);
var seconds = TimeSpan.FromSeconds(double.Parse(Value("--seconds") ?? (quick ? "3" : "10"), CultureInfo.InvariantCulture));
var url = Environment.GetEnvironmentVariable("EHR_BENCH_DATABASE_URL")
          ?? throw new InvalidOperationException("EHR_BENCH_DATABASE_URL is not set: run the benchmarks with ./ehr bench.");

var packs = BenchPack.Create();
var metrics = new List<Metric>();
if (only is null or "provisioning")
{
    System.Console.Error.WriteLine($"provisioning {tenants} tenants");
    metrics.AddRange(await ProvisioningBench.RunAsync(url, packs, tenants));
}

if (only is null or "search")
{
    System.Console.Error.WriteLine($"search over {patients} patients");
    metrics.AddRange(await SearchBench.RunAsync(url, packs, patients, seconds));
}

if (only is null or "register")
{
    System.Console.Error.WriteLine("registration");
    metrics.AddRange(await RegistrationBench.RunAsync(url, packs, seconds));
}

if (only is null or "auth")
{
    System.Console.Error.WriteLine("authorization");
    metrics.AddRange(await AuthBench.RunAsync(url, packs, seconds));
}

if (only is null or "forms")
{
    System.Console.Error.WriteLine("forms: validation and scoring in process");
    metrics.AddRange(FormsBench.Run(seconds));
}

if (only is null or "subscriptions")
{
    System.Console.Error.WriteLine("subscriptions: alerts across two hosts over WebSocket");
    metrics.AddRange(await SubscriptionBench.RunAsync(url, packs, quick ? 20 : 100, quick ? 10 : 30));
}

if (only is null or "workflow")
{
    System.Console.Error.WriteLine("workflow: scripts and steps in process");
    metrics.AddRange(WorkflowBench.Run(seconds));
}

if (only is null or "responses")
{
    System.Console.Error.WriteLine("form responses: PHQ-9 start + complete over GraphQL");
    metrics.AddRange(await FormResponsesBench.RunAsync(url, packs, seconds));
}

if (only is null or "workflow-runtime")
{
    var waiting = int.Parse(Value("--waiting") ?? (quick ? "4000" : "10000"), CultureInfo.InvariantCulture);
    System.Console.Error.WriteLine($"workflow runtime with {waiting} waiting instances");
    metrics.AddRange(await WorkflowRuntimeBench.RunAsync(url, packs, waiting, seconds));
}

string postgres;
await using (var dataSource = NpgsqlDataSource.Create(new Ehr.Platform.Database.DatabaseOptions { Url = url }.BuildConnectionString()))
await using (var cmd = dataSource.CreateCommand("SELECT version()"))
{
    postgres = (string)(await cmd.ExecuteScalarAsync())!;
}

System.Console.WriteLine();
System.Console.WriteLine($"{"scenario",-14} {"metric",-52} {"value",12} {"unit",-5} {"target",-8} met");
System.Console.WriteLine(new string('-', 100));
foreach (var m in metrics)
{
    System.Console.WriteLine($"{m.Scenario,-14} {m.Name,-52} {m.Value,12:F2} {m.Unit,-5} {m.Target,-8} {(m.Met is null ? "" : m.Met.Value ? "yes" : "NO")}");
}

var result = new
{
    timestamp = DateTimeOffset.UtcNow,
    quick,
    settings = new { tenants, patients, seconds = seconds.TotalSeconds, durableDatabase = Environment.GetEnvironmentVariable("EHR_BENCH_DURABLE") != "0" },
    machine = new
    {
        cores = Environment.ProcessorCount,
        os = RuntimeInformation.OSDescription,
        dotnet = RuntimeInformation.FrameworkDescription,
        postgres,
    },
    metrics = metrics.Select(m => new { m.Scenario, m.Name, m.Value, m.Unit, m.Target, m.Met }),
};
var root = FindRoot();
Directory.CreateDirectory(Path.Combine(root, "bench", "results"));
var file = Path.Combine(root, "bench", "results", "latest.json");
await File.WriteAllTextAsync(file, JsonSerializer.Serialize(result, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
System.Console.WriteLine($"\nwritten to {file}");
Directory.Delete(packs, recursive: true);

static string FindRoot()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Ehr.Saas.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
