namespace Ehr.Platform.Identity.ApiClients;

/// <summary>
/// The sliding-window-counter estimate behind API clients' rate limits. Time is cut into fixed windows (one minute,
/// aligned on the Unix epoch, so every host numbers them alike); the requests of the last minute are estimated as the
/// current window's count plus the previous window's count weighted by the part of it still inside the last minute:
/// <c>previous × (W − elapsed) / W + current</c>. A request is admitted while that estimate is below the limit.
/// Integer arithmetic in milliseconds, so the edges (exactly at the limit, exactly at a window boundary) are exact.
/// </summary>
internal static class SlidingWindow
{
    public const long MinuteMs = 60_000;

    /// <summary>The estimate, for reading and for tests; the decisions below do not round through it.</summary>
    public static double Estimate(long previous, long current, long elapsedMs, long windowMs = MinuteMs) =>
        previous * (double)(windowMs - elapsedMs) / windowMs + current;

    /// <summary>Whether one more request fits: <c>previous × (W − elapsed) + current × W &lt; limit × W</c>.</summary>
    public static bool Admits(long previous, long current, long elapsedMs, int limit, long windowMs = MinuteMs) =>
        previous * (windowMs - elapsedMs) + current * windowMs < (long)limit * windowMs;

    /// <summary>
    /// How long until the estimate is below the limit again if no other request is admitted meanwhile: zero when it
    /// already is; else later in this window (the previous window's weight shrinks), or, when the current window alone
    /// has reached the limit, in the next one (where the current count becomes the shrinking previous one).
    /// </summary>
    public static TimeSpan RetryAfter(long previous, long current, long elapsedMs, int limit, long windowMs = MinuteMs)
    {
        if (Admits(previous, current, elapsedMs, limit, windowMs))
        {
            return TimeSpan.Zero;
        }

        long waitMs;
        if (current < limit)
        {
            // previous × (W − e') < (limit − current) × W  ⟺  e' > W × (previous − limit + current) / previous;
            // previous > 0 here, else the request would have been admitted. The first whole millisecond past it:
            var admittedAt = windowMs * (previous - limit + current) / previous + 1;
            waitMs = admittedAt - elapsedMs;
        }
        else if (current == 0)
        {
            // A limit below one never admits anything (the use cases allow 1 to 100000); say one window.
            waitMs = windowMs;
        }
        else
        {
            // Next window: current × (W − e'') < limit × W  ⟺  e'' > W × (current − limit) / current.
            var admittedAt = windowMs * (current - limit) / current + 1;
            waitMs = windowMs - elapsedMs + admittedAt;
        }

        return TimeSpan.FromMilliseconds(Math.Max(1, waitMs));
    }

    /// <summary>The whole seconds a <c>Retry-After</c> header names: at least one, and never short of the wait.</summary>
    public static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalMilliseconds / 1000));
}
