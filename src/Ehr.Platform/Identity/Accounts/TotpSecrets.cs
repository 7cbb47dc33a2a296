using Microsoft.AspNetCore.DataProtection;
using OtpNet;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// TOTP secrets at rest: protected with ASP.NET Core Data Protection (purpose <c>Ehr.Totp</c>, key ring in
/// <c>platform.data_protection_keys</c>), so a copy of the users table alone does not give away anyone's codes.
/// </summary>
public sealed class TotpSecrets(IDataProtectionProvider protection)
{
    private readonly IDataProtector _protector = protection.CreateProtector(TotpCodes.ProtectionPurpose);

    internal string Protect(string base32Secret) => _protector.Protect(base32Secret);

    /// <summary>
    /// True when <paramref name="code"/> is valid now and its time step was not used before (RFC 6238 section 5.2:
    /// one code, one use); the accepted step is recorded on the user.
    /// </summary>
    internal bool Accept(UserAccount user, string? code, DateTimeOffset now)
    {
        if (user.TotpSecret is null)
        {
            return false;
        }

        var secret = Base32Encoding.ToBytes(_protector.Unprotect(user.TotpSecret));
        return TotpCodes.Match(secret, code, now) is { } step && user.AcceptTotpStep(step, now);
    }

    /// <summary>As <see cref="Accept"/>, for confirming an enrolment: the matched step becomes the last used one.</summary>
    internal long? MatchForConfirmation(UserAccount user, string? code, DateTimeOffset now) =>
        user.TotpSecret is null ? null : TotpCodes.Match(Base32Encoding.ToBytes(_protector.Unprotect(user.TotpSecret)), code, now);
}
