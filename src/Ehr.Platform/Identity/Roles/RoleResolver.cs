using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Roles;

/// <summary>
/// Turns an actor's role keys into permissions. Built-in keys map to their fixed sets; any other key is looked up
/// in the tenant's role definitions on every request (no cache, so a change applies to the very next request):
/// for an actor restricted to locations, each of those locations contributes its override of the key, else the
/// tenant standard; for an unrestricted actor, the tenant standard. An unknown key grants nothing.
/// </summary>
public sealed class RoleResolver(TenantDbContext db)
{
    public async Task<IReadOnlySet<string>> PermissionsForAsync(Actor actor, CancellationToken ct)
    {
        var granted = new HashSet<string>(actor.Roles.SelectMany(Permissions.ForBuiltInRole), StringComparer.Ordinal);
        var custom = actor.Roles.Where(r => !Permissions.IsKnownRole(r)).Distinct().ToList();
        if (custom.Count == 0)
        {
            return granted;
        }

        var locations = actor.Locations.ToArray();
        var definitions = await db.Set<CustomRole>().AsNoTracking()
            .Where(r => custom.Contains(r.Key) && (r.LocationId == null || locations.Contains(r.LocationId.Value)))
            .Select(r => new { r.Key, r.LocationId, r.Permissions })
            .ToListAsync(ct);
        foreach (var key in custom)
        {
            var standard = definitions.FirstOrDefault(d => d.Key == key && d.LocationId == null)?.Permissions ?? [];
            if (locations.Length == 0)
            {
                granted.UnionWith(standard);
                continue;
            }

            foreach (var location in locations)
            {
                granted.UnionWith(definitions.FirstOrDefault(d => d.Key == key && d.LocationId == location)?.Permissions ?? standard);
            }
        }

        // Only tenant permissions can come from a tenant's definitions, whatever a row holds.
        granted.IntersectWith(Permissions.TenantCatalog.Keys);
        return granted;
    }
}
