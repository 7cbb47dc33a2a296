using System.Globalization;
using System.Security.Claims;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// The authorization server's own sign-in session: who signed in, when, how (password, then MFA) and the account's
/// security stamp at the time, so deactivating the account or changing its credentials ends the session.
/// </summary>
public static class SessionCookie
{
    public const string StampClaim = "ehr_stamp";

    /// <summary>Signs the person in after a password check; <paramref name="mfa"/> when they also passed the MFA challenge.</summary>
    public static async Task SignInAsync(HttpContext http, UserAccount user, DateTimeOffset now, bool mfa)
    {
        var identity = new ClaimsIdentity(AuthorizationServerModule.SessionScheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user.Id.ToString()));
        identity.AddClaim(new Claim(Claims.Name, user.DisplayName));
        identity.AddClaim(new Claim(StampClaim, user.SecurityStamp.ToString()));
        identity.AddClaim(new Claim(SessionClaims.AuthTime, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(SessionClaims.Amr, "pwd"));
        if (mfa)
        {
            identity.AddClaim(new Claim(SessionClaims.Amr, "mfa"));
            identity.AddClaim(new Claim(SessionClaims.Amr, "otp"));
        }

        await http.SignInAsync(AuthorizationServerModule.SessionScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>The session's person, if the session is still good: the account active and its security stamp unchanged.</summary>
    public static async Task<UserAccount?> UserAsync(PlatformDbContext db, ClaimsPrincipal session, CancellationToken ct)
    {
        if (!Guid.TryParse(session.GetClaim(Claims.Subject), out var id))
        {
            return null;
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
        return user is not null && user.Status == UserStatus.Active &&
               session.GetClaim(StampClaim) == user.SecurityStamp.ToString() ? user : null;
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(AuthorizationServerModule.SessionScheme);
}
