namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>A clock set to a given instant, for issuing tokens (or testing delays) as of another time.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
