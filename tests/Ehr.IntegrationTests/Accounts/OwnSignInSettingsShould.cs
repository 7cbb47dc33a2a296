using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Tenancy;
using OtpNet;

namespace Ehr.IntegrationTests.Accounts;

/// <summary>A signed-in person turns on two-step sign-in for their own account through GraphQL.</summary>
public sealed class OwnSignInSettingsShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private AccountServices _accounts = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("own-mfa");
        _accounts = new AccountServices(_host);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task TurnOnTotpAndGetRecoveryCodesOnce()
    {
        var email = AccountServices.UniqueEmail("self");
        var user = await _accounts.CreateUserAsync(email, "pebble harbour at dusk again");
        using var client = _host.Client(_host.Token(_tenant.Slug, user.Id.ToString(), "physician"));

        var enrolment = (await client.GraphQLAsync("mutation { beginTotpEnrolment { secret uri } }")).DataOrThrow["beginTotpEnrolment"]!;
        var secret = enrolment["secret"]!.GetValue<string>();
        var code = new Totp(Base32Encoding.ToBytes(secret)).ComputeTotp(DateTime.UtcNow);
        var confirmed = await client.GraphQLAsync("mutation($code: String!) { confirmTotpEnrolment(code: $code) }", new { code });

        Assert.Contains("issuer=Ehr.Saas", enrolment["uri"]!.GetValue<string>());
        Assert.Equal(10, confirmed.DataOrThrow["confirmTotpEnrolment"]!.AsArray().Count);
        Assert.True((await _accounts.UserAsync(user.Id)).TotpEnabled);
        var again = await client.GraphQLAsync("mutation { beginTotpEnrolment { secret } }");
        Assert.Equal("MFA_ALREADY_ENABLED", again.Code);
    }

    [Fact]
    public async Task ChangeTheirOwnPasswordGivenTheCurrentOne()
    {
        var email = AccountServices.UniqueEmail("new-password");
        var user = await _accounts.CreateUserAsync(email, "pebble harbour at dusk again");
        using var client = _host.Client(_host.Token(_tenant.Slug, user.Id.ToString(), "physician"));
        const string Change = "mutation($input: ChangePasswordInput!) { changePassword(input: $input) }";

        var wrong = await client.GraphQLAsync(Change, new { input = new { currentPassword = "not it", newPassword = "walnut lighthouse in fog" } });
        var weak = await client.GraphQLAsync(Change, new { input = new { currentPassword = "pebble harbour at dusk again", newPassword = "qwerty123456" } });
        var changed = await client.GraphQLAsync(Change, new { input = new { currentPassword = "pebble harbour at dusk again", newPassword = "walnut lighthouse in fog" } });

        Assert.Equal(["input.currentPassword"], wrong.FieldPaths);
        Assert.Equal(["input.newPassword"], weak.FieldPaths);
        Assert.True(changed.DataOrThrow["changePassword"]!.GetValue<bool>());
        Assert.Equal(SignInOutcome.InvalidCredentials, (await _accounts.SignInAsync(email, "pebble harbour at dusk again")).Outcome);
        Assert.Equal(SignInOutcome.Succeeded, (await _accounts.SignInAsync(email, "walnut lighthouse in fog")).Outcome);
        Assert.NotEqual(user.SecurityStamp, (await _accounts.UserAsync(user.Id)).SecurityStamp);
    }

    [Fact]
    public async Task RefuseCallersWithoutAnAccountOfTheirOwn()
    {
        using var devToken = _host.Client(_host.Token(_tenant.Slug, "dr.nobody", "physician"));

        var result = await devToken.GraphQLAsync("mutation { beginTotpEnrolment { secret } }");

        Assert.Equal("FORBIDDEN", result.Code);
    }
}
