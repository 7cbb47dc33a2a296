using System.Globalization;
using System.Security.Claims;
using Ehr.Platform.Audit;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Identity.ApiClients;
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
/// <c>POST /connect/token</c>. OpenIddict has already authenticated the client and validated the grant (PKCE, code
/// and refresh token single use, redirect URI); here we decide who the token is for, from the catalog as it is
/// now: a deactivated person or membership, a revoked client or a suspended tenant gets no token, and a refreshed
/// token carries the current roles.
/// </summary>
internal static class TokenEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, PlatformDbContext db, TenantCatalog catalog,
        TenantAuditWriter audit, TimeProvider clock)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var ct = http.RequestAborted;
        if (request.IsClientCredentialsGrantType())
        {
            var client = await db.ApiClients.AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == request.ClientId, ct);
            var tenant = client is null ? null : await catalog.FindByIdAsync(client.TenantId, ct);
            if (client is null || client.Status != ApiClientStatus.Active || tenant is null || tenant.Status != TenantStatus.Active)
            {
                return Refuse(OpenIddictConstants.Errors.InvalidClient, "This API client is revoked or its tenant is not active.");
            }

            // OpenIddict has checked the requested scopes against the client's scope permissions; none asked: all granted.
            var scopes = request.GetScopes().IsEmpty ? client.Scopes.ToArray() : [.. request.GetScopes()];
            var principal = SessionClaims.ForClient(client, tenant, scopes, await SecurityPolicies.ForTenantAsync(db, tenant.Id, ct));
            await audit.RecordAsync(tenant, ClientActor(client, tenant, http),
                new AuditEvent("auth.token_issued", "ApiClient", client.ClientId, new { grant = "client_credentials", scopes }), ct);
            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var previous = result.Principal ?? throw new InvalidOperationException("OpenIddict validated the grant but returned no principal.");
            if (!Guid.TryParse(previous.GetClaim(Claims.Subject), out var userId))
            {
                return Refuse(OpenIddictConstants.Errors.InvalidGrant, "The grant does not name a person.");
            }

            var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == userId, ct);
            if (user is null || user.Status != UserStatus.Active)
            {
                return Refuse(OpenIddictConstants.Errors.InvalidGrant, "The account is deactivated.");
            }

            var slug = previous.GetClaim(EhrClaims.Tenant);
            Tenant? tenant = null;
            Membership? membership = null;
            if (slug is not null)
            {
                tenant = await catalog.FindAsync(slug, ct);
                membership = tenant is null ? null
                    : await db.Memberships.AsNoTracking().SingleOrDefaultAsync(m => m.UserId == userId && m.TenantId == tenant.Id, ct);
                if (tenant is null || tenant.Status != TenantStatus.Active || membership is null || membership.Status != MembershipStatus.Active)
                {
                    return Refuse(OpenIddictConstants.Errors.InvalidGrant, "The membership of this tenant is no longer active.");
                }
            }

            var policy = tenant is null ? null : await SecurityPolicies.ForTenantAsync(db, tenant.Id, ct);
            var authTime = SessionClaims.AuthTimeOf(previous) ?? DateTimeOffset.MinValue;
            if (policy is not null && clock.GetUtcNow() - authTime > TimeSpan.FromHours(policy.SessionMaxHours))
            {
                return Refuse(OpenIddictConstants.Errors.InvalidGrant, "The session has reached its maximum length; sign in again.");
            }

            var principal = SessionClaims.ForUser(user, membership, tenant, previous.GetScopes(), policy, authTime, previous.GetClaims(SessionClaims.Amr));
            if (tenant is not null)
            {
                var actor = new Actor(user.Id.ToString(), tenant.Slug, membership!.Roles, http.Connection.RemoteIpAddress?.ToString(),
                    PurposeOfUse.Treatment) { ClientId = request.ClientId };
                await audit.RecordAsync(tenant, actor, new AuditEvent(
                    request.IsRefreshTokenGrantType() ? "auth.token_refreshed" : "auth.token_issued", "User", user.Id.ToString(),
                    new { grant = request.GrantType, client = request.ClientId, scopes = principal.GetScopes() }), ct);
            }

            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        return Refuse(OpenIddictConstants.Errors.UnsupportedGrantType, "This grant type is not supported.");
    }

    private static Actor ClientActor(ApiClient client, Tenant tenant, HttpContext http) =>
        new(client.ClientId, tenant.Slug, [Permissions.ApiClientRole], http.Connection.RemoteIpAddress?.ToString(), PurposeOfUse.Treatment)
        {
            Kind = ActorKind.ApiClient,
            ClientId = client.ClientId,
        };

    internal static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
