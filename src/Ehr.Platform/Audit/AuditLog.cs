using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Ehr.Platform.Audit;

public sealed record AuditLogFilter(string? ActorId = null, string? Action = null, string? ResourceType = null,
    string? ResourceId = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

public sealed record AuditLogPage(IReadOnlyList<AuditRecord> Entries, bool HasMore);

/// <summary>
/// Reading the log, newest first, keyset-paginated by sequence number. Reading it is itself recorded: the log holds
/// patient identifiers.
/// </summary>
public sealed class AuditLog(TenantDbContext db, ActorContext actors, AuditTrail trail, AuditSealer sealer)
{
    public const int MaxPageSize = 200;

    public async Task<AuditLogPage> SearchAsync(AuditLogFilter filter, int first, long? beforeSeq, CancellationToken ct)
    {
        actors.Demand(Permissions.AuditRead);
        if (first is < 1 or > MaxPageSize)
        {
            throw EhrException.Validation([new FieldError("first", ErrorCodes.OutOfRange, $"Ask for 1 to {MaxPageSize} entries.")]);
        }

        await sealer.SealAsync(db.Tenant, ct);
        return await db.InTransactionAsync(async token =>
        {
            var conn = (NpgsqlConnection)db.Database.GetDbConnection();
            var tx = (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction();
            var where = new List<string>();
            await using var cmd = new NpgsqlCommand { Connection = conn, Transaction = tx };
            void Add(string column, string op, object? value)
            {
                if (value is null)
                {
                    return;
                }

                cmd.Parameters.AddWithValue(value);
                where.Add($"{column} {op} ${cmd.Parameters.Count}");
            }

            Add("actor_id", "=", filter.ActorId);
            Add("action", "=", filter.Action);
            Add("resource_type", "=", filter.ResourceType);
            Add("resource_id", "=", filter.ResourceId);
            Add("occurred_at", ">=", filter.From);
            Add("occurred_at", "<", filter.To);
            Add("seq", "<", beforeSeq);
            cmd.Parameters.AddWithValue(first + 1);
            cmd.CommandText =
                "SELECT seq, occurred_at, tenant, actor_id, actor_roles, action, resource_type, resource_id, client_address, " +
                "purpose, outcome, details, prev_hash, hash FROM audit_log" +
                (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
                $" ORDER BY seq DESC LIMIT ${cmd.Parameters.Count}";
            var entries = new List<AuditRecord>();
            await using (var r = await cmd.ExecuteReaderAsync(token))
            {
                while (await r.ReadAsync(token))
                {
                    entries.Add(new AuditRecord(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2),
                        r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7),
                        r.IsDBNull(8) ? null : r.GetString(8), r.GetString(9), r.GetString(10),
                        r.IsDBNull(11) ? null : r.GetString(11), r.GetFieldValue<byte[]>(12), r.GetFieldValue<byte[]>(13)));
                }
            }

            var hasMore = entries.Count > first;
            if (hasMore)
            {
                entries.RemoveAt(entries.Count - 1);
            }

            await trail.RecordAsync(new AuditEvent("audit.read", "AuditLog", null, new { filter, first, beforeSeq, returned = entries.Count }), token);
            return new AuditLogPage(entries, hasMore);
        }, ct);
    }
}
