using Ehr.Platform.Audit;
using Ehr.Platform.Database;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// Commits a change to platform rows (memberships, invitations, policies) and its entries in the tenant's audit chain
/// in one transaction: both commit or neither does.
/// </summary>
/// <remarks>
/// The platform rows belong to the application's login role and the audit entries to the tenant's role, which would
/// suggest two connections and two transactions. Instead the platform transaction writes its rows, then switches its
/// own connection to the tenant (<c>SET LOCAL ROLE</c> and <c>search_path</c>, exactly what a tenant session does, and
/// undone by PostgreSQL at the end of the transaction) and writes the audit entries there, then commits once. If the
/// platform change is refused (a stale version, a unique key) the entries are never written; if the audit write fails
/// the platform change rolls back. No window is left in which one exists without the other.
/// </remarks>
public sealed class TenantAuditOfPlatformChange(
    PlatformDbContext db,
    TenantContext tenants,
    ActorContext actors,
    AuditSealer sealer,
    TimeProvider clock)
{
    /// <summary>Saves <see cref="PlatformDbContext"/>'s changes with the entries, for the scope's tenant and actor.</summary>
    internal Task CommitAsync(IReadOnlyList<AuditEvent> entries, CancellationToken ct) =>
        CommitAsync(db, tenants.Required, actors.Current, entries, sealer, clock, ct);

    /// <summary>
    /// Saves <paramref name="platform"/>'s changes and writes <paramref name="entries"/> to <paramref name="tenant"/>'s
    /// audit chain as <paramref name="actor"/>, in the platform context's current transaction (one is started when none
    /// is open), and commits it.
    /// </summary>
    internal static async Task CommitAsync(PlatformDbContext platform, Tenant tenant, Actor actor, IReadOnlyList<AuditEvent> entries,
        AuditSealer sealer, TimeProvider clock, CancellationToken ct)
    {
        var owned = platform.Database.CurrentTransaction is null;
        var tx = platform.Database.CurrentTransaction ?? await BeginOnABackendThatSeesTheRoleAsync(platform, tenant, ct);
        try
        {
            await platform.SaveChangesAsync(ct);
            var connection = (NpgsqlConnection)platform.Database.GetDbConnection();
            var npgsqlTx = (NpgsqlTransaction)tx.GetDbTransaction();
            var schema = SqlIdentifier.Quote(tenant.SchemaName);
            try
            {
                await using var enter = new NpgsqlCommand($"SET LOCAL ROLE {schema}; SET LOCAL search_path = {schema}, ext", connection, npgsqlTx);
                await enter.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // A pooled backend idle while the tenant's role was granted can keep refusing it (see TenantSession);
                // nothing is committed, so drop the pool and let the caller try again on a fresh backend.
                NpgsqlConnection.ClearPool(connection);
                throw new EhrException(ErrorCodes.Conflict, "The change could not be recorded just now; try again.", 409);
            }

            await AuditTrail.WriteAsync(connection, npgsqlTx, tenant.Slug, actor, AuditChain.ToStoredPrecision(clock.GetUtcNow()), entries, ct);
            await tx.CommitAsync(ct);
        }
        finally
        {
            if (owned)
            {
                await tx.DisposeAsync();
            }
        }

        sealer.Notify(tenant);
    }

    /// <summary>
    /// Begins the transaction on a backend that knows the login role is a member of the tenant's role, asked before
    /// anything is written (<c>pg_has_role</c> answers from the same membership the later <c>SET LOCAL ROLE</c> checks,
    /// without aborting the transaction): a pooled backend that was idle while the tenant's role was granted can keep
    /// refusing it (see TenantSession). Such a backend is given back, the pool emptied, and a fresh one tried, up to three
    /// times; after that the change goes ahead and a refusal is reported as before.
    /// </summary>
    private static async Task<IDbContextTransaction> BeginOnABackendThatSeesTheRoleAsync(PlatformDbContext platform, Tenant tenant, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var tx = await platform.Database.BeginTransactionAsync(ct);
            var connection = (NpgsqlConnection)platform.Database.GetDbConnection();
            await using (var probe = new NpgsqlCommand("SELECT pg_has_role($1, 'MEMBER')", connection, (NpgsqlTransaction)tx.GetDbTransaction()))
            {
                probe.Parameters.AddWithValue(tenant.SchemaName);
                if (attempt >= 3 || await probe.ExecuteScalarAsync(ct) is true)
                {
                    return tx;
                }
            }

            await tx.DisposeAsync();
            await platform.Database.CloseConnectionAsync();
            NpgsqlConnection.ClearPool(connection);
        }
    }
}
