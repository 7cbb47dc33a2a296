using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Platform.Identity.Portal;

/// <summary>Patient portal access: invitations of patients, proxy grants, their listing, a portal user's own records.</summary>
public static class PortalModule
{
    public static IServiceCollection AddEhrPortalAccess(this IServiceCollection services)
    {
        services.AddScoped<InvitePatientToPortal>();
        services.AddScoped<GrantProxyAccess>();
        services.AddScoped<RevokeProxyAccess>();
        services.AddScoped<ListPortalAccess>();
        services.AddScoped<ListMyPortalRecords>();
        return services;
    }
}
