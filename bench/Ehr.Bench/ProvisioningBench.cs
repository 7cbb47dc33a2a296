using System.Diagnostics;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Bench;

/// <summary>
/// Creating tenants one after another (role, schema, schema script, one-location pack, all in one transaction), then
/// the host's memory after touching one tenant against after touching all of them.
/// </summary>
internal static class ProvisioningBench
{
    public static async Task<IReadOnlyList<Metric>> RunAsync(string databaseUrl, string packs, int tenants)
    {
        var slugs = new List<string>(tenants);
        var perTenant = new Latencies();
        var total = Stopwatch.StartNew();
        await using (var host = await BenchHost.StartAsync(databaseUrl, packs))
        {
            var provisioner = host.Services.GetRequiredService<TenantProvisioner>();
            // Warm-up outside the measurement: the first tenant pays for JIT and the EF model.
            await provisioner.CreateAsync(new CreateTenant("warm-up", "Warm up", BenchPack.Name), PlatformAdministration.Operator("bench"));
            total.Restart();
            for (var i = 0; i < tenants; i++)
            {
                var slug = $"bench-{i:D5}";
                var started = Stopwatch.GetTimestamp();
                await provisioner.CreateAsync(new CreateTenant(slug, "Bench " + i, BenchPack.Name), PlatformAdministration.Operator("bench"));
                perTenant.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                slugs.Add(slug);
                if ((i + 1) % 100 == 0)
                {
                    System.Console.Error.WriteLine($"  provisioned {i + 1}/{tenants}");
                }
            }
        }

        var elapsed = total.Elapsed;
        var (oneHeap, allHeap, oneWorkingSet, allWorkingSet) = await MemoryAsync(databaseUrl, packs, slugs);
        var perTenantKb = (allHeap - oneHeap) / 1024.0 / Math.Max(1, slugs.Count - 1);
        var perTenantWsKb = (allWorkingSet - oneWorkingSet) / 1024.0 / Math.Max(1, slugs.Count - 1);
        return
        [
            new("provisioning", "median ms per tenant", perTenant.Percentile(50), "ms", "<= 100", perTenant.Percentile(50) <= 100),
            new("provisioning", "p95 ms per tenant", perTenant.Percentile(95), "ms", "", null),
            new("provisioning", "tenants per second", tenants / elapsed.TotalSeconds, "1/s", "", null),
            new("memory", $"managed heap after touching 1 tenant", oneHeap / 1024.0 / 1024.0, "MB", "", null),
            new("memory", $"managed heap after touching {slugs.Count} tenants", allHeap / 1024.0 / 1024.0, "MB", "", null),
            new("memory", "managed heap per extra tenant", perTenantKb, "KB", "<= 64", perTenantKb <= 64),
            new("memory", "working set per extra tenant", perTenantWsKb, "KB", "", null),
        ];
    }

    /// <summary>A fresh host: one authenticated request for one tenant, then one for every tenant.</summary>
    private static async Task<(long OneHeap, long AllHeap, long OneWs, long AllWs)> MemoryAsync(string databaseUrl, string packs, List<string> slugs)
    {
        await using var host = await BenchHost.StartAsync(databaseUrl, packs);
        const string query = "{ tenant { slug } locations { id code } }";
        for (var i = 0; i < 20; i++)
        {
            using var client = host.Client(slugs[0], 1);
            await client.PostAsync(query);
        }

        var (oneHeap, oneWs) = Measure();
        foreach (var slug in slugs)
        {
            using var client = host.Client(slug, 1);
            await client.PostAsync(query);
        }

        var (allHeap, allWs) = Measure();
        return (oneHeap, allHeap, oneWs, allWs);
    }

    private static (long Heap, long WorkingSet) Measure()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }
}
