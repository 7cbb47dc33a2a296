namespace Ehr.Workflow.Effects;

/// <summary>A timer this process scheduled, due soon: what to fire, and the Hangfire job that backs it up.</summary>
internal sealed record ImminentTimer(string TenantSlug, Guid InstanceId, string BookmarkId, string JobId, DateTimeOffset DueAt);

/// <summary>
/// The fast path of timers: a timer that the dispatcher of this process scheduled and that is due within
/// <see cref="WorkflowOptions.ImminentTimerHorizon"/> is also kept here, in memory, and fired directly at its due time
/// (the resume a Hangfire job would run, without the schedule poll, the queue poll and the job's state changes, which
/// made a 2-second timer about a second late, more under load). The Hangfire job stays the durable record: when the
/// fast path fired first the job is deleted; when this process dies first (or the timer was not kept: too far off, or
/// <see cref="WorkflowOptions.ImminentTimerCapacity"/> reached) the job fires it. Firing twice is harmless: the second
/// meets a consumed bookmark and changes nothing. Bounded: at most the capacity in memory, whatever the number of
/// waiting instances.
/// </summary>
internal sealed class ImminentTimers(TimeProvider clock, Microsoft.Extensions.Options.IOptions<WorkflowOptions> options)
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<ImminentTimer, DateTimeOffset> _queue = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _running;

    /// <summary>How many timers are held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Keeps <paramref name="timer"/> to fire at its due time; false (Hangfire alone fires it) when not running, too far off or full.</summary>
    public bool Track(ImminentTimer timer)
    {
        var horizon = options.Value.ImminentTimerHorizon;
        lock (_gate)
        {
            if (!_running || horizon <= TimeSpan.Zero || timer.DueAt - clock.GetUtcNow() > horizon || _queue.Count >= options.Value.ImminentTimerCapacity)
            {
                return false;
            }

            if (!_queue.TryPeek(out _, out var first) || timer.DueAt < first)
            {
                // The loop sleeps until the earliest; this one is earlier.
                _changed.TrySetResult();
            }

            _queue.Enqueue(timer, timer.DueAt);
            return true;
        }
    }

    /// <summary>
    /// Fires each held timer once it is due, through <paramref name="fire"/>, at most <paramref name="concurrency"/> at
    /// once, until <paramref name="ct"/> is cancelled (what is still held is then left to its Hangfire job).
    /// </summary>
    public async Task RunAsync(Func<ImminentTimer, CancellationToken, Task> fire, int concurrency, CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, concurrency));
        var firing = new List<Task>();
        lock (_gate)
        {
            _running = true;
        }

        try
        {
            while (!ct.IsCancellationRequested)
            {
                var due = new List<ImminentTimer>();
                Task changed;
                TimeSpan? wait = null;
                lock (_gate)
                {
                    var now = clock.GetUtcNow();
                    while (_queue.TryPeek(out var timer, out var at) && at <= now)
                    {
                        due.Add(_queue.Dequeue());
                    }

                    if (_changed.Task.IsCompleted)
                    {
                        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }

                    changed = _changed.Task;
                    if (_queue.TryPeek(out _, out var next))
                    {
                        wait = next - now;
                    }
                }

                firing.RemoveAll(t => t.IsCompleted);
                foreach (var timer in due)
                {
                    await slots.WaitAsync(ct);
                    firing.Add(Task.Run(async () =>
                    {
                        try
                        {
                            await fire(timer, ct);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }, CancellationToken.None));
                }

                if (due.Count > 0)
                {
                    continue;
                }

                using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var delay = wait is { } w ? Task.Delay(w, clock, sleeping.Token) : Task.Delay(Timeout.InfiniteTimeSpan, sleeping.Token);
                await Task.WhenAny(delay, changed);
                await sleeping.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_gate)
            {
                _running = false;
                _queue.Clear();
            }

            await Task.WhenAll(firing.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }
}
