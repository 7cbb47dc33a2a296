using Ehr.Platform.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// The OAuth2/OIDC authorization server (OpenIddict) and how the host authenticates API calls: bearer tokens of this
/// server (validated locally, with their authorization and token entries checked so revocation bites at once) and,
/// where allowed, the local-development tokens of <c>./ehr token</c>.
/// </summary>
public static class AuthorizationServerModule
{
    /// <summary>The default scheme: picks the bearer handler by the token's shape.</summary>
    public const string ApiScheme = "ehr";

    /// <summary>The authorization server's own sign-in session (the login pages set it; only /connect/authorize reads it).</summary>
    public const string SessionScheme = "ehr.session";

    public static IServiceCollection AddEhrAuthorizationServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EhrIdentityOptions>().Bind(configuration.GetSection(EhrIdentityOptions.SectionName));
        var identity = configuration.GetSection(EhrIdentityOptions.SectionName).Get<EhrIdentityOptions>() ?? new EhrIdentityOptions();
        if (identity.RequireHttps && identity.Issuer is { } issuer && !issuer.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"Identity:RequireHttps is on but Identity:Issuer ({issuer}) is not an https URL: tokens would name an issuer nobody can reach securely.");
        }

        services.AddSingleton<KeyRing>();
        services.AddScoped<AccessCheck>();
        services.AddSingleton<BearerTokenAuthenticator>();
        services.AddScoped<ApiClients.ManageApiClients>();
        services.AddScoped<ApiClients.ChangeApiClientRateLimit>();

        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<PlatformDbContext>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetEndSessionEndpointUris("connect/logout")
                    .SetUserInfoEndpointUris("connect/userinfo");
                if (!string.IsNullOrEmpty(identity.Issuer))
                {
                    o.SetIssuer(new Uri(identity.Issuer, UriKind.Absolute));
                }

                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                // PKCE with S256 only: "plain" protects nothing against an intercepted request.
                o.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                o.AllowClientCredentialsFlow();
                o.AllowRefreshTokenFlow();
                // A refresh token is good for exactly one use: presenting a used one again is treated as theft and
                // revokes the whole family (the authorization and every token issued under it).
                o.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                o.SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(2));
                // Access tokens are signed, not encrypted: they carry no health information (ids, tenant, roles,
                // scopes), and decrypting a JWE (an RSA private-key operation) on every API request cost more than
                // everything else authentication does. Refresh tokens and codes stay encrypted.
                o.DisableAccessTokenEncryption();
                o.RegisterScopes([.. EhrScopes.Standard, .. Permissions.All.Where(Permissions.IsTenantPermission)]);
                o.RegisterClaims(Claims.Subject, Claims.Name, Claims.Email, Claims.Role, EhrClaims.Tenant, EhrClaims.Location,
                    EhrClaims.Patient, EhrClaims.ActorKind);
                var aspNetCore = o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableStatusCodePagesIntegration();
                if (!identity.RequireHttps)
                {
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
                // Revoked tokens and authorizations are refused by AccessCheck, in the same round trip as the
                // person's status and roles, instead of two more lookups per request here.
            });
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ServerKeys>();
        services.AddSingleton<KeyRingRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyRingRefresher>());
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(sp => sp.GetRequiredService<KeyRingRefresher>());
        services.AddSingleton<IOptionsChangeTokenSource<OpenIddict.Validation.OpenIddictValidationOptions>>(sp => sp.GetRequiredService<KeyRingRefresher>());

        services.AddAuthentication(ApiScheme)
            .AddPolicyScheme(ApiScheme, "Bearer tokens", o => o.ForwardDefaultSelector = http =>
            {
                var scheme = SelectBearerScheme(http, http.RequestServices.GetRequiredService<IOptions<EhrIdentityOptions>>().Value);
                http.Items[SelectedSchemeKey] = scheme;
                return scheme;
            })
            .AddCookie(SessionScheme, o =>
            {
                o.Cookie.Name = "ehr.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = identity.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = identity.SessionLifetime;
                o.SlidingExpiration = false;
                o.LoginPath = "/account/login";
            });
        return services;
    }

    public static IEndpointRouteBuilder MapEhrAuthorizationServer(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/connect/authorize", ["GET", "POST"], AuthorizeEndpoint.HandleAsync).DisableAntiforgery();
        endpoints.MapPost("/connect/token", TokenEndpoint.HandleAsync).DisableAntiforgery();
        endpoints.MapMethods("/connect/logout", ["GET", "POST"], (Delegate)EndSessionEndpoint.HandleAsync).DisableAntiforgery();
        endpoints.MapMethods("/connect/userinfo", ["GET", "POST"], UserInfoEndpoint.HandleAsync).DisableAntiforgery();
        return endpoints;
    }

    /// <summary>Whether the request's bearer token is a local-development token (and those are accepted).</summary>
    internal static bool IsDevelopmentToken(HttpContext http, EhrIdentityOptions identity) =>
        (http.Items[SelectedSchemeKey] as string ?? SelectBearerScheme(http, identity)) == JwtBearerDefaults.AuthenticationScheme;

    /// <summary>Where the scheme picked for a request is kept, so the header is read once.</summary>
    private const string SelectedSchemeKey = "ehr.bearer-scheme";

    /// <summary>
    /// Our access tokens are JWTs typed <c>at+jwt</c> (RFC 9068); the development tokens are plain <c>JWT</c>s. The
    /// header is read only to pick the handler, which then validates everything. Without a bearer token, a browser
    /// session cookie counts only on the paths registered for it (<see cref="EhrIdentityOptions.BrowserSessions"/>),
    /// never on the APIs, so no cross-site request can ride on a cookie there.
    /// </summary>
    private static string SelectBearerScheme(HttpContext http, EhrIdentityOptions identity)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            foreach (var (prefix, scheme) in identity.BrowserSessions)
            {
                if (http.Request.Path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    return scheme;
                }
            }
        }
        else if (identity.DevelopmentTokens && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) &&
                 IsPlainJwt(header.AsSpan(7).Trim()))
        {
            return JwtBearerDefaults.AuthenticationScheme;
        }

        return OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
    }

    /// <summary>A three-part token whose header does not say <c>at+jwt</c>.</summary>
    private static bool IsPlainJwt(ReadOnlySpan<char> token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0 || token.Count('.') != 2 || dot > 1024)
        {
            return false;
        }

        try
        {
            return !Base64UrlEncoder.Decode(token[..dot].ToString()).Contains("at+jwt", StringComparison.OrdinalIgnoreCase);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Loads the persisted keys into the server options in <see cref="KeyRing.Load"/>'s order: OpenIddict signs with
    /// the first. Its post-configuration sorts keys of equal rank with List.Sort, which keeps the order of small lists
    /// (insertion sort below 17 items); a ring never holds more than a handful of keys per purpose.
    /// </summary>
    private sealed class ServerKeys(KeyRing ring) : IConfigureOptions<OpenIddictServerOptions>
    {
        public void Configure(OpenIddictServerOptions options)
        {
            foreach (var key in ring.Load(KeyRing.Signing))
            {
                options.SigningCredentials.Add(new Microsoft.IdentityModel.Tokens.SigningCredentials(key,
                    Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256));
            }

            foreach (var key in ring.Load(KeyRing.Encryption))
            {
                options.EncryptionCredentials.Add(new Microsoft.IdentityModel.Tokens.EncryptingCredentials(key,
                    Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaOAEP,
                    Microsoft.IdentityModel.Tokens.SecurityAlgorithms.Aes256CbcHmacSha512));
            }
        }
    }
}
