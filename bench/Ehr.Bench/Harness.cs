using System.Diagnostics;

namespace Ehr.Bench;

/// <summary>Latencies in milliseconds, with percentiles.</summary>
internal sealed class Latencies
{
    private readonly List<double> _ms = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ms.Count;
            }
        }
    }

    public void Add(double ms)
    {
        lock (_gate)
        {
            _ms.Add(ms);
        }
    }

    public void AddRange(Latencies other, int skip = 0)
    {
        double[] copy;
        lock (other._gate)
        {
            copy = [.. other._ms.Skip(skip)];
        }

        lock (_gate)
        {
            _ms.AddRange(copy);
        }
    }

    public double Percentile(double p)
    {
        lock (_gate)
        {
            if (_ms.Count == 0)
            {
                return double.NaN;
            }

            var sorted = _ms.Order().ToArray();
            var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        }
    }
}

internal static class Load
{
    /// <summary>
    /// Runs <paramref name="work"/> on <paramref name="concurrency"/> workers until <paramref name="duration"/> has
    /// passed (bounded, stops by itself). Returns each call's latency and the wall time; failures are counted, not timed.
    /// </summary>
    public static async Task<(Latencies Latencies, TimeSpan Elapsed, int Failures)> RunAsync(
        int concurrency, TimeSpan duration, Func<int, Random, Task> work)
    {
        var latencies = new Latencies();
        var failures = 0;
        var clock = Stopwatch.StartNew();
        var deadline = clock.Elapsed + duration;
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var random = new Random(worker * 7919);
            while (clock.Elapsed < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await work(worker, random);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (LoadExhaustedException)
                {
                    // Nothing left to do: this worker stops, uncounted (the others meet the same soon after).
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or InvalidOperationException or Npgsql.NpgsqlException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failures);
                    if (failures == 1)
                    {
                        System.Console.Error.WriteLine($"first failure: {e.Message}");
                    }
                }
            }
        });
        await Task.WhenAll(workers);
        return (latencies, clock.Elapsed, failures);
    }
}

/// <summary>
/// Thrown by a unit of <see cref="Load"/> work when there is nothing left to do (a pool of prepared items ran out): the
/// run ends early, and its rate is what was done over the time it took, not a failure spinning until the deadline.
/// </summary>
internal sealed class LoadExhaustedException() : Exception("nothing left to do");

/// <summary>One measured number against its target.</summary>
internal sealed record Metric(string Scenario, string Name, double Value, string Unit, string Target, bool? Met);
