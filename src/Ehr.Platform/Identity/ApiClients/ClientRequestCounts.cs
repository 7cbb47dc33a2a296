using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Ehr.Platform.Identity.ApiClients;

/// <summary>What the limiter said about one request.</summary>
internal readonly record struct RateDecision(bool Admitted, TimeSpan RetryAfter);

/// <summary>One client's requests admitted by this host in one window and not yet added to the shared count.</summary>
internal readonly record struct CountDelta(string ClientId, long Window, int Requests);

/// <summary>A client's deployment-wide count in one window, as the shared table holds it.</summary>
internal readonly record struct SharedCount(string ClientId, long Window, long Requests);

/// <summary>What one flush carries: the deltas taken, and every client whose shared counts to read back.</summary>
internal sealed record FlushBatch(long CurrentWindow, IReadOnlyList<CountDelta> Deltas, IReadOnlyList<string> Clients);

/// <summary>
/// This host's view of every active API client's request counts, per one-minute window: what the deployment had
/// counted at the last flush (<c>shared</c>), what this host sent in the flush under way (<c>in flight</c>), and what
/// it admitted since (<c>pending</c>). A request is decided from memory only (no database round trip): admitted while
/// the sliding-window estimate over <c>shared + in flight + pending</c> of the previous and current windows is below
/// the client's limit as the access check read it for this very request (so a changed limit applies at once, to the
/// counts already made). <see cref="ClientRateLimitFlusher"/> moves <c>pending</c> into the shared table and reads the
/// totals back; it is asked to flush early when a client is new to this host (to learn what the others counted) and
/// each time a client's pending count reaches a tenth of its limit. If flushes fail, pending counts stay and keep
/// counting here: the host goes on limiting on its own counts plus the last shared ones it saw.
/// </summary>
internal sealed class ClientRequestCounts
{
    /// <summary>A host asks for an early flush each time a client's unflushed count reaches limit / EarlyFlushShare.</summary>
    public const int EarlyFlushShare = 10;

    private readonly ConcurrentDictionary<string, ClientCounts> _clients = new(StringComparer.Ordinal);

    // Capacity one, extra requests dropped: a flush takes everything, so one pending wake-up is enough.
    private readonly Channel<bool> _flushWanted = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Signalled when a flush should not wait for the next tick.</summary>
    public ChannelReader<bool> FlushWanted => _flushWanted.Reader;

    /// <summary>Clients this host currently keeps counts for.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>Admits the request (and counts it) if the client's estimate is below <paramref name="limit"/>.</summary>
    public RateDecision TryAdmit(string clientId, int limit, DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        var window = ms / SlidingWindow.MinuteMs;
        var elapsed = ms % SlidingWindow.MinuteMs;
        while (true)
        {
            var isNew = false;
            if (!_clients.TryGetValue(clientId, out var client))
            {
                var fresh = new ClientCounts();
                client = _clients.GetOrAdd(clientId, fresh);
                isNew = ReferenceEquals(client, fresh);
            }

            bool wantFlush;
            lock (client)
            {
                if (client.Retired)
                {
                    continue; // Dropped by a flush between the lookup and the lock: count on its successor.
                }

                var previous = client.Total(window - 1);
                var current = client.Total(window);
                if (!SlidingWindow.Admits(previous, current, elapsed, limit))
                {
                    return new RateDecision(false, SlidingWindow.RetryAfter(previous, current, elapsed, limit));
                }

                var pending = client.AddPending(window);
                wantFlush = isNew || pending == Math.Max(1, limit / EarlyFlushShare);
            }

            if (wantFlush)
            {
                _flushWanted.Writer.TryWrite(true);
            }

            return new RateDecision(true, TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Takes every client's pending counts of the previous and current windows into a flush (they become in flight),
    /// forgets older windows and clients with nothing left in the last two.
    /// </summary>
    public FlushBatch BeginFlush(DateTimeOffset now)
    {
        var window = now.ToUnixTimeMilliseconds() / SlidingWindow.MinuteMs;
        var deltas = new List<CountDelta>();
        var clients = new List<string>();
        foreach (var (clientId, client) in _clients)
        {
            lock (client)
            {
                client.Forget(olderThan: window - 1);
                if (client.IsEmpty)
                {
                    client.Retired = true;
                    _clients.TryRemove(new KeyValuePair<string, ClientCounts>(clientId, client));
                    continue;
                }

                clients.Add(clientId);
                foreach (var w in client.Windows)
                {
                    if (w.Pending > 0)
                    {
                        deltas.Add(new CountDelta(clientId, w.Window, w.Pending));
                        w.InFlight += w.Pending;
                        w.Pending = 0;
                    }
                }
            }
        }

        return new FlushBatch(window, deltas, clients);
    }

    /// <summary>The shared table took the batch's deltas and answered with these totals (which include them).</summary>
    public void CompleteFlush(FlushBatch batch, IReadOnlyList<SharedCount> totals)
    {
        var byClient = totals.ToLookup(t => t.ClientId, StringComparer.Ordinal);
        foreach (var clientId in batch.Clients)
        {
            if (!_clients.TryGetValue(clientId, out var client))
            {
                continue;
            }

            lock (client)
            {
                foreach (var w in client.Windows)
                {
                    // The table's total includes what was in flight; it never goes down (a lower answer could only
                    // come from a table pruned under hosts with wrong clocks), so keep the larger.
                    w.Shared += w.InFlight;
                    w.InFlight = 0;
                }

                foreach (var total in byClient[clientId])
                {
                    if (total.Window >= batch.CurrentWindow - 1)
                    {
                        var w = client.Get(total.Window);
                        w.Shared = Math.Max(w.Shared, total.Requests);
                    }
                }
            }
        }
    }

    /// <summary>The flush failed: what was in flight is pending again, to be sent by a later flush.</summary>
    public void AbandonFlush(FlushBatch batch)
    {
        foreach (var clientId in batch.Clients)
        {
            if (_clients.TryGetValue(clientId, out var client))
            {
                lock (client)
                {
                    foreach (var w in client.Windows)
                    {
                        w.Pending += w.InFlight;
                        w.InFlight = 0;
                    }
                }
            }
        }
    }

    /// <summary>A client's counts in its last few windows (two or three; a list beats a dictionary at that size).</summary>
    private sealed class ClientCounts
    {
        public List<WindowCount> Windows { get; } = new(3);

        public bool Retired { get; set; }

        public bool IsEmpty => Windows.Count == 0;

        public long Total(long window)
        {
            foreach (var w in Windows)
            {
                if (w.Window == window)
                {
                    return w.Shared + w.InFlight + w.Pending;
                }
            }

            return 0;
        }

        public int AddPending(long window) => ++Get(window).Pending;

        public WindowCount Get(long window)
        {
            foreach (var w in Windows)
            {
                if (w.Window == window)
                {
                    return w;
                }
            }

            var added = new WindowCount(window);
            Windows.Add(added);
            return added;
        }

        public void Forget(long olderThan) => Windows.RemoveAll(w => w.Window < olderThan && w.InFlight == 0);
    }

    private sealed class WindowCount(long window)
    {
        public long Window { get; } = window;

        public long Shared { get; set; }

        public int InFlight { get; set; }

        public int Pending { get; set; }
    }
}
