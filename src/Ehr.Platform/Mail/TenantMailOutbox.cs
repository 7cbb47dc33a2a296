using Ehr.Platform.Database;
using Ehr.Platform.Persistence;
using Npgsql;

namespace Ehr.Platform.Mail;

/// <summary>
/// Queues an e-mail in <c>platform.email_outbox</c> from inside a tenant change's own transaction, so the change and
/// its message commit or vanish together (an intake link is never sent without existing, nor exists unsent).
/// </summary>
/// <remarks>
/// The mirror of <c>TenantAuditOfPlatformChange</c>: the tenant's role has no privilege on the platform schema, so the
/// transaction steps back to the login role (<c>SET LOCAL ROLE NONE</c>), inserts the one row, and returns to the
/// tenant's role for the rest of the change. <c>LOCAL</c> settings end with the transaction, which leaves the session
/// as the tenant session set it. Only this insert runs outside the tenant's role; nothing of the tenant's is read.
/// </remarks>
public sealed class TenantMailOutbox(TenantDbContext db, TimeProvider clock)
{
    public async Task EnqueueAsync(string to, string subject, string body, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        var (connection, transaction) = db.RequireTransaction("Outgoing e-mails");
        var insert = new NpgsqlBatchCommand(
            "INSERT INTO platform.email_outbox (id, tenant_id, to_address, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)");
        insert.Parameters.AddWithValue(Guid.CreateVersion7());
        insert.Parameters.AddWithValue(db.Tenant.Id);
        insert.Parameters.AddWithValue(to);
        insert.Parameters.AddWithValue(subject);
        insert.Parameters.AddWithValue(body);
        insert.Parameters.AddWithValue(clock.GetUtcNow());
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SET LOCAL ROLE NONE"),
                insert,
                new NpgsqlBatchCommand($"SET LOCAL ROLE {SqlIdentifier.Quote(db.Tenant.SchemaName)}"),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }
}
