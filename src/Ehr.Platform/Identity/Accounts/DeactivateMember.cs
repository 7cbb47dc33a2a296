using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// Takes a member's access to this tenant away (their account and other tenants are untouched); the membership is
/// kept, so reactivating restores it as it was. The last active tenant admin cannot be deactivated.
/// </summary>
public sealed class DeactivateMember(PlatformDbContext db, TenantContext tenants, ActorContext actors,
    TenantAuditOfPlatformChange audit, TimeProvider clock)
{
    public async Task<MemberView> HandleAsync(Guid membershipId, CancellationToken ct)
    {
        actors.Demand(Permissions.UserManage);
        return await MemberChanges.SetStatusAsync(db, tenants.Required.Id, membershipId, MembershipStatus.Deactivated, audit,
            clock.GetUtcNow(), ct);
    }
}
