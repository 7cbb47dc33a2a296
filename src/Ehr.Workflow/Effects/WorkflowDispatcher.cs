using Ehr.Platform.Events;
using Ehr.Platform.Jobs;
using Ehr.Platform.Tenancy;
using Ehr.Workflow.Triggers;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ehr.Workflow.Effects;

/// <summary>
/// Runs each tenant's event consumer and effects worker, in the processes that run background work. How it wakes:
/// <list type="bullet">
/// <item>a PostgreSQL notification: events raised (<see cref="DomainEvents.NotifyChannel"/>) or effects written
/// (<see cref="WorkflowSignals.EffectsChannel"/>) by any process, delivered when their transaction commits, on one
/// listening connection per process;</item>
/// <item>a local signal after a step that wrote effects commits in this process;</item>
/// <item>a sweep of every active tenant at start-up and every <see cref="WorkflowOptions.SweepInterval"/>: work a dead
/// process left (SIGKILL: its effects are still in the outbox, its consumer position where its last commit left it),
/// effects waiting for a retry, and anything announced while the listening connection was down.</item>
/// </list>
/// Signals are coalesced per tenant; at most <see cref="WorkflowOptions.Parallelism"/> tenants are worked on at once.
/// Several processes may run it side by side: the consumer's position row and each effect's row lock decide who does what.
/// </summary>
internal sealed class WorkflowDispatcher(
    WorkflowSignals signals,
    TenantJobScope tenants,
    TenantCatalog catalog,
    NpgsqlDataSource dataSource,
    ImminentTimers imminentTimers,
    WorkflowTimers timers,
    IBackgroundJobClient jobs,
    IOptions<WorkflowOptions> options,
    ILogger<WorkflowDispatcher> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = ListenAsync(stoppingToken);
        var sweeping = SweepAsync(stoppingToken);
        var firing = imminentTimers.RunAsync(FireImminentAsync, options.Value.EffectConcurrency * Math.Max(1, options.Value.Parallelism), stoppingToken);
        var gate = new Lock();
        var running = new HashSet<string>(StringComparer.Ordinal);
        var again = new Dictionary<string, bool>(StringComparer.Ordinal);
        var rounds = new List<Task>();
        using var slots = new SemaphoreSlim(Math.Max(1, options.Value.Parallelism));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // A free slot first, then the tenant: what is signalled while every slot is busy still goes first.
                await slots.WaitAsync(stoppingToken);
                var next = await signals.NextAsync(stoppingToken);
                var slug = next.Slug;
                lock (gate)
                {
                    if (!running.Add(slug))
                    {
                        // Being worked on: one more round once this one ends, however many signals came meanwhile.
                        again[slug] = next.Events || again.GetValueOrDefault(slug);
                        slots.Release();
                        continue;
                    }
                }

                rounds.RemoveAll(r => r.IsCompleted);
                rounds.Add(Task.Run(async () =>
                {
                    try
                    {
                        // A swept tenant is looked at first (most have nothing to do); a round asked for again is not.
                        var round = next;
                        while (true)
                        {
                            await WorkTenantAsync(round, stoppingToken);
                            lock (gate)
                            {
                                if (!again.Remove(slug, out var events) || stoppingToken.IsCancellationRequested)
                                {
                                    running.Remove(slug);
                                    return;
                                }

                                round = new TenantRound(slug, Signalled: true, events);
                            }
                        }
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(rounds.Append(listening).Append(sweeping).Append(firing).Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    /// <summary>
    /// One tenant's round: start workflows on new events (unless it was woken for effects alone), then carry out every
    /// pending effect; a swept tenant only if a look shows there is something to do.
    /// </summary>
    private async Task WorkTenantAsync(TenantRound round, CancellationToken ct)
    {
        var slug = round.Slug;
        try
        {
            if (!round.Signalled && !await tenants.RunAsync(slug, "workflow", sp => sp.GetRequiredService<TenantWorkProbe>().AnyAsync(ct), ct))
            {
                return;
            }

            if (round.Events)
            {
                await tenants.RunAsync(slug, "workflow", sp => sp.GetRequiredService<EventConsumer>().DrainAsync(ct), ct);
            }

            while (!ct.IsCancellationRequested)
            {
                var pending = await tenants.RunAsync(slug, "workflow",
                    sp => sp.GetRequiredService<EffectRunner>().PendingAsync(options.Value.EffectBatchSize, ct), ct);
                if (pending.Count == 0)
                {
                    return;
                }

                var carriedOut = 0;
                foreach (var chunk in pending.Chunk(Math.Max(1, options.Value.EffectConcurrency)))
                {
                    var results = await Task.WhenAll(chunk.Select(async effect =>
                    {
                        if (options.Value.EffectDelay > TimeSpan.Zero)
                        {
                            await Task.Delay(options.Value.EffectDelay, ct);
                        }

                        // A scope per effect: a rolled-back effect leaves nothing behind for the next one.
                        return await tenants.RunAsync(slug, "workflow", sp => sp.GetRequiredService<EffectRunner>().RunAsync(effect.Seq, ct), ct);
                    }));
                    carriedOut += results.Count(r => r);
                }

                if (carriedOut == 0)
                {
                    // Everything left is another worker's, or failed and waits for its retry time.
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing is lost: the events stay after the position, the effects in the outbox; the next signal or sweep retries.
            log.LogError(e, "Workflow round of {Tenant} failed; it will be retried", slug);
        }
    }

    /// <summary>Fires a timer of the fast path; when it did, its Hangfire job (the backstop) is deleted.</summary>
    private async Task FireImminentAsync(ImminentTimer timer, CancellationToken ct)
    {
        try
        {
            if (await timers.FireNowAsync(timer.TenantSlug, timer.InstanceId, timer.BookmarkId, ct))
            {
                jobs.Delete(timer.JobId);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing is lost: the Hangfire job still fires it.
            log.LogWarning(e, "Timer {Bookmark} of {Instance} ({Tenant}) failed on the fast path; its job {Job} will fire it",
                timer.BookmarkId, timer.InstanceId, timer.TenantSlug, timer.JobId);
        }
    }

    private async Task SweepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        do
        {
            try
            {
                foreach (var tenant in await catalog.ListAsync(ct))
                {
                    if (tenant.Status == TenantStatus.Active)
                    {
                        signals.Sweep(tenant.Slug);
                    }
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                log.LogWarning(e, "Workflow sweep could not list the tenants; next try in {Interval}", options.Value.SweepInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(ct));
    }

    /// <summary>LISTENs for commits announced by any process; reconnects (and sweeps) after a lost connection.</summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                // Events raised (the consumer reads the outbox) or effects written (only the effects worker runs).
                connection.Notification += (_, e) => signals.Wake(e.Payload, events: e.Channel == DomainEvents.NotifyChannel);
                await using (var listen = new NpgsqlCommand($"LISTEN {DomainEvents.NotifyChannel}; LISTEN {WorkflowSignals.EffectsChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                delay = TimeSpan.FromSeconds(1);
                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or System.IO.IOException)
            {
                log.LogWarning(e, "Workflow listener lost its connection; reconnecting in {Delay}", delay);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                // What was announced meanwhile is found by a sweep now rather than at the next interval.
                foreach (var tenant in await SafeListAsync(ct))
                {
                    signals.Sweep(tenant);
                }
            }
        }
    }

    private async Task<IReadOnlyList<string>> SafeListAsync(CancellationToken ct)
    {
        try
        {
            return (await catalog.ListAsync(ct)).Where(t => t.Status == TenantStatus.Active).Select(t => t.Slug).ToList();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return [];
        }
    }
}
