using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;

namespace Ehr.BrowserTests;

/// <summary>
/// The patient portal in headless Chromium: staff invite a patient from the console, the patient joins through the
/// e-mailed link, signs in through the same authorization server and lands on their own record (never the console),
/// and a proxy switches between the records shared with them. Screenshots are kept as artifacts.
/// </summary>
public sealed partial class PortalShould : IAsyncLifetime
{
    private const string Register = "mutation($input: PatientInput!) { registerPatient(input: $input) { id mrn } }";

    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;
    private Tenant _tenant = null!;
    private HttpClient _staffApi = null!;
    private string _family = "";

    public async Task InitializeAsync()
    {
        _console = await BrowserHost.StartAsync();
        (_host, _browser) = (_console.Host, _console.Browser);
        _tenant = await _host.CreateTenantAsync("portal-ui");
        _staffApi = _host.Client(_host.Token(_tenant.Slug, "front.desk.api", "front-desk"));
        _family = "Quill" + Guid.NewGuid().ToString("N")[..5];
    }

    public async Task DisposeAsync()
    {
        _staffApi.Dispose();
        await _console.DisposeAsync();
    }

    private string Url(string path) => _console.Url(path);

    private static Task LiveAsync(IPage page) =>
        page.GetByTestId("interactive").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ScreenshotDir, name + ".png"), FullPage = true });

    private async Task<(Guid Id, string Mrn)> RegisterAsync(string given, string birthDate)
    {
        var input = new { name = new { given, family = _family }, birthDate, administrativeSex = "female" };
        var patient = (await _staffApi.GraphQLAsync(Register, new { input })).DataOrThrow["registerPatient"]!;
        return (Guid.Parse(patient["id"]!.GetValue<string>()), patient["mrn"]!.GetValue<string>());
    }

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task LetStaffInviteAPatientWhoSeesTheirOwnRecordAndNotTheConsole()
    {
        var (_, mrn) = await RegisterAsync("Hazel", "1975-09-30");
        var (stranger, _) = await RegisterAsync("Ivy", "1990-01-01");
        var staff = await _host.CreateAsync(_tenant, "front-desk");
        var email = $"hazel{Guid.NewGuid():N}"[..16] + "@example.test";

        // Front desk finds the patient and sends the portal invitation from the console.
        await using var staffContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var staffPage = await staffContext.NewPageAsync();
        await staffPage.GotoAsync(Url("/console/portal-access"));
        await SignInAsync(staffPage, staff.Email, staff.Password);
        await Assertions.Expect(staffPage.GetByRole(AriaRole.Heading, new() { Name = "Portal access" })).ToBeVisibleAsync();
        await LiveAsync(staffPage);
        await staffPage.GetByLabel("Find a patient (name or MRN)").FillAsync(_family + " Hazel");
        await staffPage.GetByTestId("find-patient").ClickAsync();
        await staffPage.GetByTestId("matches").GetByText(mrn).ClickAsync();
        await Assertions.Expect(staffPage.GetByTestId("selected-patient")).ToContainTextAsync(mrn);
        await LiveAsync(staffPage);
        await staffPage.GetByLabel("Patient's e-mail").FillAsync("not an e-mail");
        await staffPage.GetByTestId("invite-patient").ClickAsync();
        await Assertions.Expect(staffPage.GetByTestId("error")).ToContainTextAsync("input.email");
        await staffPage.GetByLabel("Patient's e-mail").FillAsync(email);
        await staffPage.GetByTestId("invite-patient").ClickAsync();
        await Assertions.Expect(staffPage.GetByTestId("notice")).ToContainTextAsync("Portal invitation sent");
        await Assertions.Expect(staffPage.GetByTestId("portal-access")).ToContainTextAsync("pending");
        // A server (no development setting) never shows the link: it is a credential, sent only by e-mail.
        Assert.Equal(0, await staffPage.GetByTestId("invitation-links").CountAsync());
        await ShotAsync(staffPage, "portal-01-staff-invited");

        // The patient follows the e-mailed link (from the outbox: no mail server here), joins and signs in.
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1024, Height = 768 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(await InvitationLinkAsync(email));
        await page.Locator("#name").FillAsync("Hazel " + _family);
        var password = "Meadow-kettle-" + Guid.NewGuid().ToString("N")[..10];
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome to " + _tenant.DisplayName })).ToBeVisibleAsync();
        await ShotAsync(page, "portal-02-joined");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await SignInAsync(page, email, password);

        await Assertions.Expect(page).ToHaveURLAsync(PortalUrl());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Hazel " + _family })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("mrn")).ToHaveTextAsync(mrn);
        await Assertions.Expect(page.GetByTestId("birth-date")).ToHaveTextAsync("1975-09-30");
        await Assertions.Expect(page.GetByTestId("relationship")).ToHaveTextAsync("Your own record.");
        await Assertions.Expect(page.GetByTestId("record-switcher")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
        await ShotAsync(page, "portal-03-own-record");

        // No staff page, whatever the address: the console sends a patient back to the portal.
        await page.GotoAsync(Url("/console/members"));
        await Assertions.Expect(page).ToHaveURLAsync(PortalUrl());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Users" })).ToHaveCountAsync(0);
        await page.GotoAsync(Url("/console/portal-access"));
        await Assertions.Expect(page).ToHaveURLAsync(PortalUrl());
        // Someone else's record, by its id: refused without saying whether it exists.
        await page.GotoAsync(Url($"/portal/{stranger}"));
        await Assertions.Expect(page.GetByTestId("refused")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Ivy")).ToHaveCountAsync(0);
        await ShotAsync(page, "portal-04-other-record-refused");

        // The staff page now shows the patient's access as active.
        await staffPage.ReloadAsync();
        await Assertions.Expect(staffPage.GetByTestId("portal-access")).ToContainTextAsync("active");
    }

    [Fact]
    public async Task LetAProxySwitchBetweenTheRecordsSharedWithThem()
    {
        var (parent, parentMrn) = await RegisterAsync("Nora", "1984-03-12");
        var (child, childMrn) = await RegisterAsync("Milo", "2017-06-21");
        var email = $"nora{Guid.NewGuid():N}"[..16] + "@example.test";
        var password = "Harbour-violet-" + Guid.NewGuid().ToString("N")[..10];
        // Set up through the API: the parent joined the portal for her own record and was granted her child's.
        (await _staffApi.GraphQLAsync("mutation($input: InvitePatientToPortalInput!) { invitePatientToPortal(input: $input) { id } }",
            new { input = new { patientId = parent, email } })).DataOrThrow.ToString();
        var token = Regex.Match(await InvitationLinkAsync(email), "token=([A-Za-z0-9_-]+)").Groups[1].Value;
        (await _host.Client().GraphQLAsync("mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { email } }",
            new { input = new { token, displayName = "Nora " + _family, password } })).DataOrThrow.ToString();
        var grant = (await _staffApi.GraphQLAsync("mutation($input: GrantProxyAccessInput!) { grantProxyAccess(input: $input) { id status } }",
            new { input = new { patientId = child, email, relationship = "parent" } })).DataOrThrow["grantProxyAccess"]!;
        Assert.Equal("active", grant["status"]!.GetValue<string>());

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1024, Height = 768 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/portal"));
        await SignInAsync(page, email, password);

        await Assertions.Expect(page).ToHaveURLAsync(PortalUrl());
        await Assertions.Expect(page.GetByTestId("mrn")).ToHaveTextAsync(parentMrn);
        var switcher = page.GetByTestId("record-switcher");
        await Assertions.Expect(switcher.GetByRole(AriaRole.Link)).ToHaveCountAsync(2);
        await ShotAsync(page, "portal-05-proxy-own-record");
        await LiveAsync(page);

        await switcher.GetByRole(AriaRole.Link, new() { Name = "Milo " + _family }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/portal/{child}$"));
        await Assertions.Expect(page.GetByTestId("mrn")).ToHaveTextAsync(childMrn);
        await Assertions.Expect(page.GetByTestId("relationship")).ToContainTextAsync("as parent");
        await ShotAsync(page, "portal-06-proxy-child-record");

        await switcher.GetByRole(AriaRole.Link, new() { Name = "My record (Nora)" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"/portal/{parent}$"));
        await Assertions.Expect(page.GetByTestId("mrn")).ToHaveTextAsync(parentMrn);

        // Staff revoke the proxy access: the next click no longer shows the child's record.
        (await _staffApi.GraphQLAsync("mutation($id: ID!) { revokeProxyAccess(id: $id) { status } }", new { id = grant["id"]!.GetValue<string>() }))
            .DataOrThrow.ToString();
        await page.GotoAsync(Url($"/portal/{child}"));
        await Assertions.Expect(page.GetByTestId("refused")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("record-switcher")).ToHaveCountAsync(0);
        await ShotAsync(page, "portal-07-proxy-revoked");
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

    [GeneratedRegex(@"/portal(/[0-9a-f-]+)?$")]
    private static partial Regex PortalUrl();
}
