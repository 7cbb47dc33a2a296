using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Accounts;
using OtpNet;

namespace Ehr.IntegrationTests.Accounts;

public sealed class MultiFactorShould : IAsyncLifetime
{
    private const string Password = "lantern moss under quiet hills";
    private TestHost _host = null!;
    private AccountServices _accounts = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _accounts = new AccountServices(_host);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<TotpEnrolment> BeginAsync(Guid user) =>
        _accounts.RunAsync<BeginTotpEnrolment, TotpEnrolment>(b => b.HandleAsync(user, "198.51.100.4", CancellationToken.None));

    private Task<IReadOnlyList<string>> ConfirmAsync(Guid user, string code) =>
        _accounts.RunAsync<ConfirmTotpEnrolment, IReadOnlyList<string>>(c => c.HandleAsync(user, code, "198.51.100.4", CancellationToken.None));

    private Task<SignInAttemptResult> TotpAsync(Guid user, string code) =>
        _accounts.RunAsync<VerifySecondFactor, SignInAttemptResult>(v => v.TotpAsync(user, code, "198.51.100.4", CancellationToken.None));

    private Task<SignInAttemptResult> RecoveryAsync(Guid user, string code) =>
        _accounts.RunAsync<VerifySecondFactor, SignInAttemptResult>(v => v.RecoveryCodeAsync(user, code, "198.51.100.4", CancellationToken.None));

    /// <summary>The code an authenticator app would show at the test clock's time, <paramref name="steps"/> steps away.</summary>
    private string Code(string secret, int steps = 0) =>
        new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(_accounts.Clock.GetUtcNow().UtcDateTime.AddSeconds(30 * steps));

    private async Task<(UserAccount User, string Email, string Secret, IReadOnlyList<string> RecoveryCodes)> EnrolledAsync(string name)
    {
        var email = AccountServices.UniqueEmail(name);
        var user = await _accounts.CreateUserAsync(email, Password);
        var enrolment = await BeginAsync(user.Id);
        var codes = await ConfirmAsync(user.Id, Code(enrolment.Secret));
        _accounts.Clock.Advance(TimeSpan.FromSeconds(30));
        return (user, email, enrolment.Secret, codes);
    }

    [Fact]
    public async Task EnrolWithACodeFromTheAppAndThenAskForItAtSignIn()
    {
        var email = AccountServices.UniqueEmail("enrol");
        var user = await _accounts.CreateUserAsync(email, Password);

        var enrolment = await BeginAsync(user.Id);
        Assert.Equal(32, enrolment.Secret.Length); // 20 bytes in base32
        Assert.StartsWith("otpauth://totp/", enrolment.Uri);
        Assert.Contains("issuer=Ehr.Saas", enrolment.Uri);
        Assert.Contains("secret=" + enrolment.Secret, enrolment.Uri);
        Assert.False((await _accounts.SignInAsync(email, Password)).MfaRequired);

        var codes = await ConfirmAsync(user.Id, Code(enrolment.Secret));

        Assert.Equal(10, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[0-9a-z]{5}-[0-9a-z]{5}$", c));
        var signIn = await _accounts.SignInAsync(email, Password);
        Assert.Equal((SignInOutcome.Succeeded, true), (signIn.Outcome, signIn.MfaRequired));
        var events = (await _accounts.EventsAsync(email)).Select(e => (e.Event, e.Outcome)).ToList();
        Assert.Contains((SecurityEvents.TotpEnrolmentBegun, SecurityEvents.Success), events);
        Assert.Contains((SecurityEvents.TotpEnabled, SecurityEvents.Success), events);
    }

    [Fact]
    public async Task KeepTheSecretProtectedAtRest()
    {
        var (user, _, secret, _) = await EnrolledAsync("at-rest");

        var stored = (await _accounts.UserAsync(user.Id)).TotpSecret!;

        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.True(stored.Length > secret.Length);
    }

    [Fact]
    public async Task RefuseAWrongConfirmationCodeAndStayOff()
    {
        var user = await _accounts.CreateUserAsync(AccountServices.UniqueEmail("wrong-confirm"), Password);
        var enrolment = await BeginAsync(user.Id);
        var wrong = Code(enrolment.Secret, steps: 5);

        var refusal = await Assert.ThrowsAsync<EhrException>(() => ConfirmAsync(user.Id, wrong));

        Assert.Equal(ErrorCodes.ValidationFailed, refusal.Code);
        Assert.Equal(("code", ErrorCodes.InvalidCode), (refusal.FieldErrors[0].Path, refusal.FieldErrors[0].Code));
        Assert.False((await _accounts.UserAsync(user.Id)).TotpEnabled);
    }

    [Fact]
    public async Task AcceptTheCurrentStepAndOneEitherSideButNotTwo()
    {
        var (user, _, secret, _) = await EnrolledAsync("window");
        _accounts.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(SignInOutcome.InvalidCredentials, (await TotpAsync(user.Id, Code(secret, steps: -2))).Outcome);
        Assert.Equal(SignInOutcome.Succeeded, (await TotpAsync(user.Id, Code(secret, steps: -1))).Outcome);
        Assert.Equal(SignInOutcome.Succeeded, (await TotpAsync(user.Id, Code(secret))).Outcome);
        Assert.Equal(SignInOutcome.Succeeded, (await TotpAsync(user.Id, Code(secret, steps: 1))).Outcome);
        Assert.Equal(SignInOutcome.InvalidCredentials, (await TotpAsync(user.Id, Code(secret, steps: 2))).Outcome);
    }

    [Fact]
    public async Task RefuseAReplayedCode()
    {
        var (user, email, secret, _) = await EnrolledAsync("replay");
        var code = Code(secret);

        var first = await TotpAsync(user.Id, code);
        var replay = await TotpAsync(user.Id, code);

        Assert.Equal(SignInOutcome.Succeeded, first.Outcome);
        Assert.Equal(SignInOutcome.InvalidCredentials, replay.Outcome);
        Assert.Contains(await _accounts.EventsAsync(email), e => e.Event == SecurityEvents.SecondFactor && e.Outcome == SecurityEvents.Failure);
    }

    [Fact]
    public async Task AcceptEachRecoveryCodeOnce()
    {
        var (user, email, _, codes) = await EnrolledAsync("recovery");

        Assert.Equal(SignInOutcome.Succeeded, (await RecoveryAsync(user.Id, codes[3].ToUpperInvariant())).Outcome);
        Assert.Equal(SignInOutcome.InvalidCredentials, (await RecoveryAsync(user.Id, codes[3])).Outcome);
        Assert.Equal(SignInOutcome.Succeeded, (await RecoveryAsync(user.Id, codes[4].Replace("-", "", StringComparison.Ordinal))).Outcome);
        Assert.Equal(SignInOutcome.InvalidCredentials, (await RecoveryAsync(user.Id, "00000-00000")).Outcome);
        Assert.Contains(await _accounts.EventsAsync(email), e => e.Event == SecurityEvents.RecoveryCode && e.Outcome == SecurityEvents.Success);
    }

    [Fact]
    public async Task RegenerateRecoveryCodesWithACurrentCodeAndRetireTheOldOnes()
    {
        var (user, _, secret, old) = await EnrolledAsync("regenerate");

        var wrong = await Assert.ThrowsAsync<EhrException>(() => _accounts.RunAsync<RegenerateRecoveryCodes, IReadOnlyList<string>>(
            r => r.HandleAsync(user.Id, "000000" == Code(secret) ? "111111" : "000000", null, CancellationToken.None)));
        var fresh = await _accounts.RunAsync<RegenerateRecoveryCodes, IReadOnlyList<string>>(
            r => r.HandleAsync(user.Id, Code(secret), null, CancellationToken.None));

        Assert.Equal(ErrorCodes.ValidationFailed, wrong.Code);
        Assert.Empty(fresh.Intersect(old));
        Assert.Equal(SignInOutcome.InvalidCredentials, (await RecoveryAsync(user.Id, old[0])).Outcome);
        Assert.Equal(SignInOutcome.Succeeded, (await RecoveryAsync(user.Id, fresh[0])).Outcome);
    }

    [Fact]
    public async Task LockOutAfterWrongCodesEvenThoughThePasswordWasRight()
    {
        var (user, email, secret, _) = await EnrolledAsync("code-guessing");
        var wrong = Code(secret) == "123456" ? "654321" : "123456";

        for (var i = 0; i < UserAccount.LockoutThreshold; i++)
        {
            // The right password between guesses must not clear the count.
            Assert.True((await _accounts.SignInAsync(email, Password)).MfaRequired);
            Assert.Equal(SignInOutcome.InvalidCredentials, (await TotpAsync(user.Id, wrong)).Outcome);
        }

        var locked = await TotpAsync(user.Id, Code(secret));
        Assert.Equal(SignInOutcome.LockedOut, locked.Outcome);
        Assert.Equal(SignInOutcome.LockedOut, (await _accounts.SignInAsync(email, Password)).Outcome);

        _accounts.Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(SignInOutcome.Succeeded, (await TotpAsync(user.Id, Code(secret))).Outcome);
        Assert.Equal(0, (await _accounts.UserAsync(user.Id)).FailedSignIns);
    }

    [Fact]
    public async Task RefuseToRestartEnrolmentWhileMfaIsOn()
    {
        var (user, _, secret, _) = await EnrolledAsync("restart");

        var refusal = await Assert.ThrowsAsync<EhrException>(() => BeginAsync(user.Id));

        Assert.Equal(ErrorCodes.MfaAlreadyEnabled, refusal.Code);
        Assert.Equal(SignInOutcome.Succeeded, (await TotpAsync(user.Id, Code(secret))).Outcome);
    }
}
