using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>A person with an account and a membership, and a password only the test knows.</summary>
public sealed record Person(Guid Id, string Email, string Password, Guid MembershipId);

/// <summary>
/// People and apps for sign-in tests: accounts made through the accounts use case, memberships in a tenant, a public
/// OIDC client registered like a third-party app, and a cookie-keeping HTTP client that walks the sign-in pages
/// the way a browser would (following nothing automatically, so every redirect can be checked).
/// </summary>
public static partial class People
{
    public static Task<Person> CreateAsync(this TestHost host, Tenant tenant, params string[] roles) => host.CreateNamedAsync(tenant, "Test Person", roles);

    /// <summary>A person with the display name <paramref name="displayName"/> (where a test tells people apart by name).</summary>
    public static async Task<Person> CreateNamedAsync(this TestHost host, Tenant tenant, string displayName, params string[] roles)
    {
        var email = $"p{Guid.NewGuid():N}@example.test";
        var password = "Correct-horse-" + Guid.NewGuid().ToString("N")[..12];
        await using var scope = host.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<CreateUser>()
            .HandleAsync(new NewUser(email, displayName, password), CancellationToken.None);
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var membership = Membership.Create(user.Id, tenant.Id, roles, [], [], DateTimeOffset.UtcNow);
        db.Memberships.Add(membership);
        await db.SaveChangesAsync();
        return new Person(user.Id, email, password, membership.Id);
    }

    public static async Task ChangeMembershipAsync(this TestHost host, Person person, Action<Membership, DateTimeOffset> change)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var membership = await db.Memberships.FindAsync(person.MembershipId);
        change(membership!, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
    }

    /// <summary>A third-party app: public client, code flow with PKCE, refresh tokens, exact redirect URI.</summary>
    public static async Task<string> RegisterAppAsync(this TestHost host, string redirectUri)
    {
        var clientId = "app-" + Guid.NewGuid().ToString("N")[..10];
        var descriptor = new OpenIddictApplicationDescriptor { ClientId = clientId, ClientType = ClientTypes.Public, ConsentType = ConsentTypes.Implicit };
        descriptor.RedirectUris.Add(new Uri(redirectUri));
        descriptor.Permissions.UnionWith(
        [
            Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
            Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
            Permissions.Scopes.Profile, Permissions.Prefixes.Scope + "ehr",
        ]);
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(descriptor);
        return clientId;
    }

    public static (HttpClient Http, CookieContainer Cookies) Browserless(this TestHost host)
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = host.Address,
        };
        return (http, cookies);
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string AuthorizeUrl(string clientId, string redirectUri, string challenge, string? tenant, string scope = "openid profile ehr offline_access") =>
        "/connect/authorize?" + string.Join('&', new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = scope,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["state"] = "st-" + Guid.NewGuid().ToString("N")[..8],
            ["tenant"] = tenant,
        }.Where(p => p.Value is not null).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)));

    /// <summary>Submits a server-rendered form of the sign-in pages: fetches it (for the anti-forgery token) and posts the fields.</summary>
    public static async Task<HttpResponseMessage> SubmitFormAsync(this HttpClient http, string pageUrl, string formName,
        IDictionary<string, string> fields, bool withAntiforgery = true)
    {
        using var page = await http.GetAsync(pageUrl);
        var html = await page.Content.ReadAsStringAsync();
        var form = new Dictionary<string, string>(fields) { ["_handler"] = formName };
        if (withAntiforgery)
        {
            form["__RequestVerificationToken"] = AntiforgeryToken().Match(html).Groups[1].Value;
        }

        return await http.PostAsync(pageUrl, new FormUrlEncodedContent(form));
    }

    /// <summary>Where a redirect points; same-site locations as a path (the pages answer with absolute URLs).</summary>
    public static string Location(this HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new InvalidOperationException($"No redirect ({(int)response.StatusCode}).");
        return location.IsAbsoluteUri && location.Authority == response.RequestMessage?.RequestUri?.Authority
            ? location.PathAndQuery
            : location.ToString();
    }

    /// <summary>Follows same-site redirects until one leaves the site (the app's redirect URI) or a page answers.</summary>
    public static async Task<HttpResponseMessage> FollowAsync(this HttpClient http, string url)
    {
        for (var i = 0; i < 10; i++)
        {
            var response = await http.GetAsync(url);
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther))
            {
                return response;
            }

            var next = response.Location();
            if (Uri.TryCreate(next, UriKind.Absolute, out var absolute) && absolute.Authority != http.BaseAddress!.Authority)
            {
                return response;
            }

            url = next;
            response.Dispose();
        }

        throw new InvalidOperationException("Too many redirects.");
    }

    public static string QueryValue(string url, string name) =>
        System.Web.HttpUtility.ParseQueryString(new Uri(url).Query)[name] ?? throw new InvalidOperationException($"No {name} in {url}");

    public static async Task<JsonNode> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
