using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>Gives a deactivated member their access to this tenant back, with the roles and locations they had.</summary>
public sealed class ReactivateMember(PlatformDbContext db, TenantContext tenants, ActorContext actors,
    TenantAuditOfPlatformChange audit, TimeProvider clock)
{
    public async Task<MemberView> HandleAsync(Guid membershipId, CancellationToken ct)
    {
        actors.Demand(Permissions.UserManage);
        return await MemberChanges.SetStatusAsync(db, tenants.Required.Id, membershipId, MembershipStatus.Active, audit,
            clock.GetUtcNow(), ct);
    }
}
