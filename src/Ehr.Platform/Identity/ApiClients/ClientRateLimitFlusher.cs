using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Ehr.Platform.Identity.ApiClients;

/// <summary>
/// Shares this host's API-client request counts with the other hosts through <c>platform.api_client_request_counts</c>
/// (one row per client and one-minute window): every <see cref="ClientRateLimitOptions.FlushInterval"/>, and at once
/// when <see cref="ClientRequestCounts"/> asks (a client new to this host, or a tenth of a client's limit admitted since
/// the last flush), it adds its pending counts to the rows (upsert) and reads back the deployment-wide totals of every
/// client it is counting, in one round trip, off the request path. Windows older than ten minutes are deleted (two
/// are needed; the rest is margin for hosts' clocks). A failed flush keeps the counts pending for the next one, and
/// the host goes on limiting on what it knows; the failure is logged (again at most once a minute while it lasts).
/// </summary>
internal sealed class ClientRateLimitFlusher(
    ClientRequestCounts counts,
    NpgsqlDataSource dataSource,
    TimeProvider clock,
    IOptions<ClientRateLimitOptions> options,
    ILogger<ClientRateLimitFlusher> log) : BackgroundService
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(5);

    // Rows are upserted in key order, so two hosts flushing the same clients at once cannot deadlock each other.
    private const string AddSql =
        "INSERT INTO platform.api_client_request_counts (client_id, window_start, requests) " +
        "SELECT d.client_id, d.window_start, d.requests FROM unnest($1::text[], $2::timestamptz[], $3::integer[]) AS d(client_id, window_start, requests) " +
        "ORDER BY d.client_id, d.window_start " +
        "ON CONFLICT (client_id, window_start) DO UPDATE SET requests = platform.api_client_request_counts.requests + EXCLUDED.requests";

    private const string ReadSql =
        "SELECT client_id, window_start, requests FROM platform.api_client_request_counts WHERE client_id = ANY($1) AND window_start >= $2";

    private const string PruneSql = "DELETE FROM platform.api_client_request_counts WHERE window_start < $1";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;
    private int _failures;
    private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;

    /// <summary>
    /// Sends the pending counts and reads the shared totals back (one flush at a time; a caller waits for the one
    /// under way, then runs its own, so everything admitted before the call is shared when it returns true).
    /// </summary>
    public async Task<bool> FlushAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var now = clock.GetUtcNow();
            var batch = counts.BeginFlush(now);
            if (batch.Clients.Count == 0)
            {
                return true; // Nothing counted here lately: no round trip at all.
            }

            var prune = now - _lastPrune >= PruneEvery;

            IReadOnlyList<SharedCount> totals;
            try
            {
                totals = await ExchangeAsync(batch, prune ? now - Retention : null, ct);
            }
            catch (Exception e)
            {
                counts.AbandonFlush(batch);
                if (e is OperationCanceledException && ct.IsCancellationRequested)
                {
                    throw;
                }

                Failed(e, now);
                return false;
            }

            counts.CompleteFlush(batch, totals);
            if (prune)
            {
                _lastPrune = now;
            }

            if (_failures > 0)
            {
                log.LogInformation("API clients' request counts are shared again after {Failures} failed attempts", _failures);
                _failures = 0;
            }

            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.FlushInterval;
        var healthy = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (healthy)
                {
                    // The next tick, or sooner when the counts ask for it.
                    using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    tick.CancelAfter(interval);
                    try
                    {
                        await counts.FlushWanted.ReadAsync(tick.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                }
                else
                {
                    // While the database does not answer, early requests do not turn into a stream of attempts.
                    await Task.Delay(interval, stoppingToken);
                }

                healthy = await FlushAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // What this host admitted since the last flush still counts for the others after it stops (a deployment).
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(FinalFlushTimeout);
        try
        {
            await FlushAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            log.LogWarning("Stopped before the last API-client request counts could be shared");
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    private async Task<IReadOnlyList<SharedCount>> ExchangeAsync(FlushBatch batch, DateTimeOffset? pruneBefore, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var sql = new NpgsqlBatch(connection);
        if (batch.Deltas.Count > 0)
        {
            var add = new NpgsqlBatchCommand(AddSql);
            add.Parameters.Add(new NpgsqlParameter { Value = batch.Deltas.Select(d => d.ClientId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            add.Parameters.Add(new NpgsqlParameter { Value = batch.Deltas.Select(d => WindowStart(d.Window)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
            add.Parameters.Add(new NpgsqlParameter { Value = batch.Deltas.Select(d => d.Requests).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            sql.BatchCommands.Add(add);
        }

        var read = new NpgsqlBatchCommand(ReadSql);
        read.Parameters.Add(new NpgsqlParameter { Value = batch.Clients.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        read.Parameters.Add(new NpgsqlParameter { Value = WindowStart(batch.CurrentWindow - 1), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        sql.BatchCommands.Add(read);

        if (pruneBefore is { } before)
        {
            var prune = new NpgsqlBatchCommand(PruneSql);
            prune.Parameters.Add(new NpgsqlParameter { Value = before, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            sql.BatchCommands.Add(prune);
        }

        // One round trip; the statements run in one implicit transaction, so a failure adds nothing.
        var totals = new List<SharedCount>();
        await using var reader = await sql.ExecuteReaderAsync(ct);
        do
        {
            while (await reader.ReadAsync(ct))
            {
                if (reader.FieldCount == 3)
                {
                    totals.Add(new SharedCount(reader.GetString(0),
                        reader.GetFieldValue<DateTimeOffset>(1).ToUnixTimeMilliseconds() / SlidingWindow.MinuteMs, reader.GetInt64(2)));
                }
            }
        }
        while (await reader.NextResultAsync(ct));

        return totals;
    }

    private static DateTimeOffset WindowStart(long window) => DateTimeOffset.FromUnixTimeMilliseconds(window * SlidingWindow.MinuteMs);

    private void Failed(Exception e, DateTimeOffset now)
    {
        _failures++;
        if (_failures == 1 || now - _lastWarning >= TimeSpan.FromMinutes(1))
        {
            _lastWarning = now;
            log.LogWarning(e, "Could not share API clients' request counts ({Failures} failed attempts); each host limits on its own counts and the last shared ones until the database answers",
                _failures);
        }
    }
}
