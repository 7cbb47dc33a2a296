using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ehr.Workflow.Definitions;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// A web hook node's retry policy: attempt, wait, attempt again with an exponentially longer wait, up to a cap. No
/// jitter: the delays are part of the deterministic step (each instance has its own schedule, so there is no herd).
/// </summary>
public sealed record WebhookPolicy(int MaxAttempts, TimeSpan InitialDelay, double Multiplier, TimeSpan MaxDelay, TimeSpan Timeout)
{
    public static readonly WebhookPolicy Default = new(5, TimeSpan.FromSeconds(30), 2, TimeSpan.FromHours(1), TimeSpan.FromSeconds(10));

    public static WebhookPolicy Of(WorkflowNode node) => new(
        node.Retry?.MaxAttempts ?? Default.MaxAttempts,
        node.Retry?.InitialDelay is { } initial ? Durations.Parse(initial) : Default.InitialDelay,
        node.Retry?.Multiplier ?? Default.Multiplier,
        node.Retry?.MaxDelay is { } max ? Durations.Parse(max) : Default.MaxDelay,
        node.Timeout is { } timeout ? Durations.Parse(timeout) : Default.Timeout);

    /// <summary>How long to wait after the given (1-based) attempt failed.</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        var seconds = InitialDelay.TotalSeconds * Math.Pow(Multiplier, Math.Max(0, failedAttempt - 1));
        return seconds >= MaxDelay.TotalSeconds ? MaxDelay : TimeSpan.FromSeconds(seconds);
    }
}

/// <summary>
/// How a web hook is signed, for the sender (the runtime) and for tenants writing a receiver. The body is sent as is;
/// <c>X-Ehr-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body" with the endpoint's secret&gt;</c> and
/// <c>X-Ehr-Delivery: &lt;delivery id&gt;</c> go with it. A receiver recomputes the HMAC, compares in constant time,
/// refuses a timestamp older than a few minutes (replays) and drops a delivery id it has seen (retries).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Ehr-Signature";
    public const string DeliveryHeader = "X-Ehr-Delivery";

    public static string Sign(ReadOnlySpan<byte> secret, DateTimeOffset at, string body)
    {
        var timestamp = at.ToUnixTimeSeconds();
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Mac(secret, timestamp, body)}";
    }

    public static bool Verify(ReadOnlySpan<byte> secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        long? timestamp = null;
        string? mac = null;
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2) continue;
            if (kv[0] == "t" && long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t)) timestamp = t;
            if (kv[0] == "v1") mac = kv[1];
        }

        if (timestamp is not { } ts || mac is null) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(ts)).Duration() > tolerance) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(secret, ts, body)), Encoding.ASCII.GetBytes(mac));
    }

    private static string Mac(ReadOnlySpan<byte> secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}")));
}
