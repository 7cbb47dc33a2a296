using Ehr.Platform.Errors;
using Ehr.Web.Components.Forms;
using Microsoft.Extensions.Time.Testing;

namespace Ehr.Tests.Console;

/// <summary>
/// The console's autosave of drafts and responses in progress: stored once the edits pause, one save at a time with
/// the version the last one returned, never over someone else's change, and current before publishing or completing.
/// </summary>
public sealed class AutosaverShould
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(800);

    private readonly FakeTimeProvider _clock = new();
    private readonly List<(string Value, int Version)> _saves = [];

    private Autosaver<string> Saver(int version = 1, Func<string, int, Task<int>>? save = null) =>
        new(version, save ?? ((value, v) =>
        {
            _saves.Add((value, v));
            return Task.FromResult(v + 1);
        }), delay: Pause, clock: _clock);

    [Fact]
    public async Task StoreOnlyTheLatestEditOnceTheEditsPause()
    {
        await using var saver = Saver();
        saver.Edit("a");
        _clock.Advance(Pause / 2);
        saver.Edit("b");
        _clock.Advance(Pause / 2);
        saver.Edit("c");
        Assert.Empty(_saves);
        Assert.Equal(AutosaveState.Pending, saver.State);
        Assert.True(saver.HasUnsavedChanges);

        _clock.Advance(Pause);
        await saver.FlushAsync();

        Assert.Equal([("c", 1)], _saves);
        Assert.Equal((AutosaveState.Saved, 2, false), (saver.State, saver.Version, saver.HasUnsavedChanges));
    }

    [Fact]
    public async Task StoreAnEditMadeDuringASaveAfterItWithTheVersionItReturned()
    {
        var first = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var saver = Saver(save: (value, v) =>
        {
            _saves.Add((value, v));
            return _saves.Count == 1 ? first.Task : Task.FromResult(v + 1);
        });
        saver.Edit("a");
        _clock.Advance(Pause);
        Assert.Equal(AutosaveState.Saving, saver.State);
        saver.Edit("b");
        _clock.Advance(Pause);
        Assert.Equal([("a", 1)], _saves);

        first.SetResult(2);
        await saver.FlushAsync();

        Assert.Equal([("a", 1), ("b", 2)], _saves);
        Assert.Equal((AutosaveState.Saved, 3), (saver.State, saver.Version));
    }

    [Fact]
    public async Task StopAtAStaleVersionAndWriteNothingOverTheOtherChange()
    {
        await using var saver = Saver(save: (value, v) =>
        {
            _saves.Add((value, v));
            throw EhrException.VersionConflict("Artifact x", v, v + 1);
        });
        saver.Edit("mine");
        await saver.FlushAsync();
        Assert.Equal(AutosaveState.Conflict, saver.State);
        Assert.Contains("changed by someone else", saver.Error, StringComparison.Ordinal);

        saver.Edit("mine, again");
        _clock.Advance(Pause * 2);
        await saver.FlushAsync();
        var acted = false;
        var refused = await Assert.ThrowsAsync<EhrException>(() => saver.ThenAsync(v =>
        {
            acted = true;
            return Task.FromResult((true, v + 1));
        }));

        Assert.Equal(ErrorCodes.VersionConflict, refused.Code);
        Assert.False(acted);
        Assert.Equal([("mine", 1)], _saves);
        Assert.True(saver.HasUnsavedChanges);
        Assert.Equal(AutosaveState.Conflict, saver.State);
    }

    [Fact]
    public async Task StoreTheWaitingEditBeforeAnActionThatGetsTheCurrentVersion()
    {
        await using var saver = Saver();
        saver.Edit("last words");

        var seen = await saver.ThenAsync(v => Task.FromResult((v, v + 1)));

        Assert.Equal([("last words", 1)], _saves);
        Assert.Equal((2, 3, AutosaveState.Saved), (seen, saver.Version, saver.State));
        _clock.Advance(Pause * 2);
        Assert.Single(_saves);
    }

    [Fact]
    public async Task KeepAnEditThatCouldNotBeStoredRefuseActionsOnOlderContentAndStoreItNextTime()
    {
        var failing = true;
        await using var saver = Saver(save: (value, v) =>
        {
            _saves.Add((value, v));
            return failing ? throw EhrException.Validation([new FieldError("content", ErrorCodes.InvalidFormat, "Not JSON.")]) : Task.FromResult(v + 1);
        });
        saver.Edit("draft");
        await saver.FlushAsync();
        Assert.Equal((AutosaveState.Failed, 1), (saver.State, saver.Version));

        var refused = await Assert.ThrowsAsync<EhrException>(() => saver.ThenAsync(v => Task.FromResult((true, v + 1))));
        Assert.Equal(ErrorCodes.ValidationFailed, refused.Code);

        failing = false;
        await saver.FlushAsync();
        Assert.Equal([("draft", 1), ("draft", 1), ("draft", 1)], _saves);
        Assert.Equal((AutosaveState.Saved, 2, false), (saver.State, saver.Version, saver.HasUnsavedChanges));
    }

    [Fact]
    public async Task StoreWhatIsWaitingWhenThePageGoesAway()
    {
        var saver = Saver();
        saver.Edit("typed just before leaving");

        await saver.DisposeAsync();

        Assert.Equal([("typed just before leaving", 1)], _saves);
        Assert.Throws<ObjectDisposedException>(() => saver.Edit("too late"));
    }
}
