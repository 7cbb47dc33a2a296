using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ehr.Platform.Persistence;

/// <summary>
/// Every connection a <see cref="TenantDbContext"/> opens becomes the tenant's (<see cref="TenantSession"/>): one
/// round trip sets the role and the search_path (tenant schema, then the shared extensions schema; no public). Npgsql
/// discards both when the connection returns to the pool. Done on connection-opened, not by prefixing commands,
/// which would break batching.
/// </summary>
internal sealed class TenantConnectionInterceptor(ILogger<TenantConnectionInterceptor> log) : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) =>
        ConnectionOpenedAsync(connection, eventData).GetAwaiter().GetResult();

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is TenantDbContext context)
        {
            await TenantSession.EnterAsync((NpgsqlConnection)connection, context.Tenant, log, cancellationToken);
        }
    }
}
