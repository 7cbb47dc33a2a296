using Ehr.Platform.Errors;

namespace Ehr.Web.Components.Forms;

/// <summary>Where an <see cref="Autosaver{T}"/> is: everything stored, a change waiting or being stored, or stopped.</summary>
public enum AutosaveState
{
    /// <summary>Everything edited so far is stored.</summary>
    Saved,

    /// <summary>A change waits for the pause in typing (or for the save in flight) before it is stored.</summary>
    Pending,

    Saving,

    /// <summary>Someone else changed the record since it was loaded: nothing more is saved over their change until it is reloaded.</summary>
    Conflict,

    /// <summary>The last save was refused or failed; the change is kept and the next one (or <see cref="Autosaver{T}.FlushAsync"/>) tries again.</summary>
    Failed,
}

/// <summary>
/// Debounced, version-checked autosave of one record (a form draft, a response in progress): each edit replaces the
/// value waiting to be stored, which is stored once the edits pause (<see cref="DefaultDelay"/>) with the version the
/// last save returned. One save at a time, in order; never two with the same version. A stale version
/// (<c>VERSION_CONFLICT</c>: another tab, another person) stops saving for good: the host tells the person and offers
/// to reload, and nothing is written over the other change. Actions that need the stored state to be current
/// (publish, complete) run through <see cref="ThenAsync{TResult}"/>, after the waiting change is stored.
/// </summary>
public sealed class Autosaver<T> : IAsyncDisposable
    where T : class
{
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromMilliseconds(800);

    private readonly Func<T, int, Task<int>> _save;
    private readonly Func<Func<Task>, Task> _dispatch;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _clock;
    private readonly ITimer _timer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private T? _pending;
    private Exception? _failure;
    private bool _disposed;

    /// <param name="version">The version of the record as loaded.</param>
    /// <param name="save">Stores a value given the version it was based on; returns the new version. Throws <see cref="EhrException"/> on refusal.</param>
    /// <param name="dispatch">Runs a save that the pause timer starts where the host wants it (a component's <c>InvokeAsync</c>).</param>
    public Autosaver(int version, Func<T, int, Task<int>> save, Func<Func<Task>, Task>? dispatch = null, TimeSpan? delay = null,
        TimeProvider? clock = null)
    {
        Version = version;
        _save = save;
        _dispatch = dispatch ?? (work => work());
        _delay = delay ?? DefaultDelay;
        _clock = clock ?? TimeProvider.System;
        _timer = _clock.CreateTimer(_ => _ = FromTimerAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The version the next save (or action) is based on.</summary>
    public int Version { get; private set; }

    public AutosaveState State { get; private set; } = AutosaveState.Saved;

    /// <summary>Why saving stopped or failed (the server's message).</summary>
    public string? Error { get; private set; }

    public DateTimeOffset? SavedAt { get; private set; }

    /// <summary>Whether something edited is not stored yet (waiting, in flight, failed or refused as stale).</summary>
    public bool HasUnsavedChanges => _pending is not null || State == AutosaveState.Saving;

    /// <summary>Raised after every change of <see cref="State"/>, for the host to re-render.</summary>
    public event Func<Task>? StateChanged;

    /// <summary>An edit: <paramref name="value"/> is what to store (the whole record as it now is).</summary>
    public void Edit(T value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _pending = value;
        if (State == AutosaveState.Conflict)
        {
            return;
        }

        State = AutosaveState.Pending;
        _timer.Change(_delay, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stores the waiting change now (and waits for a save in flight).</summary>
    public async Task FlushAsync()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await _gate.WaitAsync();
        try
        {
            await SaveWaitingAsync();
        }
        finally
        {
            _gate.Release();
        }

        await NotifyAsync();
    }

    /// <summary>
    /// Stores the waiting change, then runs <paramref name="action"/> with the current version, alone (no save runs
    /// meanwhile); its new version becomes current. Refused as <c>VERSION_CONFLICT</c> after a conflict, and with the
    /// save's own error when the waiting change could not be stored (an action must never act on older content).
    /// </summary>
    public async Task<TResult> ThenAsync<TResult>(Func<int, Task<(TResult Result, int Version)>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await _gate.WaitAsync();
        try
        {
            await SaveWaitingAsync();
            if (State == AutosaveState.Conflict)
            {
                throw new EhrException(ErrorCodes.VersionConflict, Error ?? "The record was changed elsewhere. Reload it.", 409);
            }

            if (_pending is not null && _failure is not null)
            {
                throw _failure is EhrException ? _failure : new InvalidOperationException("The last change could not be saved.", _failure);
            }

            var (result, version) = await action(Version);
            Version = version;
            return result;
        }
        finally
        {
            _gate.Release();
            await NotifyAsync();
        }
    }

    private async Task FromTimerAsync()
    {
        try
        {
            await _dispatch(FlushAsync);
        }
        catch (ObjectDisposedException)
        {
            // The page went away meanwhile; DisposeAsync stored what was waiting.
        }
    }

    /// <summary>Stores what waits, one save after the other, until nothing waits or saving must stop. Holds the gate.</summary>
    private async Task SaveWaitingAsync()
    {
        while (_pending is { } value && State != AutosaveState.Conflict)
        {
            _pending = null;
            State = AutosaveState.Saving;
            try
            {
                Version = await _save(value, Version);
                _failure = null;
                Error = null;
                SavedAt = _clock.GetUtcNow();
                State = _pending is null ? AutosaveState.Saved : AutosaveState.Pending;
            }
            catch (EhrException e) when (e.Code == ErrorCodes.VersionConflict)
            {
                // Kept, never written over the other change: the person may still copy it (the builder's download).
                _pending ??= value;
                State = AutosaveState.Conflict;
                Error = e.Message;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _pending ??= value;
                _failure = e;
                State = AutosaveState.Failed;
                Error = e is EhrException ? e.Message : "The change could not be saved; it is kept here and saved with your next change.";
                break;
            }
        }
    }

    private async Task NotifyAsync()
    {
        if (StateChanged is { } changed)
        {
            await changed();
        }
    }

    /// <summary>Stores what is still waiting (leaving a page must not lose the last edit), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _timer.DisposeAsync();
        await _gate.WaitAsync();
        try
        {
            await SaveWaitingAsync();
        }
        finally
        {
            _gate.Release();
            _gate.Dispose();
        }
    }
}
