using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>The current tenant's security policy (the platform defaults, version 0, until someone changes it).</summary>
public sealed class GetSecurityPolicy(PlatformDbContext db, TenantContext tenants, ActorContext actors)
{
    public async Task<TenantSecurityPolicy> HandleAsync(CancellationToken ct)
    {
        actors.Demand(Permissions.SecurityManage);
        return await SecurityPolicies.ForTenantAsync(db, tenants.Required.Id, ct);
    }
}

/// <summary>A tenant's security policy as enforced: its row, or the safe defaults.</summary>
public static class SecurityPolicies
{
    /// <summary>Unchecked: for the authorization server and other platform code that enforces the policy.</summary>
    public static async Task<TenantSecurityPolicy> ForTenantAsync(PlatformDbContext db, Guid tenantId, CancellationToken ct) =>
        await db.SecurityPolicies.AsNoTracking().SingleOrDefaultAsync(p => p.TenantId == tenantId, ct)
        ?? TenantSecurityPolicy.Defaults(tenantId);
}
