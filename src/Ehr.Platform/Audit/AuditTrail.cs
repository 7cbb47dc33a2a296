using System.Text.Json;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Ehr.Platform.Audit;

/// <summary>What a use case reports: the action, the resource it touched and what is worth keeping.</summary>
public sealed record AuditEvent(string Action, string ResourceType, string? ResourceId, object? Details = null,
    string Outcome = "success");

/// <summary>
/// Records audit entries inside the caller's transaction: an entry commits with the change it describes or not at
/// all. Entries land in <c>audit_pending</c>; once the transaction commits the <see cref="AuditSealer"/> links them
/// into the tenant's hash chain (within milliseconds, in batches). Writers never wait for one another here.
/// </summary>
public sealed class AuditTrail(TenantDbContext db, ActorContext actors, AuditSealer sealer, TimeProvider clock)
{
    public async Task RecordAsync(AuditEvent entry, CancellationToken ct) => await RecordAsync([entry], ct);

    public async Task RecordAsync(IReadOnlyList<AuditEvent> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var (conn, tx) = db.RequireTransaction("Audit entries");
        await WriteAsync(conn, tx, db.Tenant.Slug, actors.Current, AuditChain.ToStoredPrecision(clock.GetUtcNow()), entries, ct);
        db.AfterCommit(() => sealer.Notify(db.Tenant));
    }

    /// <summary>
    /// The statements that record <paramref name="entries"/>, for a caller that sends them in its own batch (one round
    /// trip for the change and its audit). The caller must execute them inside its open transaction; the sealer is told
    /// once that transaction commits, exactly as with <see cref="RecordAsync(IReadOnlyList{AuditEvent}, CancellationToken)"/>.
    /// </summary>
    public IReadOnlyList<NpgsqlBatchCommand> Commands(IReadOnlyList<AuditEvent> entries)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        db.RequireTransaction("Audit entries");
        var commands = BatchCommands(db.Tenant.Slug, actors.Current, AuditChain.ToStoredPrecision(clock.GetUtcNow()), entries);
        db.AfterCommit(() => sealer.Notify(db.Tenant));
        return commands;
    }

    /// <summary>
    /// Writes entries into <c>audit_pending</c> on a connection already acting as the tenant's role with its search_path,
    /// inside <paramref name="tx"/>; the caller notifies the sealer after committing.
    /// </summary>
    internal static async Task WriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string tenantSlug, Actor actor,
        DateTimeOffset now, IReadOnlyList<AuditEvent> entries, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var insert in BatchCommands(tenantSlug, actor, now, entries))
        {
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync(ct);
    }

    private static List<NpgsqlBatchCommand> BatchCommands(string tenantSlug, Actor actor, DateTimeOffset now, IReadOnlyList<AuditEvent> entries)
    {
        var roles = string.Join(',', actor.Roles);
        var commands = new List<NpgsqlBatchCommand>(entries.Count);
        foreach (var e in entries)
        {
            var insert = new NpgsqlBatchCommand(
                "INSERT INTO audit_pending (occurred_at, tenant, actor_id, actor_roles, action, resource_type, resource_id, " +
                "client_address, purpose, outcome, details) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)");
            insert.Parameters.AddWithValue(now);
            insert.Parameters.AddWithValue(tenantSlug);
            insert.Parameters.AddWithValue(actor.Id);
            insert.Parameters.AddWithValue(roles);
            insert.Parameters.AddWithValue(e.Action);
            insert.Parameters.AddWithValue(e.ResourceType);
            insert.Parameters.AddWithValue((object?)e.ResourceId ?? DBNull.Value);
            insert.Parameters.AddWithValue((object?)actor.ClientAddress ?? DBNull.Value);
            insert.Parameters.AddWithValue(actor.Purpose);
            insert.Parameters.AddWithValue(e.Outcome);
            var details = e.Details is null ? null : e.Details as string ?? JsonSerializer.Serialize(e.Details);
            insert.Parameters.AddWithValue((object?)details ?? DBNull.Value);
            commands.Add(insert);
        }

        return commands;
    }
}
