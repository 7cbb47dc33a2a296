using Ehr.Platform.Errors;
using Ehr.Platform.Identity.ApiClients;
using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Ehr.Platform.Identity;

/// <summary>
/// Binds the request's <see cref="Actor"/> from the authenticated principal, the client address and the declared
/// purpose. For tokens of our authorization server, the roles, locations and patient links come from the platform
/// catalog on every request (<see cref="AccessCheck"/>), not from the token: a deactivated person or a revoked API
/// client is refused on their next request, and a role change applies at once.
/// </summary>
internal sealed class ActorBindingMiddleware(RequestDelegate next, IOptions<EhrIdentityOptions> identity)
{
    public const string PurposeHeader = "X-Purpose-Of-Use";

    public async Task InvokeAsync(HttpContext http, ActorContext actors, TenantContext tenants, AccessCheck access)
    {
        if (http.User.Identity?.IsAuthenticated == true)
        {
            var purpose = http.Request.Headers[PurposeHeader].ToString();
            if (string.IsNullOrEmpty(purpose))
            {
                purpose = PurposeOfUse.Treatment;
            }
            else if (!PurposeOfUse.Known.Contains(purpose))
            {
                await ErrorResponse.WriteAsync(http, EhrException.Validation(
                [
                    new FieldError("header." + PurposeHeader, ErrorCodes.InvalidFormat,
                        $"Unknown purpose of use '{purpose}'. Use an HL7 v3 PurposeOfUse code such as TREAT."),
                ]));
                return;
            }

            var actor = Actor.FromPrincipal(http.User, http.Connection.RemoteIpAddress, purpose);
            if (!AuthorizationServerModule.IsDevelopmentToken(http, identity.Value))
            {
                actor = await FromCatalogAsync(actor, tenants.Tenant, access, http, http.RequestAborted);
                if (actor is null)
                {
                    await ErrorResponse.WriteAsync(http, new EhrException(ErrorCodes.AccessRevoked,
                        "This access has been revoked (account, membership or API client deactivated). Sign in again.", 401));
                    return;
                }
            }

            actors.Bind(actor);
        }

        await next(http);
    }

    private static async Task<Actor?> FromCatalogAsync(Actor fromToken, Tenant? tenant, AccessCheck access, HttpContext http,
        CancellationToken ct)
    {
        var scopes = fromToken.Scopes;
        if (fromToken.Kind == ActorKind.ApiClient)
        {
            var client = await access.ForClientAsync(fromToken.Id, ct);
            if (client is null || !client.Active || tenant is null || client.TenantId != tenant.Id)
            {
                return null;
            }

            http.Items[ClientRateLimits.LimitKey] = client.RateLimitPerMinute;
            // The client's scopes as they are now: narrowing a client applies to tokens it already holds.
            return fromToken with
            {
                Roles = [Permissions.ApiClientRole],
                Scopes = (fromToken.Scopes ?? []).Intersect(client.Scopes, StringComparer.Ordinal).ToArray(),
            };
        }

        if (!Guid.TryParse(fromToken.Id, out var userId))
        {
            return null;
        }

        var user = await access.ForUserAsync(userId, tenant?.Id, ct);
        if (user is null || !user.UserActive)
        {
            return null;
        }

        if (fromToken.TenantSlug is null)
        {
            // A platform session: only the platform role, and only for platform admins.
            return fromToken with { Roles = user.IsPlatformAdmin ? [Permissions.PlatformAdminRole] : [] };
        }

        if (!user.MemberActive)
        {
            return null;
        }

        return fromToken with { Roles = user.Roles, Locations = user.Locations, PatientIds = user.Patients, Scopes = scopes };
    }
}
