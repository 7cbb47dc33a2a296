using System.Data.Common;
using Ehr.Platform.Database;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Ehr.Platform.Persistence;

/// <summary>
/// Every connection a <see cref="TenantDbContext"/> opens becomes the tenant's: one round trip sets the role and the
/// search_path (tenant schema, then the shared extensions schema; no public). Npgsql discards both when the
/// connection returns to the pool. Done on connection-opened, not by prefixing commands, which would break batching.
/// </summary>
internal sealed class TenantConnectionInterceptor : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var cmd = Command(connection, eventData);
        cmd?.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        await using var cmd = Command(connection, eventData);
        if (cmd is not null)
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static DbCommand? Command(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (eventData.Context is not TenantDbContext context)
        {
            return null;
        }

        var schema = SqlIdentifier.Quote(context.Tenant.SchemaName);
        var cmd = connection.CreateCommand();
        cmd.CommandText = $"SET ROLE {schema}; SET search_path = {schema}, ext";
        return cmd;
    }
}
