using System.Text;
using Ehr.Platform.Identity.Accounts;

namespace Ehr.Tests.Accounts;

/// <summary>RFC 6238 appendix B test vectors (SHA-1 secret "12345678901234567890").</summary>
public sealed class TotpCodesShould
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void MatchTheRfcEightDigitVectorsAtTheirStep(long unixSeconds, string code)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

        Assert.Equal(unixSeconds / 30, TotpCodes.Match(RfcSecret, code, at, digits: 8));
    }

    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1234567890L, "005924")]
    public void MatchTheSixDigitCodesAuthenticatorAppsShow(long unixSeconds, string code) =>
        // A 6-digit code is the same truncation modulo 10^6: the last six digits of the RFC's 8-digit value.
        Assert.Equal(unixSeconds / 30, TotpCodes.Match(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    [Fact]
    public void AcceptOneStepEitherSideAndNoMore()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1234567890);

        Assert.NotNull(TotpCodes.Match(RfcSecret, "005924", at.AddSeconds(30)));
        Assert.NotNull(TotpCodes.Match(RfcSecret, "005924", at.AddSeconds(-30)));
        Assert.Null(TotpCodes.Match(RfcSecret, "005924", at.AddSeconds(90)));
        Assert.Null(TotpCodes.Match(RfcSecret, "005924", at.AddSeconds(-90)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("00592")]
    [InlineData("0059245")]
    [InlineData("00592a")]
    [InlineData(null)]
    public void RefuseMalformedCodes(string? code) =>
        Assert.Null(TotpCodes.Match(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(1234567890)));

    [Fact]
    public void WriteAnOtpauthUriWithTheIssuer()
    {
        var uri = TotpCodes.Uri("JBSWY3DPEHPK3PXP", "ada@example.org");

        Assert.StartsWith("otpauth://totp/", uri);
        Assert.Contains("secret=JBSWY3DPEHPK3PXP", uri);
        Assert.Contains("issuer=Ehr.Saas", uri);
    }
}
