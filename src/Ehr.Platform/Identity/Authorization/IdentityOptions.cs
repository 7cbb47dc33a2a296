namespace Ehr.Platform.Identity.Authorization;

/// <summary>Settings of the authorization server and of how the host authenticates callers (section <c>Identity</c>).</summary>
public sealed class EhrIdentityOptions
{
    public const string SectionName = "Identity";

    /// <summary>
    /// Accept the local-development tokens of <c>./ehr token</c> (signed with the key under the data directory). On for
    /// a developer's machine; production deployments turn it off (docker-compose does).
    /// </summary>
    public bool DevelopmentTokens { get; set; } = true;

    /// <summary>Refuse plain HTTP on the authorization endpoints. Behind a TLS-terminating proxy, turn it on together with forwarded headers.</summary>
    public bool RequireHttps { get; set; }

    /// <summary>
    /// The issuer (public base URL) of this server, the same on every host behind a load balancer. Unset: each request's
    /// own base URL, which suits one host on localhost.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>The console's OIDC client id (one registration per issuer; test hosts sharing a database use their own).</summary>
    public string ConsoleClientId { get; set; } = "ehr-console";

    /// <summary>Redirect URIs of the web console (an OIDC client of this server), matched exactly.</summary>
    public List<string> ConsoleRedirectUris { get; set; } = [];

    /// <summary>
    /// Path prefixes where a browser session cookie authenticates requests that carry no bearer token, and the cookie
    /// scheme for each (the console registers <c>/console</c>, <c>/_blazor</c> and <c>/jobs</c>). Set in code.
    /// </summary>
    public Dictionary<string, string> BrowserSessions { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long the identity server's own sign-in cookie lives (the console then signs in silently).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);
}
