using Ehr.Platform.Identity;

namespace Ehr.Platform.Tenancy;

/// <summary>The tenant this request is for, to whoever may see its locations.</summary>
public sealed class GetCurrentTenant(TenantContext tenantContext, ActorContext actors)
{
    public Tenant Handle()
    {
        actors.Demand(Permissions.LocationRead);
        return tenantContext.Required;
    }
}
