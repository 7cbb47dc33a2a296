using OtpNet;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// RFC 6238 TOTP as authenticator apps do it: HMAC-SHA1, 30-second steps, 6 digits, a 20-byte (160-bit) secret as
/// RFC 4226 recommends. A code is accepted for the current step and one step either side (clock drift).
/// </summary>
internal static class TotpCodes
{
    public const int SecretBytes = 20;
    public const string Issuer = "Ehr.Saas";
    public const string ProtectionPurpose = "Ehr.Totp";

    /// <summary>The time step a code matches at <paramref name="now"/>, or null (wrong, malformed or out of the window).</summary>
    public static long? Match(byte[] secret, string? code, DateTimeOffset now, int digits = 6)
    {
        var cleaned = (code ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (cleaned.Length != digits || !cleaned.All(char.IsAsciiDigit))
        {
            return null;
        }

        var totp = new Totp(secret, step: 30, mode: OtpHashMode.Sha1, totpSize: digits);
        return totp.VerifyTotp(now.UtcDateTime, cleaned, out var step, new VerificationWindow(previous: 1, future: 1)) ? step : null;
    }

    /// <summary>The <c>otpauth://</c> URI an authenticator app reads (usually from a QR code).</summary>
    public static string Uri(string base32Secret, string email) =>
        new OtpUri(OtpType.Totp, base32Secret, email, Issuer).ToString();
}
