using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>What a person may do in a tenant right now, as the platform catalog says.</summary>
public sealed record UserAccess(bool UserActive, bool IsPlatformAdmin, bool MemberActive, IReadOnlyList<string> Roles,
    IReadOnlyList<Guid> Locations, IReadOnlyList<Guid> Patients, bool TokenValid = true);

/// <summary>The actor as the catalog allows it now (null: refused), and an API client's rate limit.</summary>
public sealed record ResolvedAccess(Actor? Actor, int? RateLimitPerMinute = null);

/// <summary>What an API client may do right now.</summary>
public sealed record ClientAccess(Guid TenantId, bool Active, IReadOnlyList<string> Scopes, int RateLimitPerMinute, bool TokenValid = true);

/// <summary>
/// Reads, on every request that carries one of our tokens, whether its person (or client) is still allowed in and
/// with which roles, and whether the token or its authorization was revoked (revocation endpoint, refresh-token reuse):
/// one round trip of primary-key lookups (and the person's unrevoked, unexpired portal links in the tenant, from a
/// partial index). This is why a deactivation, a role change or a revocation takes effect on
/// the caller's next request instead of when the token expires. (OpenIddict's own entry validation would cost two
/// more round trips per request for the revocation part, so it is off and done here.) The statements are prepared:
/// Npgsql keeps them on each pooled connection, so PostgreSQL plans them once per backend, not once per request.
/// </summary>
public sealed class AccessCheck(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string UserSql =
        "SELECT u.status = 'active', u.is_platform_admin, m.status = 'active', m.roles, m.location_ids, " +
        // Portal links (own record, proxies): an expired one stops counting by itself, with no job to end it.
        "m.patient_ids || ARRAY(SELECT l.patient_id FROM platform.portal_links l WHERE l.user_id = $1 AND l.tenant_id = $2 " +
        "AND l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > $5)), " +
        "($3::text IS NULL OR (SELECT t.status = 'valid' FROM platform.oidc_tokens t WHERE t.id = $3) IS TRUE) AND " +
        "($4::text IS NULL OR (SELECT a.status = 'valid' FROM platform.oidc_authorizations a WHERE a.id = $4) IS TRUE) " +
        "FROM platform.users u LEFT JOIN platform.memberships m ON m.user_id = u.id AND m.tenant_id = $2 WHERE u.id = $1";

    private const string ClientSql =
        "SELECT tenant_id, status = 'active', scopes, rate_limit_per_minute, " +
        "$2::text IS NULL OR (SELECT t.status = 'valid' FROM platform.oidc_tokens t WHERE t.id = $2) IS TRUE " +
        "FROM platform.api_clients WHERE client_id = $1";

    /// <summary>
    /// The actor a token (or console session) describes, with the roles, locations, patient links and scopes the
    /// catalog gives it now; a null actor when the person, membership or client is no longer active.
    /// </summary>
    public Task<ResolvedAccess> ResolveAsync(Actor fromToken, Tenancy.Tenant? tenant, CancellationToken ct) =>
        ResolveWithAsync(fromToken, tenant,
            (clientId, tokenId) => ForClientAsync(clientId, tokenId, ct),
            (userId, tenantId, tokenId, authorizationId) => ForUserAsync(userId, tenantId, tokenId, authorizationId, ct));

    /// <summary>
    /// The same check, on the connection of the request's <paramref name="db"/>: opens it and, in the same round trip,
    /// enters the tenant's session (role, search_path) on it. The request's use cases then run on that connection, so
    /// checking access costs no round trip of its own. The connection stays open until the request's scope ends.
    /// </summary>
    public Task<ResolvedAccess> ResolveOpeningTenantSessionAsync(Actor fromToken, Tenancy.Tenant tenant, TenantDbContext db,
        ILogger? log, CancellationToken ct)
    {
        async Task<T> OnTenantConnectionAsync<T>(Func<NpgsqlBatchCommand> command, Func<NpgsqlDataReader, CancellationToken, Task<T>> read)
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            if (connection.State != System.Data.ConnectionState.Open)
            {
                await connection.OpenAsync(ct);
            }

            return await TenantSession.EnterAfterAsync(connection, tenant, command, read, log, ct);
        }

        return ResolveWithAsync(fromToken, tenant,
            (clientId, tokenId) => OnTenantConnectionAsync(() => ClientCommand(new NpgsqlBatchCommand(ClientSql), clientId, tokenId), ReadClientAsync),
            (userId, tenantId, tokenId, authorizationId) => OnTenantConnectionAsync(
                () => UserCommand(new NpgsqlBatchCommand(UserSql), userId, tenantId, tokenId, authorizationId, clock.GetUtcNow()), ReadUserAsync));
    }

    public async Task<UserAccess?> ForUserAsync(Guid userId, Guid? tenantId, string? tokenId, string? authorizationId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = UserCommand(new NpgsqlCommand(UserSql, connection), userId, tenantId, tokenId, authorizationId, clock.GetUtcNow());
        await cmd.PrepareAsync(ct);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await ReadUserAsync(reader, ct);
    }

    public async Task<ClientAccess?> ForClientAsync(string clientId, string? tokenId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = ClientCommand(new NpgsqlCommand(ClientSql, connection), clientId, tokenId);
        await cmd.PrepareAsync(ct);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await ReadClientAsync(reader, ct);
    }

    private static async Task<ResolvedAccess> ResolveWithAsync(Actor fromToken, Tenancy.Tenant? tenant,
        Func<string, string?, Task<ClientAccess?>> clientLookup, Func<Guid, Guid?, string?, string?, Task<UserAccess?>> userLookup)
    {
        if (fromToken.Kind == ActorKind.ApiClient)
        {
            var client = await clientLookup(fromToken.Id, fromToken.TokenId);
            if (client is null || !client.Active || !client.TokenValid || tenant is null || client.TenantId != tenant.Id)
            {
                return new ResolvedAccess(null);
            }

            // The client's scopes as they are now: narrowing a client applies to tokens it already holds.
            return new ResolvedAccess(fromToken with
            {
                Roles = [Permissions.ApiClientRole],
                Scopes = (fromToken.Scopes ?? []).Intersect(client.Scopes, StringComparer.Ordinal).ToArray(),
            }, client.RateLimitPerMinute);
        }

        if (!Guid.TryParse(fromToken.Id, out var userId))
        {
            return new ResolvedAccess(null);
        }

        var user = await userLookup(userId, tenant?.Id, fromToken.TokenId, fromToken.AuthorizationId);
        if (user is null || !user.UserActive || !user.TokenValid)
        {
            return new ResolvedAccess(null);
        }

        if (fromToken.TenantSlug is null)
        {
            // A platform session: only the platform role, and only for platform admins.
            return new ResolvedAccess(fromToken with { Roles = user.IsPlatformAdmin ? [Permissions.PlatformAdminRole] : [] });
        }

        return user.MemberActive
            ? new ResolvedAccess(fromToken with { Roles = user.Roles, Locations = user.Locations, PatientIds = user.Patients })
            : new ResolvedAccess(null);
    }

    private static T UserCommand<T>(T command, Guid userId, Guid? tenantId, string? tokenId, string? authorizationId, DateTimeOffset now) where T : class
    {
        var parameters = command switch
        {
            NpgsqlCommand c => c.Parameters,
            NpgsqlBatchCommand b => b.Parameters,
            _ => throw new ArgumentException("Not an Npgsql command.", nameof(command)),
        };
        parameters.Add(new NpgsqlParameter { Value = userId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        parameters.Add(new NpgsqlParameter { Value = tenantId.HasValue ? tenantId.Value : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        parameters.Add(new NpgsqlParameter { Value = (object?)tokenId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = (object?)authorizationId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        return command;
    }

    private static T ClientCommand<T>(T command, string clientId, string? tokenId) where T : class
    {
        var parameters = command switch
        {
            NpgsqlCommand c => c.Parameters,
            NpgsqlBatchCommand b => b.Parameters,
            _ => throw new ArgumentException("Not an Npgsql command.", nameof(command)),
        };
        parameters.Add(new NpgsqlParameter { Value = clientId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = (object?)tokenId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        return command;
    }

    private static async Task<UserAccess?> ReadUserAsync(NpgsqlDataReader reader, CancellationToken ct)
    {
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        var member = !reader.IsDBNull(2);
        return new UserAccess(
            reader.GetBoolean(0),
            reader.GetBoolean(1),
            member && reader.GetBoolean(2),
            member ? reader.GetFieldValue<string[]>(3) : [],
            member ? reader.GetFieldValue<Guid[]>(4) : [],
            member ? reader.GetFieldValue<Guid[]>(5).Distinct().ToArray() : [],
            reader.GetBoolean(6));
    }

    private static async Task<ClientAccess?> ReadClientAsync(NpgsqlDataReader reader, CancellationToken ct) =>
        await reader.ReadAsync(ct)
            ? new ClientAccess(reader.GetGuid(0), reader.GetBoolean(1), reader.GetFieldValue<string[]>(2), reader.GetInt32(3), reader.GetBoolean(4))
            : null;
}
