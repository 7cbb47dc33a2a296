using Ehr.Platform.Database;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.Platform.Audit;

/// <summary>
/// Records entries in a tenant's audit chain from outside that tenant's request scope: the authorization server
/// (token issuance and refresh) and platform-level changes that concern a tenant (memberships, API clients).
/// </summary>
public sealed class TenantAuditWriter(IServiceScopeFactory scopes, AuditSealer sealer, TimeProvider clock)
{
    /// <summary>One entry in its own transaction (for events that change nothing else, like a token issuance).</summary>
    public async Task RecordAsync(Tenant tenant, Actor actor, AuditEvent entry, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(actor);
        var db = scope.ServiceProvider.GetRequiredService<TenantDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
        await db.InTransactionAsync(async token =>
        {
            await audit.RecordAsync(entry, token);
            return true;
        }, ct);
    }

    /// <summary>
    /// Entries written inside the platform transaction that makes the change they describe: the connection switches
    /// to the tenant's role for the insert (<c>SET LOCAL</c>, so only for this transaction) and back, so the platform
    /// change and its audit entries commit together or not at all. Call before committing; the chain is sealed after.
    /// </summary>
    public async Task RecordInAsync(PlatformDbContext platform, Tenant tenant, Actor actor, IReadOnlyList<AuditEvent> entries,
        CancellationToken ct)
    {
        var tx = platform.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
                 ?? throw new InvalidOperationException("Open a transaction on the platform context first.");
        var conn = (NpgsqlConnection)platform.Database.GetDbConnection();
        var role = SqlIdentifier.Quote(tenant.SchemaName);
        await using (var enter = new NpgsqlCommand($"SET LOCAL ROLE {role}; SET LOCAL search_path = {role}, ext", conn, tx))
        {
            await enter.ExecuteNonQueryAsync(ct);
        }

        await AuditTrail.InsertAsync(conn, tx, tenant.Slug, actor, clock.GetUtcNow(), entries, ct);
        await using (var leave = new NpgsqlCommand("RESET ROLE; SET LOCAL search_path TO DEFAULT", conn, tx))
        {
            await leave.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Asks for the tenant's new entries to be chained (after the transaction of <see cref="RecordInAsync"/> committed).</summary>
    public void Committed(Tenant tenant) => sealer.Notify(tenant);
}
