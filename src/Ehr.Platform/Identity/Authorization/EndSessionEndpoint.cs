using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using OpenIddict.Server.AspNetCore;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// <c>/connect/logout</c> (RP-initiated logout): ends the sign-in session and returns to the client's registered
/// post-logout URI (OpenIddict checks it against the client's list) or to the signed-out page.
/// </summary>
internal static class EndSessionEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http)
    {
        await SessionCookie.SignOutAsync(http);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/account/signed-out" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }
}
