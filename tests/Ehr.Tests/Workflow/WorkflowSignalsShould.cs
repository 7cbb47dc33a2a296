using Ehr.Workflow.Effects;

namespace Ehr.Tests.Workflow;

/// <summary>
/// The dispatcher's queue of tenants: each waits at most once however often it is woken or swept, and a signalled
/// tenant goes before every tenant the sweep queued (the integration suite's sweep of hundreds of idle tenants held a
/// timer's round back for more than a minute when every wake-up was queued in order). A wake-up for effects alone
/// does not ask for the outbox to be read.
/// </summary>
public sealed class WorkflowSignalsShould
{
    private static async Task<List<TenantRound>> DrainAsync(WorkflowSignals signals)
    {
        var taken = new List<TenantRound>();
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
            signals.Wake("b", events: false);
            signals.Sweep("b");
            signals.Wake("a", events: false);
        }

        Assert.Equal(2, signals.Waiting);
        // "a" was swept before its signal: promoted, it still reads its events (the sweep looks at everything).
        Assert.Equal([new TenantRound("b", true, false), new TenantRound("a", true, true)], await DrainAsync(signals));
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

        signals.Wake("busy", events: true);
        signals.Wake("idle-250", events: false);

        var taken = await DrainAsync(signals);
        Assert.Equal([new TenantRound("busy", true, true), new TenantRound("idle-250", true, true), new TenantRound("idle-0", false, true),
            new TenantRound("idle-1", false, true)], taken.Take(4));
        Assert.Equal(501, taken.Count);
        Assert.Equal(taken.Count, taken.Select(t => t.Slug).Distinct().Count());
    }

    [Fact]
    public async Task ReadTheOutboxWhenAnyWakeUpOfARoundWasForEvents()
    {
        using var signals = new WorkflowSignals();
        signals.Wake("effects", events: false);
        signals.Wake("effects", events: false);
        signals.Wake("both", events: false);
        signals.Wake("both", events: true);
        signals.Wake("both", events: false);

        Assert.Equal([new TenantRound("effects", true, false), new TenantRound("both", true, true)], await DrainAsync(signals));
    }

    [Fact]
    public async Task QueueATenantAgainOnceItsRoundWasTaken()
    {
        using var signals = new WorkflowSignals();
        signals.Wake("a", events: true);
        Assert.Equal(new TenantRound("a", true, true), await signals.NextAsync(CancellationToken.None));

        // Woken while its round runs: it waits again (the dispatcher then runs one more round).
        signals.Wake("a", events: false);
        Assert.Equal([new TenantRound("a", true, false)], await DrainAsync(signals));
    }

    [Fact]
    public async Task WaitForATenantAndWakeWhenOneIsSignalled()
    {
        using var signals = new WorkflowSignals();
        var next = signals.NextAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);

        signals.Wake("late", events: true);
        Assert.Equal(new TenantRound("late", true, true), await next.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
