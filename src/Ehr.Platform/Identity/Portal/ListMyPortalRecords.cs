using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Portal;

/// <summary>
/// The records a portal user may see in this request (<see cref="Actor.PatientIds"/>, which the access check loaded
/// from the catalog) with how they stand to each patient: their own first, then those they are proxy for. Staff get
/// an empty list (the portal is not theirs).
/// </summary>
public sealed class ListMyPortalRecords(PlatformDbContext db, TenantContext tenants, ActorContext actors, TimeProvider clock)
{
    public async Task<IReadOnlyList<MyPortalRecord>> HandleAsync(CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        if (!actor.IsPatientScoped || actor.PatientIds.Count == 0)
        {
            return [];
        }

        var now = clock.GetUtcNow();
        var tenantId = tenants.Required.Id;
        var links = Guid.TryParse(actor.Id, out var userId)
            ? await db.PortalLinks.AsNoTracking()
                .Where(l => l.TenantId == tenantId && l.UserId == userId && l.RevokedAt == null && (l.ExpiresAt == null || l.ExpiresAt > now))
                .ToListAsync(ct)
            : [];
        return actor.PatientIds
            .Select(id => links.Where(l => l.PatientId == id).OrderBy(l => l.Relationship == PortalRelationships.Self ? 0 : 1).FirstOrDefault() is { } link
                ? new MyPortalRecord(id, link.Relationship, link.ExpiresAt)
                : new MyPortalRecord(id, null, null))
            .OrderBy(r => r.Relationship == PortalRelationships.Self ? 0 : 1)
            .ToList();
    }
}
