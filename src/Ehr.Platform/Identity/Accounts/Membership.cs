namespace Ehr.Platform.Identity.Accounts;

public enum MembershipStatus
{
    Active,
    Deactivated,
}

/// <summary>
/// A person's place in one tenant: their roles (built-in or the tenant's custom role keys), optionally restricted to
/// some locations, and, for the patient role, the patient records they may see (their own and those they are proxy
/// for). Read on every request, so a change takes effect on the caller's next request.
/// </summary>
public sealed class Membership
{
    private Membership()
    {
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public Guid TenantId { get; private set; }

    public List<string> Roles { get; private set; } = [];

    /// <summary>Empty: every location of the tenant.</summary>
    public List<Guid> LocationIds { get; private set; } = [];

    public List<Guid> PatientIds { get; private set; } = [];

    public MembershipStatus Status { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public int Version { get; private set; }

    public static Membership Create(Guid userId, Guid tenantId, IEnumerable<string> roles, IEnumerable<Guid> locations,
        IEnumerable<Guid> patients, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        UserId = userId,
        TenantId = tenantId,
        Roles = roles.Distinct(StringComparer.Ordinal).ToList(),
        LocationIds = locations.Distinct().ToList(),
        PatientIds = patients.Distinct().ToList(),
        Status = MembershipStatus.Active,
        CreatedAt = now,
        UpdatedAt = now,
        Version = 1,
    };

    public void Assign(IEnumerable<string> roles, IEnumerable<Guid> locations, DateTimeOffset now)
    {
        Roles = roles.Distinct(StringComparer.Ordinal).ToList();
        LocationIds = locations.Distinct().ToList();
        Touch(now);
    }

    public void LinkPatients(IEnumerable<Guid> patients, DateTimeOffset now)
    {
        PatientIds = patients.Distinct().ToList();
        Touch(now);
    }

    public void Deactivate(DateTimeOffset now)
    {
        Status = MembershipStatus.Deactivated;
        Touch(now);
    }

    public void Reactivate(DateTimeOffset now)
    {
        Status = MembershipStatus.Active;
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>
/// An invitation to join a tenant with given roles. The link carries a random token; only its SHA-256 is stored. It
/// expires, is accepted once, and can be revoked.
/// </summary>
public sealed class Invitation
{
    private Invitation()
    {
    }

    public Guid Id { get; private set; }

    public Guid TenantId { get; private set; }

    public string Email { get; private set; } = "";

    public List<string> Roles { get; private set; } = [];

    public List<Guid> LocationIds { get; private set; } = [];

    public byte[] TokenHash { get; private set; } = [];

    public string InvitedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset? AcceptedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public static Invitation Create(Guid tenantId, string email, IEnumerable<string> roles, IEnumerable<Guid> locations,
        byte[] tokenHash, string invitedBy, DateTimeOffset now, TimeSpan lifetime) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenantId,
        Email = UserAccount.NormalizeEmail(email),
        Roles = roles.Distinct(StringComparer.Ordinal).ToList(),
        LocationIds = locations.Distinct().ToList(),
        TokenHash = tokenHash,
        InvitedBy = invitedBy,
        CreatedAt = now,
        ExpiresAt = now + lifetime,
    };

    public bool IsOpen(DateTimeOffset now) => AcceptedAt is null && RevokedAt is null && ExpiresAt > now;

    public void Accept(DateTimeOffset now) => AcceptedAt = now;

    public void Revoke(DateTimeOffset now) => RevokedAt = now;
}

/// <summary>
/// An e-mail waiting to be sent (transactional outbox: written in the same transaction as what caused it). The
/// <see cref="Mail.OutboxMailer"/> delivers it over SMTP when a relay is configured, with back-off on temporary
/// failures; without one (development) it stays here and the log shows invitation links instead.
/// </summary>
public sealed class OutboxEmail
{
    private OutboxEmail()
    {
    }

    public Guid Id { get; private set; }

    public Guid? TenantId { get; private set; }

    public string ToAddress { get; private set; } = "";

    public string Subject { get; private set; } = "";

    public string Body { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? SentAt { get; private set; }

    public int Attempts { get; private set; }

    public DateTimeOffset? NextAttemptAt { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? FailedAt { get; private set; }

    public static OutboxEmail Create(Guid? tenantId, string to, string subject, string body, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        TenantId = tenantId,
        ToAddress = to,
        Subject = subject,
        Body = body,
        CreatedAt = now,
    };

    public void MarkSent(DateTimeOffset now)
    {
        Attempts++;
        SentAt = now;
        NextAttemptAt = null;
    }

    /// <summary>
    /// A failed attempt: a temporary one is retried after a growing delay (1, 2, 4 ... minutes, at most 6 hours) until
    /// <paramref name="maxAttempts"/>; a permanent one (the relay refused the message for good) ends the tries at once.
    /// </summary>
    public void MarkFailed(string error, bool permanent, DateTimeOffset now, int maxAttempts)
    {
        Attempts++;
        LastError = error.Length > 2000 ? error[..2000] : error;
        if (permanent || Attempts >= maxAttempts)
        {
            FailedAt = now;
            NextAttemptAt = null;
        }
        else
        {
            NextAttemptAt = now + TimeSpan.FromMinutes(Math.Min(Math.Pow(2, Attempts - 1), 360));
        }
    }
}
