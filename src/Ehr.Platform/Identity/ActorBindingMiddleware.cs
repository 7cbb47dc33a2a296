using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Roles;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Platform.Identity;

/// <summary>Binds the request's <see cref="Actor"/> from the authenticated principal, the client address and the declared purpose.</summary>
internal sealed class ActorBindingMiddleware(RequestDelegate next)
{
    public const string PurposeHeader = "X-Purpose-Of-Use";

    public async Task InvokeAsync(HttpContext http, ActorContext actors)
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
            actors.Bind(actor);

            // Custom role keys resolve through the tenant's role definitions, read afresh on every request so a
            // change applies to the next one. Built-in keys need no lookup (a tenant cannot redefine them).
            var tenant = http.RequestServices.GetRequiredService<TenantContext>().Tenant;
            if (tenant is not null && actor.TenantSlug == tenant.Slug && actor.Roles.Any(r => !Permissions.IsKnownRole(r)))
            {
                actors.UsePermissions(await http.RequestServices.GetRequiredService<RoleResolver>()
                    .PermissionsForAsync(actor, http.RequestAborted));
            }
        }

        await next(http);
    }
}
