using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Roles;

/// <summary>The built-in roles, then the tenant's custom roles by key (tenant-wide first, then location overrides).</summary>
public sealed class ListRoles(TenantDbContext db, ActorContext actors)
{
    public async Task<IReadOnlyList<RoleDefinition>> HandleAsync(CancellationToken ct)
    {
        actors.Demand(Permissions.RoleManage);
        var custom = await db.Set<CustomRole>().AsNoTracking().ToListAsync(ct);
        return Permissions.BuiltInTenantRoles
            .Select(k => new RoleDefinition(null, k, null, k, null, Permissions.ForBuiltInRole(k), 1, true))
            .Concat(custom.OrderBy(r => r.Key, StringComparer.Ordinal).ThenBy(r => r.LocationId.HasValue).ThenBy(r => r.LocationId)
                .Select(RoleDefinition.From))
            .ToList();
    }
}
