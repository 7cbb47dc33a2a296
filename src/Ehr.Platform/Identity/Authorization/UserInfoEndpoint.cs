using Ehr.Platform.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.Platform.Identity.Authorization;

/// <summary><c>/connect/userinfo</c>: the person behind an access token, as the catalog has them now.</summary>
internal static class UserInfoEndpoint
{
    public static async Task<IResult> HandleAsync(HttpContext http, PlatformDbContext db)
    {
        var result = await http.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        if (!result.Succeeded || !Guid.TryParse(result.Principal.GetClaim(Claims.Subject), out var id))
        {
            return Results.Challenge(authenticationSchemes: [OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme]);
        }

        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, http.RequestAborted);
        if (user is null)
        {
            return Results.Challenge(authenticationSchemes: [OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, object> { [Claims.Subject] = user.Id.ToString() };
        if (result.Principal.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.DisplayName;
        }

        if (result.Principal.HasScope(Scopes.Email))
        {
            claims[Claims.Email] = user.Email;
        }

        if (result.Principal.GetClaim(EhrClaims.Tenant) is { } tenant)
        {
            claims[EhrClaims.Tenant] = tenant;
        }

        return Results.Ok(claims);
    }
}
