using Ehr.Platform.Identity.ApiClients;

namespace Ehr.Tests.Platform;

/// <summary>
/// One host's view of API clients' request counts: decided in memory, flushed into the shared totals and merged with
/// what the other hosts counted (the database side is in the integration tests, ClientRateLimitsShould).
/// </summary>
public sealed class ClientRequestCountsShould
{
    // 30 s into a minute window.
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 30, TimeSpan.Zero);
    private static readonly long Window = Now.ToUnixTimeMilliseconds() / SlidingWindow.MinuteMs;

    [Fact]
    public void AdmitUpToTheLimitThenRefuseWithTheWait()
    {
        var counts = new ClientRequestCounts();

        var admitted = Enumerable.Range(0, 12).Count(_ => counts.TryAdmit("c1", 10, Now).Admitted);
        var refused = counts.TryAdmit("c1", 10, Now);

        Assert.Equal(10, admitted);
        Assert.False(refused.Admitted);
        Assert.Equal(TimeSpan.FromMilliseconds(30_001), refused.RetryAfter);
    }

    [Fact]
    public void CountEachClientApart()
    {
        var counts = new ClientRequestCounts();
        for (var i = 0; i < 3; i++)
        {
            counts.TryAdmit("c1", 3, Now);
        }

        Assert.False(counts.TryAdmit("c1", 3, Now).Admitted);
        Assert.True(counts.TryAdmit("c2", 3, Now).Admitted);
    }

    [Fact]
    public void LetThePreviousWindowSlideOut()
    {
        var counts = new ClientRequestCounts();
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => counts.TryAdmit("c1", 10, Now).Admitted));

        // Half-way through the next window the previous ten weigh five.
        var later = Now.AddMinutes(1);
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => counts.TryAdmit("c1", 10, later).Admitted));
        // Six seconds on they weigh four: one more.
        Assert.Equal(1, Enumerable.Range(0, 20).Count(_ => counts.TryAdmit("c1", 10, later.AddSeconds(6)).Admitted));
        // Two windows on, nothing is left of them.
        Assert.Equal(10, Enumerable.Range(0, 20).Count(_ => counts.TryAdmit("c1", 10, Now.AddMinutes(3)).Admitted));
    }

    [Fact]
    public void JudgeTheCountsAlreadyMadeByAChangedLimit()
    {
        var counts = new ClientRequestCounts();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(counts.TryAdmit("c1", 10, Now).Admitted);
        }

        Assert.False(counts.TryAdmit("c1", 5, Now).Admitted);
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => counts.TryAdmit("c1", 8, Now).Admitted));
    }

    [Fact]
    public void FlushWhatItAdmittedAndAdoptTheDeploymentsTotals()
    {
        var counts = new ClientRequestCounts();
        for (var i = 0; i < 3; i++)
        {
            counts.TryAdmit("c1", 10, Now);
        }

        var batch = counts.BeginFlush(Now);
        // The shared row had 7 from other hosts; it answers 3 + 7.
        counts.CompleteFlush(batch, [new SharedCount("c1", Window, 10)]);

        Assert.Equal(new[] { new CountDelta("c1", Window, 3) }, batch.Deltas);
        Assert.Equal("c1", Assert.Single(batch.Clients));
        Assert.False(counts.TryAdmit("c1", 10, Now).Admitted);
        Assert.Empty(counts.BeginFlush(Now).Deltas);
    }

    [Fact]
    public void LearnOtherHostsCountsOfThePreviousWindow()
    {
        var counts = new ClientRequestCounts();
        counts.TryAdmit("c1", 10, Now);

        var batch = counts.BeginFlush(Now);
        counts.CompleteFlush(batch, [new SharedCount("c1", Window - 1, 12), new SharedCount("c1", Window, 1), new SharedCount("c1", Window - 2, 500)]);

        // 12 × 0.5 + 1 = 7: three more fit under 10; the window before the previous one does not count.
        Assert.Equal(3, Enumerable.Range(0, 10).Count(_ => counts.TryAdmit("c1", 10, Now).Admitted));
    }

    [Fact]
    public void KeepCountingAndResendWhenAFlushFails()
    {
        var counts = new ClientRequestCounts();
        for (var i = 0; i < 4; i++)
        {
            counts.TryAdmit("c1", 5, Now);
        }

        var failed = counts.BeginFlush(Now);
        counts.AbandonFlush(failed);
        Assert.True(counts.TryAdmit("c1", 5, Now).Admitted);
        Assert.False(counts.TryAdmit("c1", 5, Now).Admitted);

        Assert.Equal(new[] { new CountDelta("c1", Window, 5) }, counts.BeginFlush(Now).Deltas);
    }

    [Fact]
    public void CountWhatItAdmitsWhileAFlushIsUnderWay()
    {
        var counts = new ClientRequestCounts();
        for (var i = 0; i < 3; i++)
        {
            counts.TryAdmit("c1", 6, Now);
        }

        var batch = counts.BeginFlush(Now);
        Assert.True(counts.TryAdmit("c1", 6, Now).Admitted);
        Assert.True(counts.TryAdmit("c1", 6, Now).Admitted);
        counts.CompleteFlush(batch, [new SharedCount("c1", Window, 3)]);

        Assert.True(counts.TryAdmit("c1", 6, Now).Admitted);
        Assert.False(counts.TryAdmit("c1", 6, Now).Admitted);
        Assert.Equal(new[] { new CountDelta("c1", Window, 3) }, counts.BeginFlush(Now).Deltas);
    }

    [Fact]
    public void NeverLowerACountOnAnOlderAnswer()
    {
        var counts = new ClientRequestCounts();
        for (var i = 0; i < 4; i++)
        {
            counts.TryAdmit("c1", 4, Now);
        }

        var batch = counts.BeginFlush(Now);
        counts.CompleteFlush(batch, [new SharedCount("c1", Window, 1)]);

        Assert.False(counts.TryAdmit("c1", 4, Now).Admitted);
    }

    [Fact]
    public void ForgetClientsWithNothingInTheLastTwoWindows()
    {
        var counts = new ClientRequestCounts();
        counts.TryAdmit("c1", 5, Now);
        counts.TryAdmit("c2", 5, Now.AddMinutes(1));

        var batch = counts.BeginFlush(Now.AddMinutes(2));

        Assert.Equal("c2", Assert.Single(batch.Clients));
        Assert.Equal(1, counts.ClientCount);
        Assert.True(counts.TryAdmit("c1", 1, Now.AddMinutes(2)).Admitted);
    }

    [Fact]
    public void AskForAnEarlyFlushForANewClientAndEachTenthOfTheLimit()
    {
        var counts = new ClientRequestCounts();

        counts.TryAdmit("c1", 100, Now);
        Assert.True(counts.FlushWanted.TryRead(out _));
        for (var i = 0; i < 8; i++)
        {
            counts.TryAdmit("c1", 100, Now);
        }

        Assert.False(counts.FlushWanted.TryRead(out _));
        counts.TryAdmit("c1", 100, Now);
        Assert.True(counts.FlushWanted.TryRead(out _));

        // After a flush the count starts again towards the next tenth.
        counts.CompleteFlush(counts.BeginFlush(Now), [new SharedCount("c1", Window, 10)]);
        for (var i = 0; i < 9; i++)
        {
            counts.TryAdmit("c1", 100, Now);
        }

        Assert.False(counts.FlushWanted.TryRead(out _));
        counts.TryAdmit("c1", 100, Now);
        Assert.True(counts.FlushWanted.TryRead(out _));
    }

    [Fact]
    public async Task StayExactUnderConcurrentRequestsAndFlushes()
    {
        var counts = new ClientRequestCounts();
        var admitted = 0;
        long flushed = 0;
        using var stop = new CancellationTokenSource();
        var flusher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = counts.BeginFlush(Now);
                flushed += batch.Deltas.Sum(d => d.Requests);
                counts.CompleteFlush(batch, [new SharedCount("c1", Window, flushed)]);
            }
        });

        Parallel.For(0, 5_000, _ =>
        {
            if (counts.TryAdmit("c1", 3_000, Now).Admitted)
            {
                Interlocked.Increment(ref admitted);
            }
        });
        await stop.CancelAsync();
        await flusher;
        flushed += counts.BeginFlush(Now).Deltas.Sum(d => d.Requests);

        Assert.Equal(3_000, admitted);
        Assert.Equal(3_000, flushed);
    }
}
