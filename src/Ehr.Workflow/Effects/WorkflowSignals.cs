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

    // The tenants waiting, and whether each was signalled (then its entry in _swept, if any, is stale).
    private readonly Dictionary<string, bool> _waiting = new(StringComparer.Ordinal);

    // One release per queue entry, stale ones included: a reader that meets a stale entry waits again.
    private readonly SemaphoreSlim _entries = new(0);

    /// <summary>Work for <paramref name="tenantSlug"/> was committed: its round comes before any the sweep queued.</summary>
    public void Wake(string tenantSlug)
    {
        lock (_gate)
        {
            if (_waiting.TryGetValue(tenantSlug, out var signalled) && signalled)
            {
                return;
            }

            _waiting[tenantSlug] = true;
            _signalled.Enqueue(tenantSlug);
        }

        _entries.Release();
    }

    /// <summary>A sweep's look at <paramref name="tenantSlug"/>: queued behind every signal, and not at all if it is waiting already.</summary>
    public void Sweep(string tenantSlug)
    {
        lock (_gate)
        {
            if (!_waiting.TryAdd(tenantSlug, false))
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
    /// The next tenant to work on, and whether it was signalled: signalled ones first, in the order they were
    /// signalled, then swept ones.
    /// </summary>
    internal async Task<(string Slug, bool Signalled)> NextAsync(CancellationToken ct)
    {
        while (true)
        {
            await _entries.WaitAsync(ct);
            lock (_gate)
            {
                if (_signalled.TryDequeue(out var slug))
                {
                    _waiting.Remove(slug);
                    return (slug, true);
                }

                slug = _swept.Dequeue();
                if (_waiting.TryGetValue(slug, out var signalled) && !signalled)
                {
                    _waiting.Remove(slug);
                    return (slug, false);
                }

                // Stale: the tenant was signalled after the sweep queued it, and its signalled entry was taken first.
            }
        }
    }

    public void Dispose() => _entries.Dispose();
}
