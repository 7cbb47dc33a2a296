using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ehr.IntegrationTests.Accounts;

public sealed class PasswordSignInShould : IAsyncLifetime
{
    private const string Password = "correct horse battery staple";
    private TestHost _host = null!;
    private AccountServices _accounts = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _accounts = new AccountServices(_host);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task SucceedWithTheRightPasswordAndRecordIt()
    {
        var email = AccountServices.UniqueEmail("Right");
        var user = await _accounts.CreateUserAsync(email, Password);

        var result = await _accounts.SignInAsync("  " + email.ToUpperInvariant() + " ", Password);

        Assert.Equal(SignInOutcome.Succeeded, result.Outcome);
        Assert.Equal(user.Id, result.User!.Id);
        Assert.False(result.MfaRequired);
        var signIn = Assert.Single(await _accounts.EventsAsync(email), e => e.Event == SecurityEvents.SignIn);
        Assert.Equal((SecurityEvents.Success, user.Id, "203.0.113.7"), (signIn.Outcome, signIn.UserId, signIn.ClientAddress));
    }

    [Fact]
    public async Task RefuseAWrongPasswordAndRecordTheTypedEmail()
    {
        var email = AccountServices.UniqueEmail("wrong");
        var user = await _accounts.CreateUserAsync(email, Password);

        var result = await _accounts.SignInAsync(email, "correct horse battery stapler");

        Assert.Equal(SignInOutcome.InvalidCredentials, result.Outcome);
        Assert.Null(result.User);
        Assert.Equal(1, (await _accounts.UserAsync(user.Id)).FailedSignIns);
        var failure = Assert.Single(await _accounts.EventsAsync(email), e => e.Event == SecurityEvents.SignIn);
        Assert.Equal((SecurityEvents.Failure, user.Id), (failure.Outcome, failure.UserId));
    }

    [Fact]
    public async Task AnswerAnUnknownEmailExactlyLikeAWrongPassword()
    {
        var email = AccountServices.UniqueEmail("nobody");

        var result = await _accounts.SignInAsync(email, Password);

        Assert.Equal(new SignInAttemptResult(SignInOutcome.InvalidCredentials), result);
        var failure = Assert.Single(await _accounts.EventsAsync(email));
        Assert.Equal((SecurityEvents.SignIn, SecurityEvents.Failure, (Guid?)null), (failure.Event, failure.Outcome, failure.UserId));
    }

    [Fact]
    public async Task LockTheAccountWithGrowingDelays()
    {
        var email = AccountServices.UniqueEmail("locked");
        var user = await _accounts.CreateUserAsync(email, Password);

        for (var i = 1; i < UserAccount.LockoutThreshold; i++)
        {
            Assert.Null((await _accounts.SignInAsync(email, "guess number " + i)).LockedUntil);
        }

        var fifth = await _accounts.SignInAsync(email, "guess number five");
        Assert.Equal(_accounts.Clock.GetUtcNow() + TimeSpan.FromSeconds(30), fifth.LockedUntil);

        // Locked: even the right password is refused, and guessing does not extend or reveal anything.
        var whileLocked = await _accounts.SignInAsync(email, Password);
        Assert.Equal(SignInOutcome.LockedOut, whileLocked.Outcome);
        Assert.Equal(fifth.LockedUntil, whileLocked.LockedUntil);

        _accounts.Clock.Advance(TimeSpan.FromSeconds(31));
        var sixth = await _accounts.SignInAsync(email, "guess number six");
        Assert.Equal(_accounts.Clock.GetUtcNow() + TimeSpan.FromMinutes(1), sixth.LockedUntil);

        _accounts.Clock.Advance(TimeSpan.FromSeconds(61));
        var seventh = await _accounts.SignInAsync(email, "guess number seven");
        Assert.Equal(_accounts.Clock.GetUtcNow() + TimeSpan.FromMinutes(2), seventh.LockedUntil);

        _accounts.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(SignInOutcome.Succeeded, (await _accounts.SignInAsync(email, Password)).Outcome);
        Assert.Equal((0, (DateTimeOffset?)null), ((await _accounts.UserAsync(user.Id)).FailedSignIns, (await _accounts.UserAsync(user.Id)).LockedUntil));
        Assert.Contains(await _accounts.EventsAsync(email), e => e.Outcome == SecurityEvents.LockedOut);
    }

    [Fact]
    public async Task CountEveryOneOfManyParallelGuesses()
    {
        var email = AccountServices.UniqueEmail("parallel");
        var user = await _accounts.CreateUserAsync(email, Password);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => _accounts.SignInAsync(email, "parallel guess " + i)));

        // Attempts on one account queue on its row: exactly the threshold is checked, the rest meet the lock.
        Assert.Equal(UserAccount.LockoutThreshold, results.Count(r => r.Outcome == SignInOutcome.InvalidCredentials));
        Assert.Equal(8 - UserAccount.LockoutThreshold, results.Count(r => r.Outcome == SignInOutcome.LockedOut));
        Assert.Equal(UserAccount.LockoutThreshold, (await _accounts.UserAsync(user.Id)).FailedSignIns);
    }

    [Fact]
    public async Task UpgradeAWeakerHashOnSuccessWithoutEndingSessions()
    {
        var email = AccountServices.UniqueEmail("rehash");
        var user = await _accounts.CreateUserAsync(email, Password);
        var weak = new PasswordHasher<UserAccount>(Options.Create(new PasswordHasherOptions { IterationCount = 1_000 }));
        await _accounts.ChangeUserAsync(user.Id, u => u.UpgradePasswordHash(weak.HashPassword(u, Password), _accounts.Clock.GetUtcNow()));
        var before = await _accounts.UserAsync(user.Id);

        Assert.Equal(SignInOutcome.Succeeded, (await _accounts.SignInAsync(email, Password)).Outcome);

        var after = await _accounts.UserAsync(user.Id);
        var hasher = _host.Services.GetRequiredService<IPasswordHasher<UserAccount>>();
        Assert.Equal(PasswordVerificationResult.SuccessRehashNeeded, hasher.VerifyHashedPassword(before, before.PasswordHash!, Password));
        Assert.NotEqual(before.PasswordHash, after.PasswordHash);
        Assert.Equal(PasswordVerificationResult.Success, hasher.VerifyHashedPassword(after, after.PasswordHash!, Password));
        Assert.Equal(before.SecurityStamp, after.SecurityStamp);
    }

    [Fact]
    public async Task TellADeactivatedAccountOnlyToSomeoneWithItsPassword()
    {
        var email = AccountServices.UniqueEmail("gone");
        var user = await _accounts.CreateUserAsync(email, Password);
        await _accounts.ChangeUserAsync(user.Id, u => u.Deactivate(_accounts.Clock.GetUtcNow()));

        Assert.Equal(SignInOutcome.InvalidCredentials, (await _accounts.SignInAsync(email, "not the password at all")).Outcome);
        Assert.Equal(SignInOutcome.Deactivated, (await _accounts.SignInAsync(email, Password)).Outcome);
        Assert.Contains(await _accounts.EventsAsync(email), e => e.Outcome == SecurityEvents.Deactivated);
    }

    [Fact]
    public async Task StoreOnlyAPbkdf2Hash()
    {
        var email = AccountServices.UniqueEmail("hash");
        var user = await _accounts.CreateUserAsync(email, Password);

        var stored = (await _accounts.UserAsync(user.Id)).PasswordHash!;

        Assert.DoesNotContain(Password, stored, StringComparison.Ordinal);
        Assert.Equal(0x01, Convert.FromBase64String(stored)[0]); // Identity V3: PBKDF2 with a per-user salt
    }
}
