using System.Threading.Channels;
using Ehr.Platform.Database;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Ehr.Platform.Audit;

/// <summary>
/// Links committed audit entries into each tenant's hash chain. One sealing transaction per tenant at a time (it
/// locks the chain's head row), many entries per transaction: the chain stays linear and gap-free while the
/// transactions that wrote the entries never wait on each other. Runs as the owner role, the only role allowed to
/// write the chain. Safe to run anywhere, any number of times: an entry is sealed exactly once or not at all.
/// </summary>
public sealed class AuditSealer(NpgsqlDataSource dataSource, IOptions<DatabaseOptions> options, ILogger<AuditSealer> log)
{
    private const int BatchSize = 5_000;
    private readonly Channel<Tenant> _signals = Channel.CreateUnbounded<Tenant>(new UnboundedChannelOptions { SingleReader = true });

    internal ChannelReader<Tenant> Signals => _signals.Reader;

    /// <summary>Asks for the tenant's pending entries to be sealed soon (called after a transaction that wrote some commits).</summary>
    public void Notify(Tenant tenant) => _signals.Writer.TryWrite(tenant);

    /// <summary>Seals every entry committed so far; returns how many.</summary>
    public async Task<int> SealAsync(Tenant tenant, CancellationToken ct = default)
    {
        var total = 0;
        int sealedNow;
        do
        {
            sealedNow = await SealBatchAsync(tenant, ct);
            total += sealedNow;
        }
        while (sealedNow == BatchSize);

        return total;
    }

    private async Task<int> SealBatchAsync(Tenant tenant, CancellationToken ct)
    {
        var schema = SqlIdentifier.Quote(tenant.SchemaName);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var set = new NpgsqlCommand(
            $"SET LOCAL ROLE {SqlIdentifier.Quote(options.Value.OwnerRole)}; SET LOCAL search_path = {schema}, ext", conn, tx))
        {
            await set.ExecuteNonQueryAsync(ct);
        }

        long seq;
        byte[] prev;
        await using (var head = new NpgsqlCommand("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", conn, tx))
        await using (var r = await head.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                throw new InvalidOperationException($"The audit chain of {tenant.Slug} has no head row.");
            }

            seq = r.GetInt64(0);
            prev = r.GetFieldValue<byte[]>(1);
        }

        var pending = new List<(long Id, AuditRecord Record)>();
        await using (var select = new NpgsqlCommand(
            "SELECT id, occurred_at, tenant, actor_id, actor_roles, action, resource_type, resource_id, client_address, purpose, " +
            $"outcome, details FROM audit_pending ORDER BY id LIMIT {BatchSize}", conn, tx))
        await using (var r = await select.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                seq++;
                var record = new AuditRecord(seq, r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetString(4),
                    r.GetString(5), r.GetString(6), Text(r, 7), Text(r, 8), r.GetString(9), r.GetString(10), Text(r, 11), prev, []);
                record = record with { Hash = AuditChain.Hash(record) };
                prev = record.Hash;
                pending.Add((r.GetInt64(0), record));
            }
        }

        if (pending.Count == 0)
        {
            return 0;
        }

        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY audit_log (seq, occurred_at, tenant, actor_id, actor_roles, action, resource_type, resource_id, client_address, " +
            "purpose, outcome, details, prev_hash, hash) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (_, e) in pending)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(e.Seq, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(e.OccurredAt, NpgsqlDbType.TimestampTz, ct);
                await copy.WriteAsync(e.Tenant, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.ActorId, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.ActorRoles, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.Action, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.ResourceType, NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, e.ResourceId, ct);
                await WriteNullableAsync(copy, e.ClientAddress, ct);
                await copy.WriteAsync(e.Purpose, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(e.Outcome, NpgsqlDbType.Text, ct);
                await WriteNullableAsync(copy, e.Details, ct);
                await copy.WriteAsync(e.PrevHash, NpgsqlDbType.Bytea, ct);
                await copy.WriteAsync(e.Hash, NpgsqlDbType.Bytea, ct);
            }

            await copy.CompleteAsync(ct);
        }

        await using var finish = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("DELETE FROM audit_pending WHERE id = ANY($1)") { Parameters = { new() { Value = pending.Select(p => p.Id).ToArray() } } },
                new NpgsqlBatchCommand("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1") { Parameters = { new() { Value = seq }, new() { Value = prev } } },
            },
        };
        await finish.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        log.LogDebug("Sealed {Count} audit entries of {Tenant} up to {Seq}", pending.Count, tenant.Slug, seq);
        return pending.Count;
    }

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct)
    {
        if (value is null)
        {
            await copy.WriteNullAsync(ct);
        }
        else
        {
            await copy.WriteAsync(value, NpgsqlDbType.Text, ct);
        }
    }
}

/// <summary>
/// Seals tenants as their transactions commit (signals are coalesced per tenant), and sweeps every tenant now and
/// then so entries whose signal was lost with a crashed process are sealed too.
/// </summary>
internal sealed class AuditSealingService(AuditSealer sealer, TenantCatalog catalog, ILogger<AuditSealingService> log) : BackgroundService
{
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = DateTime.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            var due = new Dictionary<Guid, Tenant>();
            if (DateTime.UtcNow >= nextSweep)
            {
                foreach (var tenant in await SafeListAsync(stoppingToken))
                {
                    due[tenant.Id] = tenant;
                }

                nextSweep = DateTime.UtcNow + SweepInterval;
            }
            else
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                wait.CancelAfter(nextSweep - DateTime.UtcNow);
                try
                {
                    var first = await sealer.Signals.ReadAsync(wait.Token);
                    due[first.Id] = first;
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    continue;
                }
            }

            while (sealer.Signals.TryRead(out var more))
            {
                due[more.Id] = more;
            }

            foreach (var tenant in due.Values)
            {
                try
                {
                    await sealer.SealAsync(tenant, stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
                {
                    // Entries stay pending and are retried by the next signal or sweep; nothing is lost.
                    log.LogWarning(e, "Sealing the audit chain of {Tenant} failed; will retry", tenant.Slug);
                }
            }
        }
    }

    private async Task<IReadOnlyList<Tenant>> SafeListAsync(CancellationToken ct)
    {
        try
        {
            return await catalog.ListAsync(ct);
        }
        catch (NpgsqlException e)
        {
            log.LogWarning(e, "Listing tenants for the audit sweep failed");
            return [];
        }
    }
}
