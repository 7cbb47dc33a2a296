using Ehr.Web.Components;
using Ehr.Web.Components.Account;
using Ehr.Platform.Identity.Authorization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using MudBlazor.Services;

namespace Ehr.Web;

/// <summary>
/// The web console (Blazor, interactive server, MudBlazor) and the authorization server's sign-in pages. The console
/// is an OpenID Connect client of our own authorization server (code flow with PKCE), like any other app: it signs
/// people in there, MFA included, and keeps its own cookie. It calls the modules' use cases in process, each in a
/// fresh scope bound to the signed-in person (<see cref="ConsoleSession"/>).
/// </summary>
public static class ConsoleModule
{
    public const string CookieScheme = "ehr.console";
    public const string OidcScheme = "ehr.console.oidc";
    public const string CallbackPath = "/console/signin-oidc";
    public const string SignedOutCallbackPath = "/console/signout-callback-oidc";

    public static IServiceCollection AddEhrConsole(this IServiceCollection services, IConfiguration configuration)
    {
        var identity = configuration.GetSection(EhrIdentityOptions.SectionName).Get<EhrIdentityOptions>() ?? new EhrIdentityOptions();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddCascadingAuthenticationState();
        services.AddScoped<ConsoleSession>();
        services.AddScoped<ConsolePrincipal>();
        services.Configure<EhrIdentityOptions>(o =>
        {
            foreach (var prefix in BrowserPaths)
            {
                o.BrowserSessions[prefix] = CookieScheme;
            }
        });
        services.AddHostedService<ConsoleClientRegistration>();

        services.AddAuthentication()
            .AddCookie(PendingSecondFactor.Scheme, o =>
            {
                o.Cookie.Name = "ehr.mfa";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = identity.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
                o.SlidingExpiration = false;
            })
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "ehr.console";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = identity.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                o.Cookie.Path = "/";
                // Not signed in to the console: sign in through the authorization server (OIDC challenge).
                o.LoginPath = "/console/signin";
                o.ReturnUrlParameter = "returnUrl";
                o.AccessDeniedPath = "/console";
                // Automatic log-off: the session lapses after the tenant's idle time-out without a request (each request
                // slides it; console.js pings /console/keepalive while the person is active in a page and signs them
                // out in the browser when they are not). See IdleSessions.
                o.ExpireTimeSpan = TimeSpan.FromMinutes(TenantSecurityPolicyDefaults.IdleTimeoutMinutes);
                o.SlidingExpiration = false;
                o.Events.OnSigningIn = IdleSessions.OnSigningInAsync;
                o.Events.OnValidatePrincipal = IdleSessions.OnValidatePrincipalAsync;
            })
            .AddOpenIdConnect(OidcScheme, o =>
            {
                o.SignInScheme = CookieScheme;
                o.Authority = identity.Issuer;
                o.RequireHttpsMetadata = identity.RequireHttps;
                o.ClientId = identity.ConsoleClientId;
                o.ResponseType = OpenIdConnectResponseType.Code;
                o.UsePkce = true;
                o.Scope.Clear();
                foreach (var scope in ConsoleScopes)
                {
                    o.Scope.Add(scope);
                }

                o.CallbackPath = CallbackPath;
                o.SignedOutCallbackPath = SignedOutCallbackPath;
                o.SignedOutRedirectUri = "/account/signed-out";
                o.MapInboundClaims = false;
                // Kept (encrypted, in the cookie) for the id_token_hint of sign-out; the console itself calls the
                // modules in process and never sends the access token anywhere.
                o.SaveTokens = true;
                o.GetClaimsFromUserInfoEndpoint = false;
                o.TokenValidationParameters.NameClaimType = "name";
                o.TokenValidationParameters.RoleClaimType = "role";
                o.Events.OnRedirectToIdentityProvider = context =>
                {
                    // The tenant to sign in to (tenant switcher), passed on to /connect/authorize.
                    if (context.Properties.Items.TryGetValue(AuthorizeEndpointTenant, out var tenant) && tenant is not null)
                    {
                        context.ProtocolMessage.SetParameter("tenant", tenant);
                    }

                    return Task.CompletedTask;
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsolePolicy, p => p.AddAuthenticationSchemes(CookieScheme).RequireAuthenticatedUser());
        return services;
    }

    public const string ConsolePolicy = "console";

    private static readonly string[] ConsoleScopes = ["openid", "profile", "email", EhrScopes.FullAccess];

    /// <summary>Where the console cookie authenticates (never the APIs): the console, the patient portal, Blazor's circuit, the jobs dashboard.</summary>
    private static readonly string[] BrowserPaths = ["/console", "/portal", "/_blazor", "/jobs"];

    internal const string AuthorizeEndpointTenant = "ehr.tenant";

    public static WebApplication MapEhrConsole(this WebApplication app)
    {
        app.UseAntiforgery();
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/intake"))
            {
                // The path carries an intake link's token (a credential): no Referer to anywhere, no cached copy.
                http.Response.Headers["Referrer-Policy"] = "no-referrer";
                http.Response.Headers.CacheControl = "no-store";
            }

            await next(http);
        });
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapGet("/", () => Results.Redirect("/console"));
        app.MapGet("/console/signin", (HttpContext http, string? tenant, string? returnUrl) =>
        {
            var properties = new AuthenticationProperties { RedirectUri = AccountPage.IsLocal(returnUrl) ? returnUrl : "/console" };
            if (!string.IsNullOrEmpty(tenant))
            {
                properties.Items[AuthorizeEndpointTenant] = tenant;
            }

            return Results.Challenge(properties, [OidcScheme]);
        });
        // Activity in a live page (which talks over its circuit, not HTTP) keeps the cookie's idle window sliding.
        app.MapPost("/console/keepalive", () => Results.NoContent()).RequireAuthorization(ConsolePolicy).DisableAntiforgery();
        app.MapPost("/console/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieScheme);
            // The authorization server's own session ends in this same response, not only when the browser reaches
            // the end-session endpoint: a page reloading meanwhile (a reconnecting circuit) must not be signed
            // straight back in.
            await SessionCookie.SignOutAsync(http);
            return Results.SignOut(new AuthenticationProperties { RedirectUri = "/account/signed-out" }, [OidcScheme]);
        });
        return app;
    }
}
