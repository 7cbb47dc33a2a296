using System.Text.Json;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Ehr.Platform.Audit;

/// <summary>What a use case reports: the action, the resource it touched and anything worth keeping (never PHI values).</summary>
public sealed record AuditEvent(string Action, string ResourceType, string? ResourceId, object? Details = null,
    string Outcome = "success");

/// <summary>
/// Appends audit entries to the tenant's chain inside the caller's transaction: the entry commits with the change it
/// describes or not at all. The chain's head row is locked until commit, so concurrent writers line up and the chain
/// stays linear; callers append last, just before commit, to keep that lock short.
/// </summary>
public sealed class AuditTrail(TenantDbContext db, ActorContext actors, TimeProvider clock)
{
    public async Task RecordAsync(AuditEvent entry, CancellationToken ct) => await RecordAsync([entry], ct);

    public async Task RecordAsync(IReadOnlyList<AuditEvent> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var tx = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
                 ?? throw new InvalidOperationException("Audit entries are written inside the change's transaction.");
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        var actor = actors.Current;
        var now = AuditChain.ToStoredPrecision(clock.GetUtcNow());

        long seq;
        byte[] prev;
        await using (var head = new NpgsqlCommand("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", conn, tx))
        await using (var reader = await head.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                throw new InvalidOperationException("The tenant's audit chain has no head row.");
            }

            seq = reader.GetInt64(0);
            prev = reader.GetFieldValue<byte[]>(1);
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        var roles = string.Join(',', actor.Roles);
        foreach (var e in entries)
        {
            seq++;
            var details = e.Details is null ? null : e.Details as string ?? JsonSerializer.Serialize(e.Details);
            var hash = AuditChain.Hash(seq, now, db.Tenant.Slug, actor.Id, roles, e.Action, e.ResourceType, e.ResourceId,
                actor.ClientAddress, actor.Purpose, e.Outcome, details, prev);
            var insert = new NpgsqlBatchCommand(
                "INSERT INTO audit_log (seq, occurred_at, tenant, actor_id, actor_roles, action, resource_type, resource_id, " +
                "client_address, purpose, outcome, details, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)");
            insert.Parameters.AddWithValue(seq);
            insert.Parameters.AddWithValue(now);
            insert.Parameters.AddWithValue(db.Tenant.Slug);
            insert.Parameters.AddWithValue(actor.Id);
            insert.Parameters.AddWithValue(roles);
            insert.Parameters.AddWithValue(e.Action);
            insert.Parameters.AddWithValue(e.ResourceType);
            insert.Parameters.AddWithValue((object?)e.ResourceId ?? DBNull.Value);
            insert.Parameters.AddWithValue((object?)actor.ClientAddress ?? DBNull.Value);
            insert.Parameters.AddWithValue(actor.Purpose);
            insert.Parameters.AddWithValue(e.Outcome);
            insert.Parameters.AddWithValue((object?)details ?? DBNull.Value);
            insert.Parameters.AddWithValue(prev);
            insert.Parameters.AddWithValue(hash);
            batch.BatchCommands.Add(insert);
            prev = hash;
        }

        var update = new NpgsqlBatchCommand("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1");
        update.Parameters.AddWithValue(seq);
        update.Parameters.AddWithValue(prev);
        batch.BatchCommands.Add(update);
        await batch.ExecuteNonQueryAsync(ct);
    }
}
