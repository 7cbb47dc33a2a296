using Ehr.Platform.Errors;
using Microsoft.AspNetCore.Http;

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

            actors.Bind(Actor.FromPrincipal(http.User, http.Connection.RemoteIpAddress, purpose));
        }

        await next(http);
    }
}
