using System.Security.Claims;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Web;

/// <summary>The defaults of a tenant's security policy, for sessions without a tenant (platform admins).</summary>
internal static class TenantSecurityPolicyDefaults
{
    public static int IdleTimeoutMinutes { get; } = TenantSecurityPolicy.Defaults(Guid.Empty).IdleTimeoutMinutes;
}

/// <summary>
/// The console cookie follows the tenant's idle time-out (security policy, read on every request so a change applies
/// at once): a session whose last request is older than that is signed out on the server, whatever the browser does.
/// Every request slides the window (re-issuing the cookie at most once a minute); the cookie's own expiry is the
/// same window, so an idle browser holds an expired ticket.
/// </summary>
internal static class IdleSessions
{
    private static readonly TimeSpan RenewEvery = TimeSpan.FromMinutes(1);

    public static async Task OnSigningInAsync(CookieSigningInContext context)
    {
        var idle = await IdleTimeoutAsync(context.HttpContext, context.Principal, context.HttpContext.RequestAborted);
        var issued = context.Properties.IssuedUtc ?? context.Options.TimeProvider!.GetUtcNow();
        context.Properties.IssuedUtc = issued;
        context.Properties.ExpiresUtc = issued + idle;
    }

    public static async Task OnValidatePrincipalAsync(CookieValidatePrincipalContext context)
    {
        var now = context.Options.TimeProvider!.GetUtcNow();
        var idle = await IdleTimeoutAsync(context.HttpContext, context.Principal, context.HttpContext.RequestAborted);
        if (context.Properties.IssuedUtc is not { } lastSeen || now - lastSeen > idle)
        {
            // Both sessions end: left alone, the authorization server's would sign the person straight back in.
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(ConsoleModule.CookieScheme);
            await SessionCookie.SignOutAsync(context.HttpContext);
            return;
        }

        // The window is always the current policy's, measured from this request.
        if (now - lastSeen >= RenewEvery || context.Properties.ExpiresUtc != lastSeen + idle)
        {
            context.Properties.ExpiresUtc = lastSeen + idle;
            context.ShouldRenew = true;
        }
    }

    private static async Task<TimeSpan> IdleTimeoutAsync(HttpContext http, ClaimsPrincipal? principal, CancellationToken ct)
    {
        var slug = principal?.FindFirst(EhrClaims.Tenant)?.Value;
        var tenant = slug is null ? null : await http.RequestServices.GetRequiredService<TenantCatalog>().FindAsync(slug, ct);
        var minutes = tenant is null
            ? TenantSecurityPolicyDefaults.IdleTimeoutMinutes
            : (await SecurityPolicies.ForTenantAsync(http.RequestServices.GetRequiredService<PlatformDbContext>(), tenant.Id, ct)).IdleTimeoutMinutes;
        return TimeSpan.FromMinutes(minutes);
    }
}
