namespace Ehr.Platform.Identity.ApiClients;

public enum ApiClientStatus
{
    Active,
    Revoked,
}

/// <summary>
/// A tenant's API client (OAuth2 client credentials) for a startup's back end. The secret is shown once and stored
/// only hashed (by OpenIddict, which holds the matching application under the same client id). Its scopes are the
/// permissions it may use; its requests are rate limited per client, across all hosts (<see cref="ClientRateLimits"/>).
/// </summary>
public sealed class ApiClient
{
    private ApiClient()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string ClientId { get; private set; } = "";

    public string Name { get; private set; } = "";

    public List<string> Scopes { get; private set; } = [];

    public int RateLimitPerMinute { get; private set; }

    public ApiClientStatus Status { get; private set; }

    /// <summary>The secret's last four characters, so an admin can tell which one a system uses.</summary>
    public string SecretHint { get; private set; } = "";

    public string CreatedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? RotatedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public int Version { get; private set; }

    public static ApiClient Create(Guid tenantId, string clientId, string name, IEnumerable<string> scopes, int rateLimitPerMinute,
        string secretHint, string createdBy, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenantId,
        ClientId = clientId,
        Name = name.Trim(),
        Scopes = scopes.Distinct(StringComparer.Ordinal).ToList(),
        RateLimitPerMinute = rateLimitPerMinute,
        Status = ApiClientStatus.Active,
        SecretHint = secretHint,
        CreatedBy = createdBy,
        CreatedAt = now,
        Version = 1,
    };

    public void Rotated(string secretHint, DateTimeOffset now)
    {
        SecretHint = secretHint;
        RotatedAt = now;
        Version++;
    }

    /// <summary>A new limit for the whole deployment; the counts already made are judged against it from the next request.</summary>
    public void ChangeRateLimit(int expectedVersion, int rateLimitPerMinute)
    {
        if (expectedVersion != Version)
        {
            throw Errors.EhrException.VersionConflict($"API client '{ClientId}'", expectedVersion, Version);
        }

        if (Status != ApiClientStatus.Active)
        {
            throw new InvalidOperationException($"API client '{ClientId}' is revoked.");
        }

        RateLimitPerMinute = rateLimitPerMinute;
        Version++;
    }

    public void Revoke(DateTimeOffset now)
    {
        Status = ApiClientStatus.Revoked;
        RevokedAt = now;
        Version++;
    }
}
