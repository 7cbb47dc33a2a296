using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Locations;

/// <summary>The tenant's locations, as other modules see them.</summary>
public sealed class LocationDirectory(TenantDbContext db, ActorContext actors)
{
    public async Task<IReadOnlyList<Location>> ListAsync(CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        return await db.Set<Location>().AsNoTracking().OrderBy(l => l.Code).ToListAsync(ct);
    }

    /// <summary>Which of <paramref name="ids"/> name an existing, active location (a validation aid for other modules).</summary>
    public async Task<IReadOnlySet<Guid>> ActiveAmongAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return new HashSet<Guid>();
        }

        var found = await db.Set<Location>().Where(l => ids.Contains(l.Id) && l.Active).Select(l => l.Id).ToListAsync(ct);
        return found.ToHashSet();
    }
}
