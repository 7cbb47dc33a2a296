using Npgsql;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>What a person may do in a tenant right now, as the platform catalog says.</summary>
public sealed record UserAccess(bool UserActive, bool IsPlatformAdmin, bool MemberActive, IReadOnlyList<string> Roles,
    IReadOnlyList<Guid> Locations, IReadOnlyList<Guid> Patients);

/// <summary>The actor as the catalog allows it now (null: refused), and an API client's rate limit.</summary>
public sealed record ResolvedAccess(Actor? Actor, int? RateLimitPerMinute = null);

/// <summary>What an API client may do right now.</summary>
public sealed record ClientAccess(Guid TenantId, bool Active, IReadOnlyList<string> Scopes, int RateLimitPerMinute);

/// <summary>
/// Reads, on every request that carries one of our tokens, whether its person (or client) is still allowed in and
/// with which roles: one indexed query. This is why a deactivation or a role change takes effect on the caller's next
/// request instead of when the token expires.
/// </summary>
public sealed class AccessCheck(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// The actor a token (or console session) describes, with the roles, locations, patient links and scopes the
    /// catalog gives it now; a null actor when the person, membership or client is no longer active.
    /// </summary>
    public async Task<ResolvedAccess> ResolveAsync(Actor fromToken, Tenancy.Tenant? tenant, CancellationToken ct)
    {
        if (fromToken.Kind == ActorKind.ApiClient)
        {
            var client = await ForClientAsync(fromToken.Id, ct);
            if (client is null || !client.Active || tenant is null || client.TenantId != tenant.Id)
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

        var user = await ForUserAsync(userId, tenant?.Id, ct);
        if (user is null || !user.UserActive)
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

    public async Task<UserAccess?> ForUserAsync(Guid userId, Guid? tenantId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT u.status = 'active', u.is_platform_admin, m.status = 'active', m.roles, m.location_ids, m.patient_ids " +
            "FROM platform.users u LEFT JOIN platform.memberships m ON m.user_id = u.id AND m.tenant_id = $2 WHERE u.id = $1");
        cmd.Parameters.AddWithValue(userId);
        cmd.Parameters.AddWithValue(tenantId.HasValue ? tenantId.Value : DBNull.Value);
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
            member ? reader.GetFieldValue<Guid[]>(5) : []);
    }

    public async Task<ClientAccess?> ForClientAsync(string clientId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT tenant_id, status = 'active', scopes, rate_limit_per_minute FROM platform.api_clients WHERE client_id = $1");
        cmd.Parameters.AddWithValue(clientId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ClientAccess(reader.GetGuid(0), reader.GetBoolean(1), reader.GetFieldValue<string[]>(2), reader.GetInt32(3))
            : null;
    }
}
