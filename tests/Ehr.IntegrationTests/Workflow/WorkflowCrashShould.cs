using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Npgsql;
using Xunit.Abstractions;
using static Ehr.IntegrationTests.Workflow.WorkflowGraph;
using static Ehr.IntegrationTests.Workflow.WorkflowHost;

namespace Ehr.IntegrationTests.Workflow;

/// <summary>
/// The host dies in the middle of steps and comes back: every instance continues exactly once. The host runs as a
/// child process (<c>serve</c>, the production verb) with a pause between a step's commit and its effects, and is
/// killed with SIGKILL twice: while nurses' decisions are being committed through its API, then while it carries out
/// the module actions and web hooks those decisions asked for. Restarted, it finds the work left in the tenant's
/// tables. At the end each instance has completed, with exactly one task decision, one chart flag, one notification,
/// one web hook delivery accepted by the receiver (deliveries are at least once: a repeat carries the same delivery
/// id and body) and a timeline without a repeated step.
/// </summary>
[Collection(WorkflowTests.Name)]
public sealed class WorkflowCrashShould(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Instances = 30;
    private const string Secret = "crash-test-receiver-secret-42";
    private static readonly string[] Approve = ["approve"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private FakeWebhookReceiver _receiver = null!;
    private Process? _child;
    private readonly StringBuilder _childLog = new();

    public async Task InitializeAsync()
    {
        // Setup only: no dispatcher and no job server here, so the child processes are the tenant's only workers.
        _host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Jobs:RunServer"] = "false", ["Workflow:RunWorkers"] = "false" });
        _tenant = await _host.CreateTenantAsync("wf-crash");
        _receiver = await FakeWebhookReceiver.StartAsync(Secret);
    }

    public async Task DisposeAsync()
    {
        Kill();
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task ContinueEveryInstanceExactlyOnceAfterTheHostIsKilledMidStep()
    {
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.crash", "tenant-admin"));
        (await admin.GraphQLAsync(DefineEndpoint, new { input = new { key = "sink", url = _receiver.Url.ToString(), secret = Secret } })).Data("defineWebhookEndpoint");
        await PublishAsync(admin, "crash-flow", ToJson(new
        {
            schemaVersion = 1,
            title = "Crash flow",
            variables = new { },
            nodes = new object[]
            {
                new { id = "start", kind = "start", trigger = new { type = "manual", inputs = new { patientId = new { type = "string", required = true } } } },
                new { id = "work", kind = "task", title = "Work", assignee = new { role = "nurse" }, outcomes = Approve },
                new { id = "flag", kind = "action", action = "patient.flag", inputs = new { patientId = "vars.patientId", flag = "'crash-test'" } },
                new { id = "hook", kind = "webhook", endpoint = "sink", @event = "crash.done", payload = new { patient = "vars.patientId" } },
                new { id = "tell", kind = "notify", to = new[] { new { role = "nurse" } }, template = "crash-done" },
                new { id = "end", kind = "end", outcome = "done" },
            },
            edges = new object[]
            {
                new { from = "start", to = "work" }, new { from = "work", outcome = "approve", to = "flag" }, new { from = "flag", outcome = "done", to = "hook" },
                new { from = "hook", to = "tell" }, new { from = "tell", to = "end" },
            },
        }));
        var patient = (await admin.GraphQLAsync("{ patients(first: 1) { nodes { id } } }")).Data("patients")["nodes"]![0]!["id"]!.GetValue<string>();
        for (var i = 0; i < Instances; i++)
        {
            (await admin.GraphQLAsync(Start, new { input = new { key = "crash-flow", patientId = patient, inputs = "{}" } })).Data("startWorkflow");
        }

        var tasks = await ScalarsAsync("SELECT t.id::text FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id WHERE i.definition_key = 'crash-flow'");
        Assert.Equal(Instances, tasks.Count);
        var token = _host.Token(_tenant.Slug, "rn.crash", "nurse");

        // 1. Killed while decisions are being committed through its API.
        var port = await StartChildAsync();
        var decided = new ConcurrentBag<string>();
        var deciding = DecideAsync(port, token, tasks, decided);
        await EventuallyAsync(() => Task.FromResult(decided.Count >= Instances / 3 ? "" : null), "a third of the decisions", 120);
        Kill();
        await deciding;
        output.WriteLine($"first kill after {decided.Count} decisions were answered");

        // 2. Back up: the rest of the decisions; killed again while it carries out actions and web hooks.
        port = await StartChildAsync();
        await DecideAsync(port, token, tasks.Except(decided).ToList(), decided);
        Assert.Equal(Instances, decided.Count);
        await EventuallyAsync(() => Task.FromResult(_receiver.Accepted.Count >= Instances / 3 ? "" : null), "a third of the deliveries", 120);
        var pendingAtKill = await CountAsync(_host, _tenant, "SELECT count(*) FROM workflow_effects WHERE done_at IS NULL");
        Kill();
        output.WriteLine($"second kill with {_receiver.Accepted.Count} deliveries accepted and {pendingAtKill} effects pending");

        // 3. Back up once more: it finishes what was left.
        await StartChildAsync();
        await EventuallyAsync(async () => await CountAsync(_host, _tenant,
            "SELECT count(*) FROM workflow_instances WHERE definition_key = 'crash-flow' AND status = 'completed'") == Instances ? "" : null,
            "every instance to complete", 180);

        var flow = "FROM workflow_instances i WHERE i.definition_key = 'crash-flow'";
        Assert.Equal(Instances, await CountAsync(_host, _tenant, $"SELECT count(*) {flow} AND (SELECT count(*) FROM workflow_tasks t WHERE t.instance_id = i.id AND t.status = 'completed') = 1"));
        Assert.Equal(Instances, await CountAsync(_host, _tenant, $"SELECT count(*) {flow} AND (SELECT count(*) FROM patient_flags f WHERE f.source = 'workflow:' || i.id) = 1"));
        Assert.Equal(Instances, await CountAsync(_host, _tenant, $"SELECT count(*) {flow} AND (SELECT count(*) FROM workflow_notifications n WHERE n.instance_id = i.id) = 1"));
        foreach (var what in new[] { "task.completed", "action.completed", "webhook.delivered", "notification.sent", "completed" })
        {
            Assert.Equal(Instances, await CountAsync(_host, _tenant,
                $"SELECT count(*) {flow} AND (SELECT count(*) FROM workflow_history h WHERE h.instance_id = i.id AND h.what = '{what}') = 1"));
        }

        // Every step recorded once: no step number used by two inputs, none skipped.
        Assert.Equal(0, await CountAsync(_host, _tenant,
            "SELECT count(*) FROM (SELECT h.instance_id, h.step, h.idx FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id " +
            "WHERE i.definition_key = 'crash-flow' AND h.idx < 1000 GROUP BY 1, 2, 3 HAVING count(*) > 1) repeated"));
        Assert.Equal(Instances, await CountAsync(_host, _tenant,
            $"SELECT count(*) {flow} AND (SELECT count(DISTINCT h.step) FROM workflow_history h WHERE h.instance_id = i.id) = i.steps"));
        Assert.Equal(0, await CountAsync(_host, _tenant, "SELECT count(*) FROM workflow_effects WHERE done_at IS NULL"));

        var deliveries = _receiver.Received.Where(r => r.Event == "crash.done").ToList();
        Assert.Equal(Instances, _receiver.Accepted.Count);
        Assert.All(deliveries, d => Assert.True(d.SignatureValid));
        Assert.All(deliveries.GroupBy(d => d.DeliveryId), g => Assert.Single(g.Select(d => d.Body).Distinct()));
        output.WriteLine($"{deliveries.Count} deliveries received for {Instances} instances ({deliveries.Count - Instances} repeated after a kill, same id and body)");
    }

    /// <summary>Decides each task through the child's API; a request cut by the kill is left to decide again (a decision that was committed answers TASK_CLOSED).</summary>
    private static async Task DecideAsync(int port, string token, IReadOnlyList<string> tasks, ConcurrentBag<string> decided)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(tasks.Select(async id =>
        {
            await gate.WaitAsync();
            try
            {
                var result = await client.GraphQLAsync(Complete, new { id, outcome = "approve" });
                if (result.Errors is null || result.Code == "TASK_CLOSED")
                {
                    decided.Add(id);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                // The host died under this request; whether it committed is found out by deciding again.
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private async Task<int> StartChildAsync()
    {
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ehr.Host.dll"), "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestDatabase.RepoRoot,
        };
        psi.Environment["EHR_DATABASE_URL"] = TestDatabase.Url;
        psi.Environment["EHR_DATA_DIR"] = _host.DataDir;
        psi.Environment["StarterPacks__Directory"] = Path.Combine(TestDatabase.RepoRoot, "tenant-templates");
        psi.Environment["Workflow__EffectDelay"] = "00:00:00.300";
        psi.Environment["Workflow__SweepInterval"] = "00:00:01";
        psi.Environment["Jobs__QueuePollInterval"] = "00:00:00.200";
        psi.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        _child = Process.Start(psi)!;
        _child.OutputDataReceived += (_, e) => Log(e.Data);
        _child.ErrorDataReceived += (_, e) => Log(e.Data);
        _child.BeginOutputReadLine();
        _child.BeginErrorReadLine();
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await EventuallyAsync(async () =>
        {
            if (_child.HasExited)
            {
                throw new InvalidOperationException($"The host exited with {_child.ExitCode}:\n{_childLog}");
            }

            try
            {
                return (await probe.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"))).IsSuccessStatusCode ? "" : null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return null;
            }
        }, "the host to serve", 180);
        return port;
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Linux): no shutdown code runs.</summary>
    private void Kill()
    {
        if (_child is { HasExited: false })
        {
            _child.Kill(entireProcessTree: true);
            _child.WaitForExit(30_000);
        }

        _child?.Dispose();
        _child = null;
    }

    private void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_childLog)
        {
            _childLog.AppendLine(line);
        }
    }

    private async Task<List<string>> ScalarsAsync(string sql)
    {
        await using var conn = await _host.OpenSqlAsync();
        await using var cmd = new NpgsqlCommand($"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}, ext; " + sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<string>();
        do
        {
            while (await reader.ReadAsync())
            {
                list.Add(reader.GetString(0));
            }
        }
        while (await reader.NextResultAsync());

        return list;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
