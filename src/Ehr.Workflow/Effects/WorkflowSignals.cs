namespace Ehr.Workflow.Effects;

/// <summary>
/// Wakes this process's dispatcher for a tenant: after a step that left effects to carry out commits here, or when a
/// PostgreSQL notification (events raised, effects written by another process) arrives. One lost with a crash is
/// made up for by the dispatcher's sweep.
/// <para>
/// A tenant waits here at most once, however often it is woken, so what waits is bounded by the number of tenants
/// (a sweep that wakes every tenant faster than their rounds end no longer piles up). A signal goes before everything
/// a sweep queued: a tenant with work just committed is not held behind a pass over every idle tenant.
/// </para>
/// </summary>
public sealed class WorkflowSignals : IDisposable
{
    /// <summary>The channel on which steps that wrote effects are announced across processes (payload: tenant slug).</summary>
    public const string EffectsChannel = "ehr_workflow_effects";

    private readonly Lock _gate = new();
    private readonly Queue<string> _signalled = new();
    private readonly Queue<string> _swept = new();

    // The tenants waiting: whether each was signalled (then its entry in _swept, if any, is stale) and whether events
    // may be waiting for its consumer (a wake-up for effects alone needs no read of the outbox).
    private readonly Dictionary<string, (bool Signalled, bool Events)> _waiting = new(StringComparer.Ordinal);

    // One release per queue entry, stale ones included: a reader that meets a stale entry waits again.
    private readonly SemaphoreSlim _entries = new(0);

    /// <summary>
    /// Work for <paramref name="tenantSlug"/> was committed: domain events (<paramref name="events"/>) or effects only.
    /// Its round comes before any the sweep queued.
    /// </summary>
    public void Wake(string tenantSlug, bool events)
    {
        lock (_gate)
        {
            if (_waiting.TryGetValue(tenantSlug, out var waiting))
            {
                // Signalled already: one round serves both. Swept: promoted, still looking at everything.
                _waiting[tenantSlug] = (true, waiting.Events || events || !waiting.Signalled);
                if (waiting.Signalled)
                {
                    return;
                }
            }
            else
            {
                _waiting[tenantSlug] = (true, events);
            }

            _signalled.Enqueue(tenantSlug);
        }

        _entries.Release();
    }

    /// <summary>A sweep's look at <paramref name="tenantSlug"/>: queued behind every signal, and not at all if it is waiting already.</summary>
    public void Sweep(string tenantSlug)
    {
        lock (_gate)
        {
            if (!_waiting.TryAdd(tenantSlug, (false, true)))
            {
                return;
            }

            _swept.Enqueue(tenantSlug);
        }

        _entries.Release();
    }

    /// <summary>How many tenants are waiting for a round.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// The next tenant to work on, whether it was signalled (else swept) and whether its events may need reading:
    /// signalled ones first, in the order they were signalled, then swept ones.
    /// </summary>
    internal async Task<TenantRound> NextAsync(CancellationToken ct)
    {
        while (true)
        {
            await _entries.WaitAsync(ct);
            lock (_gate)
            {
                if (_signalled.TryDequeue(out var slug))
                {
                    var signalled = _waiting[slug];
                    _waiting.Remove(slug);
                    return new TenantRound(slug, true, signalled.Events);
                }

                slug = _swept.Dequeue();
                if (_waiting.TryGetValue(slug, out var waiting) && !waiting.Signalled)
                {
                    _waiting.Remove(slug);
                    return new TenantRound(slug, false, true);
                }

                // Stale: the tenant was signalled after the sweep queued it, and its signalled entry was taken first.
            }
        }
    }

    public void Dispose() => _entries.Dispose();
}

/// <summary>A tenant's turn: <see cref="Signalled"/> (else swept, so looked at first), and whether to read its events.</summary>
internal readonly record struct TenantRound(string Slug, bool Signalled, bool Events);
