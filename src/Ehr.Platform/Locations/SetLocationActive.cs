using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;

namespace Ehr.Platform.Locations;

/// <summary>
/// Deactivates or reactivates a location (never deletes it: records, role overrides and memberships keep pointing at
/// it). A deactivated location can no longer be assigned to members or role overrides. Versioned and audited.
/// </summary>
public sealed class SetLocationActive(TenantDbContext db, ActorContext actors, AuditTrail audit, TimeProvider clock)
{
    public async Task<Location> HandleAsync(Guid id, int expectedVersion, bool active, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationWrite);
        return await LocationChanges.ApplyAsync(db, id, expectedVersion, location =>
        {
            location.SetActive(expectedVersion, active, clock.GetUtcNow());
            return new AuditEvent(active ? "location.reactivate" : "location.deactivate", "Location", location.Id.ToString(),
                new { location.Code, version = location.Version });
        }, audit, ct);
    }
}
