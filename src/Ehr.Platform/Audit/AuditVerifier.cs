using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Ehr.Platform.Audit;

/// <summary>The outcome of walking one tenant's chain.</summary>
public sealed record AuditVerification(string Tenant, long Entries, bool Intact, long? FirstBrokenSeq, string? Problem);

/// <summary>
/// Walks a tenant's audit chain from the first entry, recomputing every hash. Reports the first entry whose content,
/// link or position does not match, and a head that points past the last entry (entries removed from the end).
/// </summary>
public sealed class AuditVerifier(TenantDbContext db, ActorContext actors, AuditSealer sealer)
{
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct = default)
    {
        actors.Demand(Permissions.AuditRead);
        // Everything committed so far joins the chain first, so the walk covers it.
        await sealer.SealAsync(db.Tenant, ct);
        var conn = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            long expectedSeq = 1;
            var prev = AuditChain.Genesis;
            long count = 0;
            await using (var cmd = new NpgsqlCommand(
                "SELECT seq, occurred_at, tenant, actor_id, actor_roles, action, resource_type, resource_id, client_address, " +
                "purpose, outcome, details, prev_hash, hash FROM audit_log ORDER BY seq", conn, tx))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    var record = new AuditRecord(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2),
                        r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), Nullable(r, 7), Nullable(r, 8),
                        r.GetString(9), r.GetString(10), Nullable(r, 11), r.GetFieldValue<byte[]>(12), r.GetFieldValue<byte[]>(13));
                    count++;
                    var problem =
                        record.Seq != expectedSeq ? $"entry {expectedSeq} is missing (found {record.Seq} next)" :
                        record.Tenant != db.Tenant.Slug ? $"entry {record.Seq} names another tenant" :
                        !record.PrevHash.AsSpan().SequenceEqual(prev) ? $"entry {record.Seq} does not link to the entry before it" :
                        !AuditChain.Hash(record).AsSpan().SequenceEqual(record.Hash) ? $"entry {record.Seq} was altered after it was written" :
                        null;
                    if (problem is not null)
                    {
                        return new AuditVerification(db.Tenant.Slug, count, false, expectedSeq, problem);
                    }

                    prev = record.Hash;
                    expectedSeq++;
                }
            }

            await using var head = new NpgsqlCommand("SELECT seq, hash FROM audit_head WHERE id = 1", conn, tx);
            await using var h = await head.ExecuteReaderAsync(ct);
            if (!await h.ReadAsync(ct))
            {
                return new AuditVerification(db.Tenant.Slug, count, false, null, "the chain's head row is missing");
            }

            var headSeq = h.GetInt64(0);
            if (headSeq != count || !h.GetFieldValue<byte[]>(1).AsSpan().SequenceEqual(prev))
            {
                return new AuditVerification(db.Tenant.Slug, count, false, count + 1,
                    $"the chain's head is at entry {headSeq} but the log ends at entry {count}: entries were removed");
            }

            return new AuditVerification(db.Tenant.Slug, count, true, null, null);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static string? Nullable(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
