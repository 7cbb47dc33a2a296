using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OpenIddict.Server;
using OpenIddict.Validation;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// Reloads the authorization server's keys when the key set changes (a rotation on any host) or a waiting key
/// becomes active: it checks every <see cref="Interval"/> and, on a change, invalidates the OpenIddict server and
/// validation options, which are rebuilt with <see cref="KeyRing.Load"/> on their next use.
/// </summary>
public sealed class KeyRingRefresher(KeyRing ring, ILogger<KeyRingRefresher> log) : BackgroundService,
    IOptionsChangeTokenSource<OpenIddictServerOptions>, IOptionsChangeTokenSource<OpenIddictValidationOptions>
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    // Two signals, fired server first: an options monitor rebuilds its value the moment its token fires, and the
    // validation options copy their keys from the server options, which must already be the new ones by then.
    private CancellationTokenSource _server = new();
    private CancellationTokenSource _validation = new();
    private string? _fingerprint;

    string? IOptionsChangeTokenSource<OpenIddictServerOptions>.Name => Options.DefaultName;

    string? IOptionsChangeTokenSource<OpenIddictValidationOptions>.Name => Options.DefaultName;

    IChangeToken IOptionsChangeTokenSource<OpenIddictServerOptions>.GetChangeToken() =>
        new CancellationChangeToken(Volatile.Read(ref _server).Token);

    IChangeToken IOptionsChangeTokenSource<OpenIddictValidationOptions>.GetChangeToken() =>
        new CancellationChangeToken(Volatile.Read(ref _validation).Token);

    /// <summary>Reloads now if the keys changed since the last look (a rotation command calls this on its own host).</summary>
    public void RefreshNow()
    {
        var fingerprint = ring.Fingerprint();
        if (_fingerprint is not null && fingerprint != _fingerprint)
        {
            log.LogInformation("Authorization keys changed; reloading");
            Fire(ref _server);
            Fire(ref _validation);
        }

        _fingerprint = fingerprint;
    }

    private static void Fire(ref CancellationTokenSource source)
    {
        var previous = Interlocked.Exchange(ref source, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                RefreshNow();
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or InvalidOperationException)
            {
                log.LogWarning(e, "Could not check the authorization keys; keeping the loaded ones");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
