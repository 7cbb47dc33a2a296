using System.Collections.Concurrent;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Npgsql;

namespace Ehr.Platform.Tenancy;

/// <summary>
/// The platform's list of tenants (schema <c>platform</c>). Lookups by slug are cached for a few seconds: resolution
/// runs on every request, and a suspension still takes effect within <see cref="CacheLifetime"/> everywhere and at
/// once on the host that made it.
/// </summary>
public sealed class TenantCatalog(NpgsqlDataSource dataSource, TimeProvider clock)
{
    internal static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (Tenant? Tenant, DateTimeOffset Expires)> _cache = new();

    internal const string Columns =
        "id, slug, display_name, status, starter_pack, schema_version, created_at, updated_at";

    public async Task<Tenant?> FindAsync(string slug, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(slug, out var hit) && hit.Expires > now)
        {
            return hit.Tenant;
        }

        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM platform.tenants WHERE slug = $1");
        cmd.Parameters.AddWithValue(slug);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var tenant = await reader.ReadAsync(ct) ? Read(reader) : null;
        // Only cache misses briefly too, so a tenant created elsewhere becomes reachable quickly.
        _cache[slug] = (tenant, now + CacheLifetime);
        return tenant;
    }

    /// <summary>A tenant by id, uncached (the authorization server's lookups: rare, and must see suspensions at once).</summary>
    public async Task<Tenant?> FindByIdAsync(Guid id, CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM platform.tenants WHERE id = $1");
        cmd.Parameters.AddWithValue(id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<Tenant> GetAsync(string slug, CancellationToken ct = default) =>
        await FindAsync(slug, ct) ?? throw new EhrException(ErrorCodes.TenantNotFound, $"No tenant '{slug}'.", 404);

    public async Task<IReadOnlyList<Tenant>> ListAsync(CancellationToken ct = default)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM platform.tenants ORDER BY slug");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<Tenant>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    /// <summary>
    /// Suspends or resumes a tenant on behalf of <paramref name="actors"/>: a platform admin, or the operator
    /// (<see cref="PlatformAdministration.Operator"/>); anyone else is refused before anything changes.
    /// </summary>
    public async Task<Tenant> SetStatusAsync(string slug, TenantStatus status, ActorContext actors, CancellationToken ct = default)
    {
        PlatformAdministration.Demand(actors);
        await using var cmd = dataSource.CreateCommand(
            $"UPDATE platform.tenants SET status = $2, updated_at = now() WHERE slug = $1 RETURNING {Columns}");
        cmd.Parameters.AddWithValue(slug);
        cmd.Parameters.AddWithValue(ToDb(status));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw new EhrException(ErrorCodes.TenantNotFound, $"No tenant '{slug}'.", 404);
        }

        var tenant = Read(reader);
        Forget(slug);
        return tenant;
    }

    internal void Forget(string slug) => _cache.TryRemove(slug, out _);

    internal static Tenant Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), FromDb(r.GetString(3)), r.GetString(4), r.GetInt32(5),
        r.GetFieldValue<DateTimeOffset>(6), r.GetFieldValue<DateTimeOffset>(7));

    internal static string ToDb(TenantStatus status) => status switch
    {
        TenantStatus.Active => "active",
        TenantStatus.Suspended => "suspended",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static TenantStatus FromDb(string status) => status switch
    {
        "active" => TenantStatus.Active,
        "suspended" => TenantStatus.Suspended,
        _ => throw new InvalidOperationException($"Unknown tenant status '{status}'."),
    };
}
