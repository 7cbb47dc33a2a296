using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using OtpNet;
using static Ehr.BrowserTests.ConsolePages;

namespace Ehr.BrowserTests;

/// <summary>
/// The console in headless Chromium: signing in through our own authorization server (password, MFA set-up, then
/// the console's own session), the shell, and the pages a tenant admin uses. Screenshots are kept as artifacts.
/// </summary>
public sealed partial class ConsoleShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        // As ./ehr up runs it: no mail relay, so invitation links are shown to whoever sends them.
        _console = await BrowserHost.StartAsync(new Dictionary<string, string?> { ["Accounts:LogInvitationLinks"] = "true" });
        (_host, _browser) = (_console.Host, _console.Browser);
        _tenant = await _host.CreateTenantAsync("console");
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
    }

    private string Url(string path) => _console.Url(path);

    /// <summary>Signs a tenant admin in for the first time: password, MFA set-up (the policy requires it), console.</summary>
    private async Task<(IPage Page, Totp Totp)> SignInAdminAsync(IBrowserContext context, Person admin)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/console"));
        await Assertions.Expect(page).ToHaveURLAsync(LoginPage());
        await ShotAsync(page, "console-01-sign-in");
        await page.Locator("#email").FillAsync(admin.Email);
        await page.Locator("#password").FillAsync(admin.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Set up two-step sign-in" })).ToBeVisibleAsync();
        await ShotAsync(page, "console-02-mfa-setup");
        var totp = new Totp(Base32Encoding.ToBytes(await page.GetByTestId("totp-secret").InnerTextAsync()));
        await page.Locator("#code").FillAsync(totp.ComputeTotp(DateTime.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);
        await ShotAsync(page, "console-03-recovery-codes");
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue" }).ClickAsync();
        return (page, totp);
    }

    [Fact]
    public async Task SignATenantAdminInWithMfaAndShowTheAuditLog()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 800 } });

        var (page, _) = await SignInAdminAsync(context, admin);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync(_tenant.DisplayName);
        await ShotAsync(page, "console-04-home");

        await LiveAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("chain-status")).ToContainTextAsync("Chain intact");
        await Assertions.Expect(page.GetByTestId("audit-table")).ToContainTextAsync("auth.token_issued");
        await ShotAsync(page, "console-05-audit-log");
    }

    [Fact]
    public async Task LetATenantAdminCreateAnApiClientAndShowItsSecretOnce()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var context = await _browser.NewContextAsync();
        var (page, _) = await SignInAdminAsync(context, admin);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();

        await page.GotoAsync(Url("/console/api-clients"));
        await LiveAsync(page);
        await page.GetByLabel("Name").FillAsync("Partner back end");
        await page.GetByTestId("create-client").ClickAsync();

        await Assertions.Expect(page.GetByTestId("secret")).ToHaveTextAsync(SecretPattern());
        await ShotAsync(page, "console-06-api-client-created");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByText("Partner back end")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("secret")).ToHaveCountAsync(0);

        // Its rate limit changes from the table: out of range is refused with the field named, then 30 is kept.
        await LiveAsync(page);
        var clientId = (await page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Partner back end" }).Locator("td").First.InnerTextAsync()).Trim();
        var limit = page.GetByLabel($"Limit of {clientId}");
        await limit.FillAsync("200000");
        await limit.PressAsync("Tab");
        await page.GetByTestId($"save-limit-{clientId}").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("rateLimitPerMinute");
        await limit.FillAsync("30");
        await limit.PressAsync("Tab");
        await page.GetByTestId($"save-limit-{clientId}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"save-limit-{clientId}")).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel($"Limit of {clientId}")).ToHaveValueAsync("30");
    }

    [Fact]
    public async Task ShowOnlyThePagesAPersonsRolesAllow()
    {
        var physician = await _host.CreateAsync(_tenant, "physician");
        await using var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(Url("/console"));
        await page.Locator("#email").FillAsync(physician.Email);
        await page.Locator("#password").FillAsync(physician.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "API clients" })).ToHaveCountAsync(0);
        await page.GotoAsync(Url("/console/api-clients"));
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("lacks the permission 'apiclient.manage'");
        await ShotAsync(page, "console-07-physician-refused");
    }

    [Fact]
    public async Task SignOutAndAskForTheSecondFactorNextTime()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var context = await _browser.NewContextAsync();
        var (page, totp) = await SignInAdminAsync(context, admin);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();

        await page.GetByTestId("sign-out").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You are signed out" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in again" }).ClickAsync();
        await page.Locator("#email").FillAsync(admin.Email);
        await page.Locator("#password").FillAsync(admin.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Two-step sign-in" })).ToBeVisibleAsync();
        await ShotAsync(page, "console-08-mfa-challenge");
        // The set-up consumed the current time step; the next one is accepted once.
        await page.Locator("#code").FillAsync(totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task InviteAPersonWhoJoinsAndGetsARoleChangeOnTheirNextPage()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var adminContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 800 } });
        var (adminPage, _) = await SignInAdminAsync(adminContext, admin);
        await Assertions.Expect(adminPage.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        var email = $"new{Guid.NewGuid():N}"[..16] + "@example.test";

        // The admin invites a front-desk colleague.
        await adminPage.GotoAsync(Url("/console/members"));
        await LiveAsync(adminPage);
        await adminPage.GetByLabel("E-mail to invite").FillAsync(email);
        await adminPage.GetByTestId("invite").ClickAsync();
        await Assertions.Expect(adminPage.GetByTestId("notice")).ToContainTextAsync("Invitation sent");
        await ShotAsync(adminPage, "console-09-invited");

        // No mail relay (development): the console shows the admin the very link the e-mail in the outbox carries.
        var link = await adminPage.GetByTestId("invitation-link").GetAttributeAsync("href");
        Assert.Equal(await InvitationLinkAsync(email), link);

        // The colleague follows it.
        await using var newContext = await _browser.NewContextAsync();
        var page = await newContext.NewPageAsync();
        await page.GotoAsync(link!);
        await page.Locator("#name").FillAsync("New Colleague");
        await page.Locator("#password").FillAsync("Tulip-orbit-" + Guid.NewGuid().ToString("N")[..10]);
        var password = await page.Locator("#password").InputValueAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome to " + _tenant.DisplayName })).ToBeVisibleAsync();
        await ShotAsync(page, "console-10-joined");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, New Colleague" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);

        // The admin makes them an auditor; their very next page shows the audit log.
        await adminPage.ReloadAsync();
        await LiveAsync(adminPage);
        await adminPage.GetByLabel($"New role for {email}").SelectOptionAsync("auditor");
        await adminPage.GetByLabel($"Save role of {email}").ClickAsync();
        await Assertions.Expect(adminPage.GetByTestId("notice")).ToContainTextAsync("is now auditor");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToBeVisibleAsync();
        await ShotAsync(page, "console-11-role-changed");
    }

    [Fact]
    public async Task LetATenantAdminDefineARoleAndTightenTheSecurityPolicy()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var (page, _) = await SignInAdminAsync(context, admin);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        var key = "sched" + Guid.NewGuid().ToString("N")[..4];

        await page.GotoAsync(Url("/console/roles"));
        await LiveAsync(page);
        await page.GetByLabel("Key (e.g. scheduler)").FillAsync("Not A Key");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Broken");
        await page.GetByLabel("Permissions (space separated)").FillAsync("patient.read");
        await page.GetByTestId("define-role").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("input.key");
        await page.GetByLabel("Key (e.g. scheduler)").FillAsync(key);
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Scheduler");
        await page.GetByTestId("define-role").ClickAsync();
        await Assertions.Expect(page.GetByTestId("roles")).ToContainTextAsync(key);
        await ShotAsync(page, "console-12-roles");

        await page.GotoAsync(Url("/console/security"));
        await LiveAsync(page);
        var idle = page.GetByLabel("Idle time-out, automatic log-off (minutes, 5-240)");
        await idle.FillAsync("3");
        await page.GetByTestId("save-policy").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("idleTimeoutMinutes");
        await idle.FillAsync("20");
        await page.GetByTestId("save-policy").ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("Saved");
        await page.ReloadAsync();
        await LiveAsync(page);
        await Assertions.Expect(page.GetByLabel("Idle time-out, automatic log-off (minutes, 5-240)")).ToHaveValueAsync("20");
        await ShotAsync(page, "console-13-security-policy");
    }

    private async Task<string> InvitationLinkAsync(string email)
    {
        await using var sql = await _host.OpenSqlAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT body FROM platform.email_outbox WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1", sql);
        cmd.Parameters.AddWithValue(email);
        var body = (string)(await cmd.ExecuteScalarAsync())!;
        return InvitationLink().Match(body).Value;
    }

    [GeneratedRegex(@"https?://\S+/account/invitation\?token=[A-Za-z0-9_-]+")]
    private static partial Regex InvitationLink();

    private static Regex LoginPage() => LoginPageRegex();

    [GeneratedRegex("/account/login")]
    private static partial Regex LoginPageRegex();

    [GeneratedRegex("^ehrs_[A-Za-z0-9_-]{43}$")]
    private static partial Regex SecretPattern();
}
