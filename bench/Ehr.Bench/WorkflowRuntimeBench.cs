using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Ehr.Clinical.Patients;
using Ehr.Platform.Identity;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Instances;
using Ehr.Workflow.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.Bench;

/// <summary>
/// The workflow runtime against the database, with many instances waiting (the issue's scenario): the host's memory
/// with a tenth of them and with all of them (flat: instances are rows, not objects), task decisions resumed per second
/// (each: instance locked, step, rows, audit, one transaction), how long a domain event takes to become a task in the
/// inbox (registration committed to task row, through the outbox consumer), and how late 2-second timers fire while
/// decisions keep the database busy (Hangfire's schedule poll is 1 s). In process, through the use cases.
/// </summary>
internal static class WorkflowRuntimeBench
{
    private static readonly int Concurrency = int.TryParse(Environment.GetEnvironmentVariable("EHR_BENCH_CONCURRENCY"), out var n) ? n : 8;

    public static async Task<IReadOnlyList<Metric>> RunAsync(string databaseUrl, string packs, int waiting, TimeSpan duration)
    {
        await using var host = await BenchHost.StartAsync(databaseUrl, packs, new Dictionary<string, string?>
        {
            ["Jobs:RunServer"] = "true",
            ["Jobs:QueuePollInterval"] = "00:00:00.200",
            ["Workflow:RunWorkers"] = "true",
        });
        var tenant = await host.Services.GetRequiredService<TenantProvisioner>()
            .CreateAsync(new CreateTenant("wfrt-" + Guid.NewGuid().ToString("N")[..6], "Workflow runtime bench", BenchPack.Name), PlatformAdministration.Operator("bench"));
        var location = await ScalarAsync<Guid>(host, tenant, "SELECT id FROM locations LIMIT 1");
        await AsAsync(host, tenant, Actor.System("bench", tenant.Slug), async sp =>
        {
            var change = sp.GetRequiredService<ChangeWorkflowDefinitions>();
            foreach (var (key, json) in Definitions())
            {
                var draft = await change.CreateDraftAsync(new NewWorkflowDraft(key, null, key, json), CancellationToken.None);
                await change.PublishAsync(draft.Artifact.Id, draft.Artifact.RowVersion, null, CancellationToken.None);
            }

            return 0;
        });

        // Waiting instances: a tenth, memory; the rest, memory again.
        System.Console.Error.WriteLine($"  starting {waiting} instances that wait on a task");
        var tenth = Math.Max(1, waiting / 10);
        await StartManyAsync(host, tenant, "bench-wait", location, tenth);
        var memoryAtTenth = Memory();
        var seeding = Stopwatch.StartNew();
        await StartManyAsync(host, tenant, "bench-wait", location, waiting - tenth);
        var startsPerSecond = (waiting - tenth) / seeding.Elapsed.TotalSeconds;
        var memoryAtAll = Memory();

        // Task decisions resumed per second, with timers due meanwhile. The decided tasks are a pool of their own
        // (bench-decide), so the waiting instances all stay waiting while the decisions are made; the pool is sized for
        // about 2,000 decisions a second, and a run that empties it ends early and says so.
        var pool = Math.Max(waiting, (int)(duration.TotalSeconds * 2000));
        System.Console.Error.WriteLine($"  starting {pool} more instances, whose tasks will be decided");
        await StartManyAsync(host, tenant, "bench-decide", location, pool);
        var tasks = new Queue<Guid>((await ScalarsAsync(host, tenant,
            "SELECT t.id::text FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id WHERE i.definition_key = 'bench-decide' AND t.status = 'open'"))
            .Select(Guid.Parse));
        var lockTasks = new Lock();
        var reserved = Enumerable.Range(0, 10).Select(_ => tasks.Dequeue()).ToList();
        System.Console.Error.WriteLine("  starting 100 two-second timers, then deciding tasks");
        var timerIds = new List<Guid>();
        for (var i = 0; i < 100; i++)
        {
            timerIds.Add(await StartAsync(host, tenant, "bench-timer", location));
        }

        var nurse = new Actor("bench.nurse", tenant.Slug, ["nurse"], null, PurposeOfUse.Treatment);
        // The warm-up takes at most a third of the pool; the measurement ends early if the rest run out (a
        // fast machine decides more than --waiting allows in the time given), and says so.
        var budget = tasks.Count / 3;
        async Task DecideNext(int worker, Random random)
        {
            Guid id;
            lock (lockTasks)
            {
                if (budget-- <= 0 || !tasks.TryDequeue(out id))
                {
                    throw new LoadExhaustedException();
                }
            }

            await AsAsync(host, tenant, nurse, sp => sp.GetRequiredService<CompleteWorkflowTask>().HandleAsync(id, new TaskDecision("approve", null, null), CancellationToken.None));
        }

        // Warm up first, as long as the measurement (at most 10 s): a server runs this path all day, with the JIT's tiers
        // settled (measured here: for the first seconds a quarter of the host's CPU is the tiered compiler's) and the pools full.
        await Load.RunAsync(Concurrency, TimeSpan.FromSeconds(Math.Min(10, duration.TotalSeconds)), DecideNext);
        var cpu = CpuMeter.For(databaseUrl);
        cpu.Start();
        lock (lockTasks)
        {
            budget = int.MaxValue;
        }

        var decisions = await Load.RunAsync(Concurrency, duration, DecideNext);
        if (tasks.Count == 0)
        {
            System.Console.Error.WriteLine($"  the waiting tasks ran out after {decisions.Elapsed.TotalSeconds:F1} s of {duration.TotalSeconds:F0} s: " +
                                           "the rate is over that time (give more with --waiting)");
        }

        var resumesPerSecond = decisions.Latencies.Count / decisions.Elapsed.TotalSeconds;
        var (hostCpu, serverCpu, machineBusy) = cpu.Stop(decisions.Latencies.Count);

        // What one decision costs in round trips, counted on a few decided one at a time.
        var traced = new List<List<string>>();
        using (new SqlTrace())
        {
            for (var i = 0; i < 10; i++)
            {
                var id = reserved[i];
                traced.Add(await SqlTrace.RecordAsync(() => AsAsync(host, tenant, nurse,
                    sp => sp.GetRequiredService<CompleteWorkflowTask>().HandleAsync(id, new TaskDecision("approve", null, null), CancellationToken.None))));
            }
        }

        var roundTrips = traced.Skip(1).Average(t => t.Count);
        if (Environment.GetEnvironmentVariable("EHR_BENCH_TRACE_SQL") == "1")
        {
            traced[^1].ForEach(line => System.Console.Error.WriteLine("    " + line));
        }

        // Event to task: patients registered at a steady pace; each starts a workflow whose first node is a task.
        System.Console.Error.WriteLine("  registering patients: event to first task");
        var registered = new List<Guid>();
        var admin = new Actor("bench.frontdesk", tenant.Slug, ["front-desk"], null, PurposeOfUse.Treatment);
        var pace = Stopwatch.StartNew();
        var events = Math.Max(50, (int)(duration.TotalSeconds * 20));
        for (var i = 0; i < events; i++)
        {
            var family = "Patient" + i.ToString(CultureInfo.InvariantCulture);
            var patient = await AsAsync(host, tenant, admin, sp => sp.GetRequiredService<RegisterPatient>().HandleAsync(
                new PatientInput(new NameInput("Bench", family), "1980-01-01", "unknown", HomeLocationId: location), CancellationToken.None));
            registered.Add(patient.Id);
            var due = TimeSpan.FromMilliseconds(50 * (i + 1)) - pace.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
        }

        var latencies = await WaitForAsync(host, tenant,
            $"SELECT extract(epoch FROM t.created_at - e.occurred_at) * 1000 FROM workflow_tasks t JOIN workflow_instances i ON i.id = t.instance_id " +
            $"JOIN domain_events e ON e.id = i.start_event_id WHERE i.definition_key = 'bench-event'", events, TimeSpan.FromSeconds(60));
        var timerLateness = await WaitForAsync(host, tenant,
            "SELECT extract(epoch FROM h.at - (i.started_at + interval '2 seconds')) * 1000 FROM workflow_history h JOIN workflow_instances i ON i.id = h.instance_id " +
            "WHERE i.definition_key = 'bench-timer' AND h.what = 'timer.fired'", timerIds.Count, TimeSpan.FromSeconds(60));

        if (Environment.GetEnvironmentVariable("EHR_BENCH_TRACE_SQL") == "1")
        {
            var rows = await ScalarsAsync(host, tenant,
                "SELECT concat_ws(' ', extract(epoch FROM i.started_at) * 1000, round(extract(epoch FROM e.created_at - i.started_at) * 1000), " +
                "round(extract(epoch FROM e.done_at - i.started_at) * 1000), coalesce(substring(e.result from 'job ([0-9]+)'), '0'), " +
                "round(extract(epoch FROM h.at - i.started_at) * 1000)) FROM workflow_instances i " +
                "JOIN workflow_effects e ON e.instance_id = i.id AND e.type = 'scheduleTimer' " +
                "LEFT JOIN workflow_history h ON h.instance_id = i.id AND h.what = 'timer.fired' WHERE i.definition_key = 'bench-timer' ORDER BY i.started_at LIMIT 20");
            await using var conn = await host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
            System.Console.Error.WriteLine("    timer (ms after start): effect written, effect done, hangfire states, fired");
            foreach (var row in rows)
            {
                var f = row.Split(' ');
                await using var cmd = new NpgsqlCommand(
                    "SELECT string_agg(name || '@' || round(extract(epoch FROM createdat) * 1000 - $2), ' ' ORDER BY id) FROM hangfire.state WHERE jobid = $1", conn);
                cmd.Parameters.AddWithValue(long.Parse(f[3], CultureInfo.InvariantCulture));
                cmd.Parameters.AddWithValue(double.Parse(f[0], CultureInfo.InvariantCulture));
                System.Console.Error.WriteLine($"    {f[1]} {f[2]} [{await cmd.ExecuteScalarAsync()}] {(f.Length > 4 ? f[4] : "-")}");
            }
        }

        var eventLatency = new Latencies();
        latencies.ForEach(eventLatency.Add);
        var lateness = new Latencies();
        timerLateness.ForEach(lateness.Add);
        var growth = memoryAtAll.Heap / memoryAtTenth.Heap;
        return
        [
            new("wf-runtime", $"instances started per second (seeding, {Concurrency} at once)", startsPerSecond, "/s", "", null),
            new("wf-runtime", $"task decisions resumed per second ({waiting} waiting)", resumesPerSecond, "/s", ">= 500", resumesPerSecond >= 500),
            new("wf-runtime", "resume latency p95", decisions.Latencies.Percentile(95), "ms", "", null),
            new("wf-runtime", "SQL round trips per task decision", roundTrips, "", "", null),
            new("wf-runtime", "host CPU per task decision (all threads)", hostCpu, "ms", "", null),
            new("wf-runtime", "PostgreSQL CPU per task decision (all backends)", serverCpu ?? double.NaN, "ms", "", null),
            new("wf-runtime", "machine CPU busy while deciding", (machineBusy ?? double.NaN) * 100, "%", "", null),
            new("wf-runtime", "event to first task p50", eventLatency.Percentile(50), "ms", "", null),
            new("wf-runtime", "event to first task p95", eventLatency.Percentile(95), "ms", "", null),
            new("wf-runtime", $"managed heap with {tenth} waiting", memoryAtTenth.Heap / 1048576, "MiB", "", null),
            new("wf-runtime", $"managed heap with {waiting} waiting", memoryAtAll.Heap / 1048576, "MiB", "flat", growth < 1.25),
            new("wf-runtime", $"working set with {waiting} waiting", memoryAtAll.WorkingSet / 1048576, "MiB", "", null),
            new("wf-runtime", "2 s timers: lateness p50 under load", lateness.Percentile(50), "ms", "", null),
            new("wf-runtime", "2 s timers: lateness p95 under load", lateness.Percentile(95), "ms", "< 2000", lateness.Percentile(95) < 2000),
            new("wf-runtime", "2 s timers: lateness max under load", lateness.Percentile(100), "ms", "", null),
        ];
    }

    private static IEnumerable<(string Key, string Json)> Definitions()
    {
        string Def(object trigger, object[] nodes, object[] edges) => JsonSerializer.Serialize(new
        {
            schemaVersion = 1,
            title = "Bench",
            variables = new { },
            nodes = new object[] { new { id = "start", kind = "start", trigger } }.Concat(nodes).Append(new { id = "end", kind = "end" }).ToArray(),
            edges,
        });
        var task = new { id = "task", kind = "task", title = "Review", assignee = new { role = "nurse", atSubjectLocation = true }, outcomes = new[] { "approve" } };
        var taskEdges = new object[] { new { from = "start", to = "task" }, new { from = "task", outcome = "approve", to = "end" } };
        yield return ("bench-wait", Def(new { type = "manual", inputs = new { } }, [task], taskEdges));
        yield return ("bench-decide", Def(new { type = "manual", inputs = new { } }, [task], taskEdges));
        yield return ("bench-event", Def(new { type = "event", @event = "patient.registered" }, [task], taskEdges));
        yield return ("bench-timer", Def(new { type = "manual", inputs = new { } }, [new { id = "wait", kind = "timer", duration = "PT2S" }],
            [new { from = "start", to = "wait" }, new { from = "wait", to = "end" }]));
    }

    private static async Task StartManyAsync(BenchHost host, Tenant tenant, string key, Guid location, int count)
    {
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                await StartAsync(host, tenant, key, location);
            }
        }));
    }

    private static Task<Guid> StartAsync(BenchHost host, Tenant tenant, string key, Guid location) =>
        AsAsync(host, tenant, Actor.System("bench", tenant.Slug), async sp =>
            (await sp.GetRequiredService<StartWorkflowInstance>().HandleAsync(new ManualStart(key, location, null, "{}"), CancellationToken.None)).Id);

    /// <summary>A use case in a scope of its own, as a request would run it: the tenant and the actor bound.</summary>
    private static async Task<T> AsAsync<T>(BenchHost host, Tenant tenant, Actor actor, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(actor);
        return await work(scope.ServiceProvider);
    }

    private static (double Heap, double WorkingSet) Memory()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }

    private static async Task<List<double>> WaitForAsync(BenchHost host, Tenant tenant, string sql, int expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var values = (await ScalarsAsync(host, tenant, sql)).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
            if (values.Count >= expected || clock.Elapsed > timeout)
            {
                return values;
            }

            await Task.Delay(250);
        }
    }

    private static async Task<T> ScalarAsync<T>(BenchHost host, Tenant tenant, string sql) => (T)(await ExecAsync(host, tenant, sql, c => c.ExecuteScalarAsync()))!;

    private static Task<List<string>> ScalarsAsync(BenchHost host, Tenant tenant, string sql) => ExecAsync(host, tenant, sql, async c =>
    {
        var list = new List<string>();
        await using var reader = await c.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        }

        return list;
    });

    private static async Task<T> ExecAsync<T>(BenchHost host, Tenant tenant, string sql, Func<NpgsqlCommand, Task<T>> run)
    {
        await using var conn = await host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await Ehr.Platform.Persistence.TenantSession.EnterAsync(conn, tenant, null, default);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await run(cmd);
    }
}
