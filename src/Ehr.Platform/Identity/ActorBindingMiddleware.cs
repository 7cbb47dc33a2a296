using Ehr.Platform.Errors;
using Ehr.Platform.Identity.ApiClients;
using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
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
                var resolved = HoldsTenantConnection(http, actor, tenants.Tenant) is { } addressed
                    ? await access.ResolveOpeningTenantSessionAsync(actor, addressed, http.RequestServices.GetRequiredService<Persistence.TenantDbContext>(),
                        http.RequestServices.GetService<Microsoft.Extensions.Logging.ILogger<ActorBindingMiddleware>>(), http.RequestAborted)
                    : await access.ResolveAsync(actor, tenants.Tenant, http.RequestAborted);
                if (resolved.RateLimitPerMinute is { } limit)
                {
                    http.Items[ClientRateLimits.LimitKey] = limit;
                }

                actor = resolved.Actor;
                if (actor is null)
                {
                    await ErrorResponse.WriteAsync(http, new EhrException(ErrorCodes.AccessRevoked,
                        "This access has been revoked (account, membership or API client deactivated). Sign in again.", 401));
                    return;
                }
            }

            await http.RequestServices.GetRequiredService<ActorBinding>().BindAsync(actor, http.RequestAborted);
        }

        if (actors.IsBound)
        {
            // Permission denials are recorded before the answer leaves, so a refusal is never invisible to auditors.
            http.Response.OnStarting(() => http.RequestServices.GetRequiredService<Audit.TenantAuditWriter>()
                .RecordDenialsAsync(tenants.Tenant, actors, http.Request.Path.Value ?? "", CancellationToken.None));
        }

        await next(http);
    }

    /// <summary>
    /// The tenant whose session this request's access check may open on the request's own database connection (one
    /// round trip for both): API calls with a bearer token for the tenant they address. Not for browser sessions or
    /// WebSockets, whose requests last as long as the page and would hold a pooled connection all that time.
    /// </summary>
    private static Tenant? HoldsTenantConnection(HttpContext http, Actor actor, Tenant? tenant) =>
        tenant is not null && actor.TenantSlug == tenant.Slug && !http.WebSockets.IsWebSocketRequest &&
        http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? tenant
            : null;
}
