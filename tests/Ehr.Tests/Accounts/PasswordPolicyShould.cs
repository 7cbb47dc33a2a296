using Ehr.Platform.Identity.Accounts;

namespace Ehr.Tests.Accounts;

public sealed class PasswordPolicyShould
{
    private static IReadOnlyList<string> Codes(string? password, int minimum = 12, string email = "ada.lovelace@example.org") =>
        PasswordPolicy.Check(password, email, minimum, "input.password").Select(e => e.Code).ToList();

    [Fact]
    public void AcceptALongUnusualPassphrase() =>
        Assert.Empty(Codes("violet kettle orbits quietly"));

    [Theory]
    [InlineData("short1!", 12)]
    [InlineData("elevenchars", 12)]
    [InlineData("fifteen chars!!", 16)]
    public void RefuseAPasswordShorterThanTheMinimum(string password, int minimum) =>
        Assert.Contains("TOO_SHORT", Codes(password, minimum));

    [Fact]
    public void CountCharactersNotBytes() =>
        // Twelve code points (emoji take two UTF-16 units each): long enough.
        Assert.DoesNotContain("TOO_SHORT", Codes("ab🙂cd🙂ef🙂gh🙂"));

    [Fact]
    public void RefuseMoreThan128Characters()
    {
        Assert.Contains("TOO_LONG", Codes(new string('q', 129) + " river"));
        Assert.DoesNotContain("TOO_LONG", Codes(string.Concat(Enumerable.Repeat("tide pool ", 11)) + "crab cove"));
    }

    [Theory]
    [InlineData("LeaveMeAlone")]
    [InlineData("PASSWORD1234567890")]
    [InlineData("!!Sunshine2024!!")]
    [InlineData("1qaz2wsx3edc")]
    public void RefuseCommonPasswordsAndThemWithDigitsOrSymbolsAround(string password) =>
        Assert.Contains("COMMON_PASSWORD", Codes(password));

    [Fact]
    public void RefuseAPasswordContainingTheEmailLocalPart() =>
        Assert.Contains("CONTAINS_EMAIL", Codes("my Ada.Lovelace secret", email: "ada.lovelace@example.org"));

    [Fact]
    public void NameTheFieldInEveryError()
    {
        var errors = PasswordPolicy.Check("pass", "x@example.org", 12, "input.password");

        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.Equal("input.password", e.Path));
    }

    [Fact]
    public void RequireAPassword() =>
        Assert.Equal(["REQUIRED"], Codes(""));

    [Fact]
    public void LoadTheWholeCommonPasswordList() =>
        Assert.True(CommonPasswords.Count > 40_000, $"only {CommonPasswords.Count} common passwords loaded");
}
