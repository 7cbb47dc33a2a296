using Ehr.Platform.Database;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ehr.Platform.Persistence;

/// <summary>
/// Turns an open connection into a tenant session: role and search_path in one round trip.
/// </summary>
public static class TenantSession
{
    /// <summary>
    /// Sets the tenant's role and search_path. Measured here (PostgreSQL 15): a pooled backend that was idle while a
    /// new tenant's role was granted can keep refusing <c>SET ROLE</c> to that role for the rest of its life, retries
    /// included. Such a backend is dropped (with the pool's idle connections, which may be just as stale) and the
    /// session is set up on a fresh one.
    /// </summary>
    // set_config with parameters rather than SET with the tenant's name in the text: one statement for every tenant,
    // so it is prepared once per backend (Npgsql keeps prepared statements across pool reuse, and its reset then uses
    // RESET ALL, which clears role and search_path) instead of parsed on every request. set_config('role') checks
    // membership exactly as SET ROLE does.
    private const string EnterSql = "SELECT set_config('role', $1, false), set_config('search_path', $2, false)";

    private static NpgsqlCommand EnterCommand(Tenant tenant)
    {
        var cmd = new NpgsqlCommand(EnterSql);
        cmd.Parameters.AddWithValue(tenant.SchemaName);
        cmd.Parameters.AddWithValue($"{SqlIdentifier.Quote(tenant.SchemaName)}, ext");
        return cmd;
    }

    public static async Task EnterAsync(NpgsqlConnection connection, Tenant tenant, ILogger? log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var cmd = EnterCommand(tenant);
                cmd.Connection = connection;
                await cmd.PrepareAsync(ct);
                await cmd.ExecuteNonQueryAsync(ct);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 3)
            {
                log?.LogWarning("Backend {Pid} refused SET ROLE {Role} (stale role membership); reconnecting",
                    connection.ProcessID, tenant.SchemaName);
                // Close first so this backend goes back to the pool, then empty the pool: the reopen gets a new one.
                await connection.CloseAsync();
                NpgsqlConnection.ClearPool(connection);
                await connection.OpenAsync(ct);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="first"/> (as the login role: it may read the platform schema) and then sets the tenant's
    /// role and search_path, all in one round trip; returns what <paramref name="read"/> made of the first command's
    /// rows. A backend that refuses the role is replaced as in <see cref="EnterAsync"/>, and the whole is run again
    /// (<paramref name="first"/> must be a read).
    /// </summary>
    public static async Task<T> EnterAfterAsync<T>(NpgsqlConnection connection, Tenant tenant, Func<NpgsqlBatchCommand> first,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> read, ILogger? log, CancellationToken ct)
    {
        var schema = SqlIdentifier.Quote(tenant.SchemaName);
        try
        {
            var enter = new NpgsqlBatchCommand(EnterSql);
            enter.Parameters.AddWithValue(tenant.SchemaName);
            enter.Parameters.AddWithValue($"{schema}, ext");
            await using var batch = new NpgsqlBatch(connection) { BatchCommands = { first(), enter } };
            await batch.PrepareAsync(ct);
            await using var reader = await batch.ExecuteReaderAsync(ct);
            var result = await read(reader, ct);
            while (await reader.NextResultAsync(ct))
            {
            }

            return result;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            log?.LogWarning("Backend {Pid} refused SET ROLE {Role} (stale role membership); reconnecting", connection.ProcessID, tenant.SchemaName);
            await connection.CloseAsync();
            NpgsqlConnection.ClearPool(connection);
            await connection.OpenAsync(ct);
            T result;
            await using (var batch = new NpgsqlBatch(connection) { BatchCommands = { first() } })
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                result = await read(reader, ct);
            }

            await EnterAsync(connection, tenant, log, ct);
            return result;
        }
    }
}
