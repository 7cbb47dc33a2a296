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
/// more round trips per request for the revocation part, so it is off and done here.)
/// </summary>
public sealed class AccessCheck(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>
    /// The actor a token (or console session) describes, with the roles, locations, patient links and scopes the
    /// catalog gives it now; a null actor when the person, membership or client is no longer active.
    /// </summary>
    public async Task<ResolvedAccess> ResolveAsync(Actor fromToken, Tenancy.Tenant? tenant, CancellationToken ct)
    {
        if (fromToken.Kind == ActorKind.ApiClient)
        {
            var client = await ForClientAsync(fromToken.Id, fromToken.TokenId, ct);
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

        var user = await ForUserAsync(userId, tenant?.Id, fromToken.TokenId, fromToken.AuthorizationId, ct);
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

    public async Task<UserAccess?> ForUserAsync(Guid userId, Guid? tenantId, string? tokenId, string? authorizationId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT u.status = 'active', u.is_platform_admin, m.status = 'active', m.roles, m.location_ids, " +
            // Portal links (own record, proxies): an expired one stops counting by itself, with no job to end it.
            "m.patient_ids || ARRAY(SELECT l.patient_id FROM platform.portal_links l WHERE l.user_id = $1 AND l.tenant_id = $2 " +
            "AND l.revoked_at IS NULL AND (l.expires_at IS NULL OR l.expires_at > $5)), " +
            "($3::text IS NULL OR (SELECT t.status = 'valid' FROM platform.oidc_tokens t WHERE t.id = $3) IS TRUE) AND " +
            "($4::text IS NULL OR (SELECT a.status = 'valid' FROM platform.oidc_authorizations a WHERE a.id = $4) IS TRUE) " +
            "FROM platform.users u LEFT JOIN platform.memberships m ON m.user_id = u.id AND m.tenant_id = $2 WHERE u.id = $1");
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(tenantId.HasValue ? tenantId.Value : DBNull.Value);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)tokenId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)authorizationId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
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

    public async Task<ClientAccess?> ForClientAsync(string clientId, string? tokenId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT tenant_id, status = 'active', scopes, rate_limit_per_minute, " +
            "$2::text IS NULL OR (SELECT t.status = 'valid' FROM platform.oidc_tokens t WHERE t.id = $2) IS TRUE " +
            "FROM platform.api_clients WHERE client_id = $1");
        cmd.Parameters.AddWithValue(clientId);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)tokenId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ClientAccess(reader.GetGuid(0), reader.GetBoolean(1), reader.GetFieldValue<string[]>(2), reader.GetInt32(3), reader.GetBoolean(4))
            : null;
    }
}
