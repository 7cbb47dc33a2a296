using Ehr.Workflow.Effects;

namespace Ehr.Tests.Workflow;

/// <summary>
/// The dispatcher's queue of tenants: each waits at most once however often it is woken or swept, and a signalled
/// tenant goes before every tenant the sweep queued (the integration suite's sweep of hundreds of idle tenants held a
/// timer's round back for more than a minute when every wake-up was queued in order).
/// </summary>
public sealed class WorkflowSignalsShould
{
    private static async Task<List<(string Slug, bool Signalled)>> DrainAsync(WorkflowSignals signals)
    {
        var taken = new List<(string, bool)>();
        while (signals.Waiting > 0)
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            taken.Add(await signals.NextAsync(bound.Token));
        }

        return taken;
    }

    [Fact]
    public async Task QueueATenantOnceHoweverOftenItIsWokenOrSwept()
    {
        using var signals = new WorkflowSignals();
        for (var i = 0; i < 3; i++)
        {
            signals.Sweep("a");
            signals.Wake("b");
            signals.Sweep("b");
            signals.Wake("a");
        }

        Assert.Equal(2, signals.Waiting);
        Assert.Equal([("b", true), ("a", true)], await DrainAsync(signals));
        // The stale entries left by promotions give nothing more.
        using var none = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signals.NextAsync(none.Token));
    }

    [Fact]
    public async Task PutASignalledTenantBeforeEverySweptOne()
    {
        using var signals = new WorkflowSignals();
        foreach (var idle in Enumerable.Range(0, 500).Select(i => "idle-" + i))
        {
            signals.Sweep(idle);
        }

        signals.Wake("busy");
        signals.Wake("idle-250");

        var taken = await DrainAsync(signals);
        Assert.Equal([("busy", true), ("idle-250", true), ("idle-0", false), ("idle-1", false)], taken.Take(4));
        Assert.Equal(501, taken.Count);
        Assert.Equal(taken.Count, taken.Select(t => t.Slug).Distinct().Count());
    }

    [Fact]
    public async Task QueueATenantAgainOnceItsRoundWasTaken()
    {
        using var signals = new WorkflowSignals();
        signals.Wake("a");
        Assert.Equal(("a", true), await signals.NextAsync(CancellationToken.None));

        // Woken while its round runs: it waits again (the dispatcher then runs one more round).
        signals.Sweep("a");
        signals.Wake("a");
        Assert.Equal([("a", true)], await DrainAsync(signals));
    }

    [Fact]
    public async Task WaitForATenantAndWakeWhenOneIsSignalled()
    {
        using var signals = new WorkflowSignals();
        var next = signals.NextAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);

        signals.Wake("late");
        Assert.Equal(("late", true), await next.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
