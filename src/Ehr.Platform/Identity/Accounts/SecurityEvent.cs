namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// An access event of a global identity, before or outside any one tenant (sign-in success and failure, lock-out,
/// MFA enrolment and challenge, recovery codes). Append-only: the application role may insert and read, never change
/// or delete. Tenant-scoped events (token issuance, permission denials, role changes) go to the tenant's audit chain.
/// </summary>
public sealed class SecurityEvent
{
    private SecurityEvent()
    {
    }

    public long Id { get; private set; }

    public DateTimeOffset OccurredAt { get; private set; }

    public Guid? UserId { get; private set; }

    /// <summary>The sign-in name as typed (normalised), so failures for unknown accounts are visible too.</summary>
    public string? Email { get; private set; }

    public string? TenantSlug { get; private set; }

    public string Event { get; private set; } = "";

    public string Outcome { get; private set; } = "";

    public string? ClientAddress { get; private set; }

    public string? Details { get; private set; }

    public static SecurityEvent Create(DateTimeOffset now, Guid? userId, string? email, string? tenantSlug, string evt,
        string outcome, string? clientAddress, string? details = null) => new()
    {
        OccurredAt = now,
        UserId = userId,
        Email = email,
        TenantSlug = tenantSlug,
        Event = evt,
        Outcome = outcome,
        ClientAddress = clientAddress,
        Details = details,
    };
}
