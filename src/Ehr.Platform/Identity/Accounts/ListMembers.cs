using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>The people of the current tenant with their roles, locations and status, by e-mail.</summary>
public sealed class ListMembers(PlatformDbContext db, TenantContext tenant, ActorContext actors, TimeProvider clock)
{
    public async Task<IReadOnlyList<MemberView>> HandleAsync(bool includeDeactivated, CancellationToken ct)
    {
        actors.Demand(Permissions.UserRead);
        return await MemberQueries.Members(db, tenant.Required.Id, clock.GetUtcNow(), includeDeactivated).ToListAsync(ct);
    }
}
