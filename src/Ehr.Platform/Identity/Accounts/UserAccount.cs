namespace Ehr.Platform.Identity.Accounts;

public enum UserStatus
{
    Active,
    Deactivated,
}

/// <summary>
/// A global identity: one person, whatever tenants they work for (memberships say which, with which roles). Lives in
/// the platform schema; holds credentials only (password hash, TOTP secret), never health information.
/// </summary>
public sealed class UserAccount
{
    private UserAccount()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>Lower-cased, trimmed: the sign-in name.</summary>
    public string Email { get; private set; } = "";

    public string DisplayName { get; private set; } = "";

    /// <summary>ASP.NET Core Identity's PBKDF2 format; null until the person sets a password (an accepted invitation).</summary>
    public string? PasswordHash { get; private set; }

    public UserStatus Status { get; private set; }

    /// <summary>Changes whenever credentials or status change, so sessions issued before can be told apart.</summary>
    public Guid SecurityStamp { get; private set; }

    public int FailedSignIns { get; private set; }

    public DateTimeOffset? LockedUntil { get; private set; }

    /// <summary>The TOTP shared secret, protected with ASP.NET Core Data Protection; null when not enrolled.</summary>
    public string? TotpSecret { get; private set; }

    public bool TotpEnabled { get; private set; }

    /// <summary>The last accepted TOTP time step: a code is accepted once (RFC 6238 section 5.2).</summary>
    public long TotpLastStep { get; private set; }

    public bool IsPlatformAdmin { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public int Version { get; private set; }

    public static UserAccount Create(string email, string displayName, DateTimeOffset now, bool platformAdmin = false) => new()
    {
        Id = Guid.CreateVersion7(),
        Email = NormalizeEmail(email),
        DisplayName = displayName.Trim(),
        Status = UserStatus.Active,
        SecurityStamp = Guid.NewGuid(),
        IsPlatformAdmin = platformAdmin,
        CreatedAt = now,
        UpdatedAt = now,
        Version = 1,
    };

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>
    /// The same password under stronger hashing parameters (rehash on sign-in): not a credential change, so the
    /// security stamp stays and existing sessions live on.
    /// </summary>
    public void UpgradePasswordHash(string hash, DateTimeOffset now)
    {
        PasswordHash = hash;
        Touch(now);
    }

    /// <summary>An operator lifts a lock-out (<c>./ehr users unlock</c>): the failure count starts again from zero.</summary>
    public void Unlock(DateTimeOffset now)
    {
        FailedSignIns = 0;
        LockedUntil = null;
        Touch(now);
    }

    public bool IsLockedOut(DateTimeOffset now) => LockedUntil is { } until && until > now;

    public void SetPasswordHash(string hash, DateTimeOffset now)
    {
        PasswordHash = hash;
        Touch(now, newStamp: true);
    }

    /// <summary>
    /// A failed attempt: after <see cref="LockoutThreshold"/> failures in a row the account locks, each further failure
    /// doubling the delay (30 s, 1 min, 2 min, ... at most 1 h), so guessing slows to a crawl without locking a person out for good.
    /// </summary>
    public void RecordFailedSignIn(DateTimeOffset now)
    {
        FailedSignIns++;
        if (FailedSignIns >= LockoutThreshold)
        {
            LockedUntil = now + LockoutDelay(FailedSignIns);
        }

        Touch(now);
    }

    public const int LockoutThreshold = 5;

    public static TimeSpan LockoutDelay(int failures)
    {
        var doublings = Math.Clamp(failures - LockoutThreshold, 0, 7);
        var delay = TimeSpan.FromSeconds(30 * Math.Pow(2, doublings));
        return delay > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : delay;
    }

    public void RecordSuccessfulSignIn(DateTimeOffset now)
    {
        FailedSignIns = 0;
        LockedUntil = null;
        Touch(now);
    }

    public void BeginTotpEnrolment(string protectedSecret, DateTimeOffset now)
    {
        TotpSecret = protectedSecret;
        TotpEnabled = false;
        TotpLastStep = 0;
        Touch(now);
    }

    public void ConfirmTotp(long step, DateTimeOffset now)
    {
        TotpEnabled = true;
        TotpLastStep = step;
        Touch(now, newStamp: true);
    }

    /// <summary>Accepts a TOTP time step once: a replayed or older code is refused.</summary>
    public bool AcceptTotpStep(long step, DateTimeOffset now)
    {
        if (step <= TotpLastStep)
        {
            return false;
        }

        TotpLastStep = step;
        Touch(now);
        return true;
    }

    /// <summary>
    /// Turns MFA off and forgets the secret (an operator, after verifying the person, when the device and the recovery
    /// codes are lost). A new stamp ends sessions that passed the old second factor.
    /// </summary>
    public void ResetTotp(DateTimeOffset now)
    {
        TotpSecret = null;
        TotpEnabled = false;
        TotpLastStep = 0;
        Touch(now, newStamp: true);
    }

    public void Rename(string displayName, DateTimeOffset now)
    {
        DisplayName = displayName.Trim();
        Touch(now);
    }

    public void Deactivate(DateTimeOffset now)
    {
        Status = UserStatus.Deactivated;
        Touch(now, newStamp: true);
    }

    public void Reactivate(DateTimeOffset now)
    {
        Status = UserStatus.Active;
        Touch(now, newStamp: true);
    }

    private void Touch(DateTimeOffset now, bool newStamp = false)
    {
        UpdatedAt = now;
        Version++;
        if (newStamp)
        {
            SecurityStamp = Guid.NewGuid();
        }
    }
}

/// <summary>A one-time MFA recovery code, stored as its SHA-256 (the codes are random, so a fast hash suffices).</summary>
public sealed class RecoveryCode
{
    private RecoveryCode()
    {
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public byte[] CodeHash { get; private set; } = [];

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? UsedAt { get; private set; }

    public static RecoveryCode Create(Guid userId, byte[] hash, DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(), UserId = userId, CodeHash = hash, CreatedAt = now };

    public void Use(DateTimeOffset now) => UsedAt = now;
}
