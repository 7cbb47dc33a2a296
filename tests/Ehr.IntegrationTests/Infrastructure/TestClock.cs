namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>
/// A clock set to a given instant, for issuing tokens (or testing delays) as of another time. Safe to move while hosts
/// that use it read it from other threads. Timers (<see cref="TimeProvider.CreateTimer"/>) stay on real time.
/// </summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    private long _utcTicks = now.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _utcTicks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _utcTicks, by.Ticks);
}
