using Ehr.Workflow;
using Ehr.Workflow.Effects;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Ehr.Tests.Workflow;

/// <summary>
/// The in-process fast path of timers: held only while running, only when due within the horizon and below the
/// capacity (else their Hangfire job alone fires them), fired at their due time in due order, never sooner.
/// </summary>
public sealed class ImminentTimersShould
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static (ImminentTimers Timers, FakeTimeProvider Clock) Create(int capacity = 100, TimeSpan? horizon = null)
    {
        var clock = new FakeTimeProvider(Now);
        var options = Options.Create(new WorkflowOptions { ImminentTimerCapacity = capacity, ImminentTimerHorizon = horizon ?? TimeSpan.FromMinutes(5) });
        return (new ImminentTimers(clock, options), clock);
    }

    private static ImminentTimer Timer(string bookmark, TimeSpan after) => new("t", Guid.NewGuid(), bookmark, "job-" + bookmark, Now + after);

    /// <summary>Starts the loop and waits until it holds timers (it refuses them before it runs).</summary>
    private static async Task<Task> StartAsync(ImminentTimers timers, List<string> fired, CancellationToken ct)
    {
        var loop = timers.RunAsync((t, _) =>
        {
            lock (fired)
            {
                fired.Add(t.BookmarkId);
            }

            return Task.CompletedTask;
        }, 1, ct);
        while (!timers.Track(Timer("probe", TimeSpan.FromMinutes(4))))
        {
            await Task.Delay(10, ct);
        }

        return loop;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    [Fact]
    public void RefuseTimersWhileNotRunning()
    {
        var (timers, _) = Create();

        Assert.False(timers.Track(Timer("b1", TimeSpan.FromSeconds(2))));
        Assert.Equal(0, timers.Count);
    }

    [Fact]
    public async Task FireTimersAtTheirDueTimeInDueOrderAndNotSooner()
    {
        var (timers, clock) = Create();
        using var stop = new CancellationTokenSource();
        var fired = new List<string>();
        var loop = await StartAsync(timers, fired, stop.Token);

        Assert.True(timers.Track(Timer("late", TimeSpan.FromSeconds(3))));
        Assert.True(timers.Track(Timer("early", TimeSpan.FromSeconds(2))));
        clock.Advance(TimeSpan.FromMilliseconds(1999));
        await Task.Delay(50);
        lock (fired)
        {
            Assert.Empty(fired);
        }

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitForAsync(() => { lock (fired) { return fired.Count == 1; } });
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForAsync(() => { lock (fired) { return fired.Count == 2; } });

        lock (fired)
        {
            Assert.Equal(["early", "late"], fired);
        }

        Assert.Equal(1, timers.Count); // the probe, four minutes off
        await stop.CancelAsync();
        await loop;
    }

    [Fact]
    public async Task LeaveTimersBeyondTheHorizonOrTheCapacityToHangfire()
    {
        var (timers, _) = Create(capacity: 3, horizon: TimeSpan.FromMinutes(5));
        using var stop = new CancellationTokenSource();
        var loop = await StartAsync(timers, [], stop.Token);

        Assert.False(timers.Track(Timer("far", TimeSpan.FromMinutes(6))));
        Assert.True(timers.Track(Timer("b1", TimeSpan.FromSeconds(10))));
        Assert.True(timers.Track(Timer("b2", TimeSpan.FromSeconds(10))));
        Assert.False(timers.Track(Timer("b3", TimeSpan.FromSeconds(10))));
        Assert.Equal(3, timers.Count);

        await stop.CancelAsync();
        await loop;
        Assert.Equal(0, timers.Count);
    }
}
