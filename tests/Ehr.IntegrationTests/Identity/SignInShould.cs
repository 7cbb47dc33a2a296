using System.Net;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OtpNet;

namespace Ehr.IntegrationTests.Identity;

/// <summary>
/// Authorization code with PKCE through the real sign-in pages, as a third-party app would use it: exact redirect
/// URIs, single-use rotating refresh tokens, MFA by policy, lock-out, and changes that bite on the next request.
/// </summary>
public sealed class SignInShould : IAsyncLifetime
{
    private const string RedirectUri = "http://127.0.0.1:9/callback";
    private const string Viewer = "{ viewer { id tenant roles } }";
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private string _app = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("signin");
        _app = await _host.RegisterAppAsync(RedirectUri);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Signs in through the pages and returns the code the app receives (the person needs no MFA).</summary>
    private async Task<(HttpClient Browser, string Code, string Verifier)> AuthorizeAsync(Person person)
    {
        var (browser, _) = _host.Browserless();
        var (verifier, challenge) = People.Pkce();
        var toLogin = await browser.GetAsync(People.AuthorizeUrl(_app, RedirectUri, challenge, _tenant.Slug));
        Assert.Equal(HttpStatusCode.Redirect, toLogin.StatusCode);
        var login = toLogin.Location();
        Assert.StartsWith("/account/login?returnUrl=", login, StringComparison.Ordinal);

        using var posted = await browser.SubmitFormAsync(login, "login",
            new Dictionary<string, string> { ["Input.Email"] = person.Email, ["Input.Password"] = person.Password });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        using var back = await browser.FollowAsync(posted.Location());
        var callback = back.Location();
        Assert.StartsWith(RedirectUri + "?", callback, StringComparison.Ordinal);
        return (browser, People.QueryValue(callback, "code"), verifier);
    }

    private Task<Oidc.TokenAnswer> RedeemAsync(string code, string verifier) =>
        _host.Client().TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = _app,
            ["code"] = code,
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        });

    private Task<Oidc.TokenAnswer> RefreshAsync(string refreshToken) =>
        _host.Client().TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = _app,
            ["refresh_token"] = refreshToken,
        });

    [Fact]
    public async Task IssueTokensCarryingTheTenantAndTheMembershipsRoles()
    {
        var person = await _host.CreateAsync(_tenant, "physician");
        var (_, code, verifier) = await AuthorizeAsync(person);

        var tokens = await RedeemAsync(code, verifier);
        using var api = _host.Client(tokens.AccessToken);
        var viewer = (await api.GraphQLAsync(Viewer)).DataOrThrow["viewer"]!;

        Assert.Equal(200, tokens.Status);
        Assert.NotNull(tokens.RefreshToken);
        Assert.NotNull(tokens.Body["id_token"]);
        Assert.Equal(person.Id.ToString(), viewer["id"]!.GetValue<string>());
        Assert.Equal(_tenant.Slug, viewer["tenant"]!.GetValue<string>());
        Assert.Equal(["physician"], viewer["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task RefuseACodeWithoutItsVerifierAndUseACodeOnlyOnce()
    {
        var person = await _host.CreateAsync(_tenant, "physician");
        var (_, code, verifier) = await AuthorizeAsync(person);

        var wrongVerifier = await RedeemAsync(code, People.Pkce().Verifier);
        var (_, code2, verifier2) = await AuthorizeAsync(person);
        var first = await RedeemAsync(code2, verifier2);
        var again = await RedeemAsync(code2, verifier2);

        Assert.Equal("invalid_grant", wrongVerifier.Error);
        Assert.Equal(200, first.Status);
        Assert.Equal("invalid_grant", again.Error);
        _ = verifier;
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/callback/")]
    [InlineData("http://127.0.0.1:9/callback?next=https://evil.example")]
    [InlineData("http://127.0.0.1:9/Callback")]
    [InlineData("https://evil.example/callback")]
    [InlineData("http://127.0.0.1:9/callback/../evil")]
    public async Task RefuseAnyRedirectUriThatIsNotExactlyRegistered(string redirectUri)
    {
        var (browser, _) = _host.Browserless();

        using var response = await browser.GetAsync(People.AuthorizeUrl(_app, redirectUri, People.Pkce().Challenge, _tenant.Slug));

        // No redirect anywhere: the error is shown by the server itself.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Fact]
    public async Task RefuseAnAuthorizationRequestWithoutPkce()
    {
        var (browser, _) = _host.Browserless();
        var url = People.AuthorizeUrl(_app, RedirectUri, People.Pkce().Challenge, _tenant.Slug)
            .Replace("&code_challenge_method=S256", "", StringComparison.Ordinal);
        url = System.Text.RegularExpressions.Regex.Replace(url, "&code_challenge=[^&]+", "");

        using var response = await browser.GetAsync(url);

        // Refused on the server's own error page: no code, no redirect.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("Not A Slug!", "invalid_request")]
    [InlineData("no-such-tenant-here", "access_denied")]
    public async Task AnswerAnUnusableTenantParameterWithAnErrorAndNoCode(string tenant, string error)
    {
        var person = await _host.CreateAsync(_tenant, "physician");
        var (browser, _) = _host.Browserless();
        var (_, challenge) = People.Pkce();
        var login = (await browser.GetAsync(People.AuthorizeUrl(_app, RedirectUri, challenge, tenant))).Location();

        using var posted = await browser.SubmitFormAsync(login, "login",
            new Dictionary<string, string> { ["Input.Email"] = person.Email, ["Input.Password"] = person.Password });
        using var back = await browser.FollowAsync(posted.Location());
        var callback = back.Location();

        Assert.StartsWith(RedirectUri + "?", callback, StringComparison.Ordinal);
        Assert.Equal(error, People.QueryValue(callback, "error"));
        Assert.DoesNotContain("code=", callback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateRefreshTokensAndRevokeTheWholeFamilyWhenOneIsReused()
    {
        var person = await _host.CreateAsync(_tenant, "physician");
        var (_, code, verifier) = await AuthorizeAsync(person);
        var first = await RedeemAsync(code, verifier);

        var second = await RefreshAsync(first.RefreshToken!);
        var replay = await RefreshAsync(first.RefreshToken!);
        var afterTheft = await RefreshAsync(second.RefreshToken!);
        using var api = _host.Client(second.AccessToken);
        var call = await api.GraphQLAsync(Viewer);

        Assert.Equal(200, second.Status);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal("invalid_grant", replay.Error);
        Assert.Equal("invalid_grant", afterTheft.Error);
        Assert.Equal(401, call.Status);
    }

    [Fact]
    public async Task RefuseADeactivatedMemberOnTheNextRequestAndAtRefresh()
    {
        var person = await _host.CreateAsync(_tenant, "physician");
        var (_, code, verifier) = await AuthorizeAsync(person);
        var tokens = await RedeemAsync(code, verifier);
        using var api = _host.Client(tokens.AccessToken);
        Assert.Null((await api.GraphQLAsync(Viewer)).Errors);

        await _host.ChangeMembershipAsync(person, (m, now) => m.Deactivate(now));
        var next = await api.GraphQLAsync(Viewer);
        var refresh = await RefreshAsync(tokens.RefreshToken!);

        Assert.Equal(401, next.Status);
        Assert.Equal("ACCESS_REVOKED", next.Code);
        Assert.Equal("invalid_grant", refresh.Error);
    }

    [Fact]
    public async Task ApplyARoleChangeOnTheNextRequest()
    {
        var person = await _host.CreateAsync(_tenant, "front-desk");
        var (_, code, verifier) = await AuthorizeAsync(person);
        using var api = _host.Client((await RedeemAsync(code, verifier)).AccessToken);
        const string Audit = "{ auditLog(first: 1) { edges { cursor } } }";
        Assert.Equal("FORBIDDEN", (await api.GraphQLAsync(Audit)).Code);

        await _host.ChangeMembershipAsync(person, (m, now) => m.Assign(["auditor"], [], now));

        Assert.Null((await api.GraphQLAsync(Audit)).Errors);
    }

    [Fact]
    public async Task LockTheAccountAfterRepeatedWrongPasswordsEvenForTheRightOne()
    {
        var person = await _host.CreateAsync(_tenant, "physician");
        var (browser, _) = _host.Browserless();
        var login = "/account/login?returnUrl=%2Fconsole";

        for (var i = 0; i < UserAccount.LockoutThreshold; i++)
        {
            using var wrong = await browser.SubmitFormAsync(login, "login",
                new Dictionary<string, string> { ["Input.Email"] = person.Email, ["Input.Password"] = "wrong-" + i });
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        }

        using var right = await browser.SubmitFormAsync(login, "login",
            new Dictionary<string, string> { ["Input.Email"] = person.Email, ["Input.Password"] = person.Password });
        var page = await right.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("Too many attempts", page, StringComparison.Ordinal);
        Assert.DoesNotContain(right.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("ehr.session=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RefuseASignInFormPostedWithoutItsAntiforgeryToken()
    {
        var person = await _host.CreateAsync(_tenant, "physician");
        var (browser, _) = _host.Browserless();

        using var response = await browser.SubmitFormAsync("/account/login", "login",
            new Dictionary<string, string> { ["Input.Email"] = person.Email, ["Input.Password"] = person.Password }, withAntiforgery: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task MakeATenantAdminSetUpMfaThenAskForItAtEverySignIn()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        var (browser, _) = _host.Browserless();
        var (verifier, challenge) = People.Pkce();

        // Password first; the default policy requires MFA of tenant admins, so the set-up page comes next.
        var login = (await browser.GetAsync(People.AuthorizeUrl(_app, RedirectUri, challenge, _tenant.Slug))).Location();
        using var posted = await browser.SubmitFormAsync(login, "login",
            new Dictionary<string, string> { ["Input.Email"] = admin.Email, ["Input.Password"] = admin.Password });
        using var toSetup = await browser.GetAsync(posted.Location());
        var setup = toSetup.Location();
        Assert.StartsWith("/account/mfa/setup?returnUrl=", setup, StringComparison.Ordinal);

        var setupPage = await (await browser.GetAsync(setup)).Content.ReadAsStringAsync();
        var secret = System.Text.RegularExpressions.Regex.Match(setupPage, "data-testid=\"totp-secret\">([A-Z2-7]+)<").Groups[1].Value;
        Assert.True(secret.Length > 0, setupPage);
        var totp = new Totp(Base32Encoding.ToBytes(secret));
        using var confirmed = await browser.PostAsync(setup, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "mfa-setup",
            ["__RequestVerificationToken"] = System.Text.RegularExpressions.Regex.Match(setupPage, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value,
            ["Input.Code"] = totp.ComputeTotp(DateTime.UtcNow),
        }));
        var confirmedPage = await confirmed.Content.ReadAsStringAsync();
        Assert.Contains("recovery-codes", confirmedPage, StringComparison.Ordinal);

        using var back = await browser.FollowAsync(People.QueryValue(_host.Address + setup.TrimStart('/'), "returnUrl"));
        var tokens = await RedeemAsync(People.QueryValue(back.Location(), "code"), verifier);
        Assert.Equal(200, tokens.Status);

        // A new browser: password, then the code (the next time step: each step is accepted once).
        var (second, _) = _host.Browserless();
        var (_, challenge2) = People.Pkce();
        var login2 = (await second.GetAsync(People.AuthorizeUrl(_app, RedirectUri, challenge2, _tenant.Slug))).Location();
        using var posted2 = await second.SubmitFormAsync(login2, "login",
            new Dictionary<string, string> { ["Input.Email"] = admin.Email, ["Input.Password"] = admin.Password });
        var mfa = posted2.Location();
        Assert.StartsWith("/account/mfa?returnUrl=", mfa, StringComparison.Ordinal);
        using var wrong = await second.SubmitFormAsync(mfa, "mfa", new Dictionary<string, string> { ["Input.Code"] = "000000" });
        Assert.Contains("not right", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var right = await second.SubmitFormAsync(mfa, "mfa",
            new Dictionary<string, string> { ["Input.Code"] = totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30)) });
        using var done = await second.FollowAsync(right.Location());
        Assert.StartsWith(RedirectUri + "?code=", done.Location(), StringComparison.Ordinal);

        await using var scope = _host.Services.CreateAsyncScope();
        var events = await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().SecurityEvents.AsNoTracking()
            .Where(e => e.UserId == admin.Id).Select(e => e.Event + ":" + e.Outcome).ToListAsync();
        Assert.Contains(events, e => e.EndsWith(":failure", StringComparison.Ordinal));
        Assert.True(events.Count >= 4, string.Join(", ", events));
    }
}
