namespace Ehr.Platform.Identity.Portal;

/// <summary>How a portal user stands to a patient whose record they see.</summary>
public static class PortalRelationships
{
    /// <summary>The patient themselves (set by <see cref="InvitePatientToPortal"/>, never granted as proxy).</summary>
    public const string Self = "self";

    /// <summary>What a proxy may be: a person who sees someone else's record.</summary>
    public static IReadOnlyList<string> Proxy { get; } = ["parent", "guardian", "caregiver", "other"];
}

/// <summary>Where a link stands now.</summary>
public enum PortalLinkStatus
{
    /// <summary>Its invitation has not been accepted yet: it gives nothing until then.</summary>
    Pending,
    Active,
    Expired,
    Revoked,
}

/// <summary>
/// The right of one portal user (or, until it is accepted, one invitation) to see one patient's record in a tenant:
/// their own (<c>self</c>) or as proxy, optionally until an expiry. Read on every request by
/// <see cref="Authorization.AccessCheck"/>, so a revocation applies to the next request and an expiry needs no job.
/// Revoked, never deleted.
/// </summary>
public sealed class PortalLink
{
    private PortalLink()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public Guid PatientId { get; private set; }

    /// <summary>Null while the link waits for its invitation to be accepted.</summary>
    public Guid? UserId { get; private set; }

    public Guid? InvitationId { get; private set; }

    public string Relationship { get; private set; } = "";

    public DateTimeOffset? ExpiresAt { get; private set; }

    public string GrantedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public string? RevokedBy { get; private set; }

    public int Version { get; private set; }

    internal static PortalLink Create(Guid tenantId, Guid patientId, Guid? userId, Guid? invitationId, string relationship,
        DateTimeOffset? expiresAt, string grantedBy, DateTimeOffset now)
    {
        if (userId is null && invitationId is null)
        {
            throw new ArgumentException("A portal link belongs to a user or to an invitation.");
        }

        return new PortalLink
        {
            Id = Guid.CreateVersion7(),
            TenantId = tenantId,
            PatientId = patientId,
            UserId = userId,
            InvitationId = invitationId,
            Relationship = relationship,
            ExpiresAt = expiresAt,
            GrantedBy = grantedBy,
            CreatedAt = now,
            Version = 1,
        };
    }

    public PortalLinkStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? PortalLinkStatus.Revoked
        : ExpiresAt is { } expires && expires <= now ? PortalLinkStatus.Expired
        : UserId is null ? PortalLinkStatus.Pending
        : PortalLinkStatus.Active;

    /// <summary>Whether it gives (or, once accepted, will give) access at <paramref name="now"/>.</summary>
    public bool IsLiveAt(DateTimeOffset now) => StatusAt(now) is PortalLinkStatus.Active or PortalLinkStatus.Pending;

    /// <summary>The invitation was accepted by <paramref name="userId"/>: the link applies from their next request.</summary>
    internal void AttachTo(Guid userId)
    {
        if (UserId is not null)
        {
            throw new InvalidOperationException("This link already belongs to a user.");
        }

        UserId = userId;
        Version++;
    }

    internal void Revoke(string by, DateTimeOffset now)
    {
        if (RevokedAt is not null)
        {
            return;
        }

        RevokedAt = now;
        RevokedBy = by;
        Version++;
    }
}
