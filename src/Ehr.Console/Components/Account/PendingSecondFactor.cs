using System.Security.Claims;
using Ehr.Platform.Identity.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Ehr.Web.Components.Account;

/// <summary>
/// Between the password and the second factor: a five-minute cookie naming who passed the password step. It grants
/// nothing by itself; only the MFA page reads it, and turns it into the real sign-in session.
/// </summary>
public static class PendingSecondFactor
{
    public const string Scheme = "ehr.mfa-pending";

    public static Task SignInAsync(HttpContext http, UserAccount user)
    {
        var identity = new ClaimsIdentity(Scheme);
        identity.AddClaim(new Claim("sub", user.Id.ToString()));
        return http.SignInAsync(Scheme, new ClaimsPrincipal(identity));
    }

    public static async Task<Guid?> UserIdAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(Scheme);
        return result.Succeeded && Guid.TryParse(result.Principal!.FindFirst("sub")?.Value, out var id) ? id : null;
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(Scheme);
}
