namespace Ehr.Platform.Identity.Accounts;

/// <summary>The <see cref="SecurityEvent.Event"/> names and outcomes we write. Reports filter on them: never rename one.</summary>
public static class SecurityEvents
{
    public const string SignIn = "sign-in";
    public const string SecondFactor = "mfa.verify";
    public const string RecoveryCode = "mfa.recovery-code";
    public const string TotpEnrolmentBegun = "mfa.totp.enrolment-begun";
    public const string TotpEnabled = "mfa.totp.enabled";
    public const string RecoveryCodesRegenerated = "mfa.recovery-codes.regenerated";
    public const string AccountCreated = "account.created";
    public const string AccountUnlocked = "account.unlocked";
    public const string MfaReset = "mfa.reset";
    public const string PasswordChanged = "password.changed";
    public const string InvitationAccepted = "invitation.accepted";

    public const string Success = "success";
    public const string Failure = "failure";
    public const string LockedOut = "locked-out";
    public const string Deactivated = "deactivated";
}
