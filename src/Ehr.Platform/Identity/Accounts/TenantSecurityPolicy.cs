namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// A tenant's security policy: token lifetimes, idle time-out (automatic log-off) and which roles must use MFA. A
/// tenant without a row gets <see cref="Defaults"/>, which are safe on their own.
/// </summary>
public sealed class TenantSecurityPolicy
{
    private TenantSecurityPolicy()
    {
    }

    public Guid TenantId { get; private set; }

    public int AccessTokenMinutes { get; private set; }

    /// <summary>A session (refresh token chain) ends after this long without use: the automatic log-off.</summary>
    public int IdleTimeoutMinutes { get; private set; }

    /// <summary>A session ends after this long whatever happens (re-authentication).</summary>
    public int SessionMaxHours { get; private set; }

    public List<string> MfaRequiredRoles { get; private set; } = [];

    public int PasswordMinLength { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public int Version { get; private set; }

    public static TenantSecurityPolicy Defaults(Guid tenantId) => new()
    {
        TenantId = tenantId,
        AccessTokenMinutes = 15,
        IdleTimeoutMinutes = 30,
        SessionMaxHours = 12,
        MfaRequiredRoles = ["tenant-admin"],
        PasswordMinLength = 12,
        Version = 0,
    };

    public void Change(int accessTokenMinutes, int idleTimeoutMinutes, int sessionMaxHours, IEnumerable<string> mfaRequiredRoles,
        int passwordMinLength, DateTimeOffset now)
    {
        AccessTokenMinutes = accessTokenMinutes;
        IdleTimeoutMinutes = idleTimeoutMinutes;
        SessionMaxHours = sessionMaxHours;
        MfaRequiredRoles = mfaRequiredRoles.Distinct(StringComparer.Ordinal).ToList();
        PasswordMinLength = passwordMinLength;
        UpdatedAt = now;
        Version++;
    }
}
