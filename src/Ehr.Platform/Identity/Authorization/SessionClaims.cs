using System.Globalization;
using System.Security.Claims;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Identity.ApiClients;
using Ehr.Platform.Tenancy;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// The claims our tokens carry, built from the catalog at every issuance (sign-in, code exchange, refresh) so a
/// refreshed token reflects the current roles. Access tokens carry the tenant, the user, the membership's roles,
/// locations and patient links and the granted scopes; identity tokens add the name and e-mail; nothing carries
/// health information.
/// </summary>
internal static class SessionClaims
{
    public const string AuthTime = "auth_time";
    public const string Amr = "amr";

    /// <summary>When the person signed in (the <c>auth_time</c> claim of a session or a grant), if it says.</summary>
    public static DateTimeOffset? AuthTimeOf(ClaimsPrincipal principal) =>
        long.TryParse(principal.GetClaim(AuthTime), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    public static ClaimsPrincipal ForUser(UserAccount user, Membership? membership, Tenant? tenant, IEnumerable<string> scopes,
        TenantSecurityPolicy? policy, DateTimeOffset authTime, IEnumerable<string> amr)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, user.Id.ToString())
            .SetClaim(Claims.Name, user.DisplayName)
            .SetClaim(Claims.Email, user.Email);
        // OpenIddict insists on auth_time being typed as an integer.
        identity.AddClaim(new Claim(AuthTime, authTime.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64));
        identity.SetClaims(Amr, [.. amr]);
        if (tenant is not null && membership is not null)
        {
            identity.SetClaim(EhrClaims.Tenant, tenant.Slug);
            identity.SetClaims(Claims.Role, [.. membership.Roles]);
            identity.SetClaims(EhrClaims.Location, [.. membership.LocationIds.Select(l => l.ToString())]);
            identity.SetClaims(EhrClaims.Patient, [.. membership.PatientIds.Select(p => p.ToString())]);
        }
        else if (user.IsPlatformAdmin)
        {
            identity.SetClaim(Claims.Role, Permissions.PlatformAdminRole);
        }

        return Finish(identity, scopes, policy);
    }

    public static ClaimsPrincipal ForClient(ApiClient client, Tenant tenant, IEnumerable<string> scopes, TenantSecurityPolicy? policy)
    {
        var identity = NewIdentity();
        identity.SetClaim(Claims.Subject, client.ClientId)
            .SetClaim(EhrClaims.Tenant, tenant.Slug)
            .SetClaim(EhrClaims.ActorKind, "client")
            .SetClaim(Claims.Name, client.Name)
            .SetClaim(Claims.Role, Permissions.ApiClientRole);
        return Finish(identity, scopes, policy);
    }

    private static ClaimsIdentity NewIdentity() =>
        new(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);

    private static ClaimsPrincipal Finish(ClaimsIdentity identity, IEnumerable<string> scopes, TenantSecurityPolicy? policy)
    {
        identity.SetScopes(scopes);
        identity.SetDestinations(DestinationsOf);
        var principal = new ClaimsPrincipal(identity);
        if (policy is not null)
        {
            principal.SetAccessTokenLifetime(TimeSpan.FromMinutes(policy.AccessTokenMinutes));
            // Refresh tokens roll on every use, so an unused session ends after the idle time-out: automatic log-off.
            principal.SetRefreshTokenLifetime(TimeSpan.FromMinutes(policy.IdleTimeoutMinutes));
        }

        return principal;
    }

    private static IEnumerable<string> DestinationsOf(Claim claim) => claim.Type switch
    {
        Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
        Claims.Name or Claims.Email or AuthTime or Amr => [Destinations.IdentityToken],
        EhrClaims.Tenant or Claims.Role => [Destinations.AccessToken, Destinations.IdentityToken],
        EhrClaims.Location or EhrClaims.Patient or EhrClaims.ActorKind => [Destinations.AccessToken],
        _ => [],
    };
}
