using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>A bearer token the host accepted: who it names, whether it is a development token, when it expires.</summary>
public sealed record AuthenticatedToken(ClaimsPrincipal Principal, bool IsDevelopmentToken, DateTimeOffset? ExpiresAt);

/// <summary>
/// Validates a bearer token that did not come in an Authorization header (a WebSocket's <c>connection_init</c>
/// payload: browsers cannot set headers on the upgrade) with exactly the handlers and settings the HTTP pipeline uses:
/// the token is put in the header of a request of its own, in a scope of its own, and authenticated there.
/// </summary>
public sealed class BearerTokenAuthenticator(IServiceScopeFactory scopes, IOptions<EhrIdentityOptions> identity)
{
    public const int MaxTokenLength = 16 * 1024;

    /// <summary>The token as the request would have been authenticated with it, or null when it is not accepted.</summary>
    public async Task<AuthenticatedToken?> AuthenticateAsync(HttpRequest like, string token)
    {
        token = token.Trim();
        if (token.Length is 0 or > MaxTokenLength || token.Any(char.IsWhiteSpace))
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = HttpMethods.Get;
        http.Request.Scheme = like.Scheme;
        http.Request.Host = like.Host;
        http.Request.PathBase = like.PathBase;
        http.Request.Path = like.Path;
        http.Request.Headers.Authorization = "Bearer " + token;
        http.Connection.RemoteIpAddress = like.HttpContext.Connection.RemoteIpAddress;
        // As the authentication middleware does: request handlers first (OpenIddict's validation sets up its
        // per-request state there), then the default scheme.
        var handlers = scope.ServiceProvider.GetRequiredService<IAuthenticationHandlerProvider>();
        foreach (var scheme in await scope.ServiceProvider.GetRequiredService<IAuthenticationSchemeProvider>().GetRequestHandlerSchemesAsync())
        {
            if (await handlers.GetHandlerAsync(http, scheme.Name) is IAuthenticationRequestHandler handler && await handler.HandleRequestAsync())
            {
                return null;
            }
        }

        return await FromRequestAsync(http);
    }

    /// <summary>The bearer token a request was authenticated with (its Authorization header), or null.</summary>
    public async Task<AuthenticatedToken?> FromRequestAsync(HttpContext http)
    {
        if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // The handlers keep their result per request: asking again costs nothing after the pipeline did.
        var result = await http.AuthenticateAsync(AuthorizationServerModule.ApiScheme);
        if (!result.Succeeded || result.Principal.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        var expires = result.Properties?.ExpiresUtc;
        if (expires is null && long.TryParse(result.Principal.FindFirst("exp")?.Value, out var exp))
        {
            expires = DateTimeOffset.FromUnixTimeSeconds(exp);
        }

        return new AuthenticatedToken(result.Principal, AuthorizationServerModule.IsDevelopmentToken(http, identity.Value), expires);
    }
}
