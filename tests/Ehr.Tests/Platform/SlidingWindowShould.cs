using Ehr.Platform.Identity.ApiClients;

namespace Ehr.Tests.Platform;

/// <summary>The sliding-window-counter estimate behind API clients' rate limits, in milliseconds of a one-minute window.</summary>
public sealed class SlidingWindowShould
{
    private const long W = SlidingWindow.MinuteMs;

    [Theory]
    [InlineData(10, 4, 0, 14.0)]
    [InlineData(10, 4, 15_000, 11.5)]
    [InlineData(10, 4, 30_000, 9.0)]
    [InlineData(10, 4, 59_999, 4.0001666666666669)]
    [InlineData(0, 7, 45_000, 7.0)]
    public void WeighThePreviousWindowByThePartStillInsideTheLastMinute(long previous, long current, long elapsed, double expected) =>
        Assert.Equal(expected, SlidingWindow.Estimate(previous, current, elapsed), precision: 9);

    [Fact]
    public void AdmitBelowTheLimitAndRefuseAtIt()
    {
        Assert.True(SlidingWindow.Admits(0, 9, 0, 10));
        Assert.False(SlidingWindow.Admits(0, 10, 0, 10));
        Assert.False(SlidingWindow.Admits(0, 10, 59_999, 10));
        Assert.True(SlidingWindow.Admits(0, 0, 0, 1));
        Assert.False(SlidingWindow.Admits(0, 1, 0, 1));
    }

    [Fact]
    public void DecideExactlyAtTheEdgeWithoutRounding()
    {
        // 10 × (60000 − 30000) / 60000 + 5 is exactly 10: not below a limit of 10; one millisecond later it is.
        Assert.False(SlidingWindow.Admits(10, 5, 30_000, 10));
        Assert.True(SlidingWindow.Admits(10, 5, 30_001, 10));
    }

    [Fact]
    public void RetryAfterZeroWhenAdmitted() =>
        Assert.Equal(TimeSpan.Zero, SlidingWindow.RetryAfter(10, 2, 30_000, 10));

    [Fact]
    public void RetryLaterInTheWindowWhenThePreviousWindowsShareIsWhatIsTooMuch()
    {
        // 10 × 0.75 + 5 = 12.5 at 15 s; below 10 once 10 × (W − e) < 5 W, i.e. past 30 s.
        var wait = SlidingWindow.RetryAfter(10, 5, 15_000, 10);

        Assert.Equal(TimeSpan.FromMilliseconds(15_001), wait);
        Assert.Equal(16, SlidingWindow.RetryAfterSeconds(wait));
    }

    [Fact]
    public void RetryInTheNextWindowWhenTheCurrentOneAloneReachedTheLimit()
    {
        // 10 of 10 at 30 s: the rest of this window (30 s), then 10 × (W − e'') < 10 W from the next one's first millisecond.
        var wait = SlidingWindow.RetryAfter(0, 10, 30_000, 10);

        Assert.Equal(TimeSpan.FromMilliseconds(30_001), wait);
        Assert.Equal(31, SlidingWindow.RetryAfterSeconds(wait));
    }

    [Fact]
    public void RetryOnlyOnceACountFarAboveALoweredLimitHasSlidOut()
    {
        // 40 counted, limit now 10: next window, 40 × (W − e'') < 10 W ⟺ e'' > 45 s.
        var wait = SlidingWindow.RetryAfter(0, 40, 0, 10);

        Assert.Equal(TimeSpan.FromMilliseconds(W + 45_001), wait);
    }

    [Fact]
    public void NameTheFirstMomentTheEstimateIsUnderTheLimitAcrossManyCases()
    {
        var random = new Random(20_261_202);
        for (var i = 0; i < 20_000; i++)
        {
            var limit = random.Next(1, 200);
            var previous = (long)random.Next(0, 3 * limit);
            var current = (long)random.Next(0, 2 * limit);
            var elapsed = (long)random.Next(0, (int)W);
            if (SlidingWindow.Admits(previous, current, elapsed, limit))
            {
                continue;
            }

            var wait = (long)SlidingWindow.RetryAfter(previous, current, elapsed, limit).TotalMilliseconds;

            // With nothing admitted meanwhile: refused one millisecond before, admitted at that moment.
            Assert.True(wait > 0);
            Assert.False(AdmitsAfter(previous, current, elapsed, limit, wait - 1), $"early: {previous}/{current}@{elapsed} limit {limit} wait {wait}");
            Assert.True(AdmitsAfter(previous, current, elapsed, limit, wait), $"late: {previous}/{current}@{elapsed} limit {limit} wait {wait}");
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(999, 1)]
    [InlineData(1_000, 1)]
    [InlineData(1_001, 2)]
    [InlineData(30_001, 31)]
    public void RoundRetryAfterUpToWholeSecondsOfAtLeastOne(long milliseconds, int seconds) =>
        Assert.Equal(seconds, SlidingWindow.RetryAfterSeconds(TimeSpan.FromMilliseconds(milliseconds)));

    /// <summary>Whether a request is admitted <paramref name="later"/> ms on, when nothing was admitted in between.</summary>
    private static bool AdmitsAfter(long previous, long current, long elapsed, int limit, long later)
    {
        var at = elapsed + later;
        return at switch
        {
            < W => SlidingWindow.Admits(previous, current, at, limit),
            < 2 * W => SlidingWindow.Admits(current, 0, at - W, limit),
            _ => SlidingWindow.Admits(0, 0, at % W, limit),
        };
    }
}
