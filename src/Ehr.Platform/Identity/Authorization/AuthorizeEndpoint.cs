using System.Globalization;
using System.Security.Claims;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// <c>/connect/authorize</c> (authorization code with PKCE; OpenIddict has already checked the client, its exact
/// redirect URI and the PKCE challenge). Sends the browser to sign in when there is no session, to pick a tenant
/// when the person belongs to several and none was asked for (<c>tenant</c> parameter or the tenant's host name),
/// and to the MFA challenge (or enrolment) when the tenant's policy requires it for their roles or they enrolled.
/// </summary>
internal static class AuthorizeEndpoint
{
    public const string TenantParameter = "tenant";

    public static async Task<IResult> HandleAsync(HttpContext http, PlatformDbContext db, TenantCatalog catalog,
        TenantContext hostTenant, TimeProvider clock)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var ct = http.RequestAborted;
        var session = await http.AuthenticateAsync(AuthorizationServerModule.SessionScheme);
        var user = session.Succeeded ? await SessionCookie.UserAsync(db, session.Principal!, ct) : null;
        if (user is null || request.HasPromptValue(PromptValues.Login) && !JustSignedIn(session.Principal!, clock))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(OpenIddictConstants.Errors.LoginRequired, "Sign-in is required.");
            }

            if (session.Succeeded)
            {
                await http.SignOutAsync(AuthorizationServerModule.SessionScheme);
            }

            return Results.Redirect("/account/login?returnUrl=" + Uri.EscapeDataString(ReturnUrl(request)));
        }

        var memberships = await (
            from m in db.Memberships.AsNoTracking()
            where m.UserId == user.Id && m.Status == MembershipStatus.Active
            select m).ToListAsync(ct);
        var slug = (string?)request.GetParameter(TenantParameter) ?? hostTenant.Tenant?.Slug;
        if (slug is not null && !TenantSlug.IsValid(slug))
        {
            // Checked before any lookup: the catalog remembers misses, so arbitrary strings must not reach it.
            return Refuse(OpenIddictConstants.Errors.InvalidRequest, "The 'tenant' parameter is not a tenant slug.");
        }
        Tenant? tenant = null;
        Membership? membership = null;
        if (slug is null && memberships.Count > 1)
        {
            return Results.Redirect("/account/tenants?returnUrl=" + Uri.EscapeDataString(ReturnUrl(request)));
        }

        if (slug is not null || memberships.Count == 1)
        {
            tenant = slug is not null ? await catalog.FindAsync(slug, ct) : await catalog.FindByIdAsync(memberships[0].TenantId, ct);
            membership = tenant is null ? null : memberships.SingleOrDefault(m => m.TenantId == tenant.Id);
            if (tenant is null || membership is null)
            {
                return Refuse(OpenIddictConstants.Errors.AccessDenied, $"You are not a member of tenant '{slug}'.");
            }

            if (tenant.Status != TenantStatus.Active)
            {
                return Refuse(OpenIddictConstants.Errors.AccessDenied, $"Tenant '{tenant.Slug}' is suspended.");
            }
        }
        else if (!user.IsPlatformAdmin)
        {
            return Refuse(OpenIddictConstants.Errors.AccessDenied, "This account is not a member of any tenant yet.");
        }

        var policy = tenant is null ? null : await SecurityPolicies.ForTenantAsync(db, tenant.Id, ct);
        var amr = session.Principal!.GetClaims(SessionClaims.Amr);
        var mfaNeeded = user.TotpEnabled || user.IsPlatformAdmin && tenant is null ||
                        policy is not null && membership!.Roles.Intersect(policy.MfaRequiredRoles).Any();
        if (mfaNeeded && !amr.Contains("mfa"))
        {
            var page = user.TotpEnabled ? "/account/mfa" : "/account/mfa/setup";
            return Results.Redirect(page + "?returnUrl=" + Uri.EscapeDataString(ReturnUrl(request)));
        }

        var authTime = SessionClaims.AuthTimeOf(session.Principal!) ?? clock.GetUtcNow();
        var principal = SessionClaims.ForUser(user, membership, tenant, request.GetScopes(), policy, authTime, amr);
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary><c>prompt=login</c> after the person has just signed in again must not loop.</summary>
    private static bool JustSignedIn(ClaimsPrincipal session, TimeProvider clock) =>
        SessionClaims.AuthTimeOf(session) is { } at && clock.GetUtcNow() - at < TimeSpan.FromMinutes(1);

    /// <summary>Back to this endpoint with the same parameters (as a GET, whatever the original method), minus <c>prompt</c>.</summary>
    private static string ReturnUrl(OpenIddictRequest request) =>
        "/connect/authorize" + QueryString.Create(request.GetParameters()
            .Where(p => p.Key != Parameters.Prompt)
            .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value)));

    private static IResult Refuse(string error, string description) => TokenEndpoint.Refuse(error, description);
}
