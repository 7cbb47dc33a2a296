using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;

namespace Ehr.BrowserTests;

/// <summary>
/// A tenant admin manages locations from the console, restricts a member to one of them and gives a member one of the
/// organisation's own roles; bad input is refused with the field named.
/// </summary>
public sealed class LocationsConsoleShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _console = await BrowserHost.StartAsync();
        (_host, _browser) = (_console.Host, _console.Browser);
        _tenant = await _host.CreateTenantAsync("sites");
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
    }

    private string Url(string path) => _console.Url(path);

    [Fact]
    public async Task LetATenantAdminAddRenameAndDeactivateALocationAndRestrictAMemberToIt()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        var nurse = await _host.CreateAsync(_tenant, "nurse");
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var (page, _) = await SignInAsync(context, _host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();

        await LiveAsync(page);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Locations" }).ClickAsync();
        await LiveAsync(page);
        await page.GetByLabel("Code (e.g. NORTH)").FillAsync("harbour");
        await page.GetByLabel("Location name").FillAsync("Harbour clinic");
        await page.GetByLabel("Time zone (IANA, e.g. America/Chicago)").FillAsync("Mars/Olympus");
        await page.GetByTestId("create-location").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("input.timezone");
        await Assertions.Expect(page.GetByTestId("locations")).Not.ToContainTextAsync("HARBOUR");

        await page.GetByLabel("Time zone (IANA, e.g. America/Chicago)").FillAsync("America/Chicago");
        await page.GetByTestId("create-location").ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("Added HARBOUR");
        await page.GetByLabel("Name of HARBOUR").FillAsync("Harbour family clinic");
        await page.GetByLabel("Save HARBOUR").ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("Saved HARBOUR");
        await Assertions.Expect(page.GetByLabel("Name of HARBOUR")).ToHaveValueAsync("Harbour family clinic");
        await ShotAsync(page, "locations-01-added");

        // The nurse now works at the harbour only.
        await page.GotoAsync(Url("/console/members"));
        await LiveAsync(page);
        await page.GetByLabel($"Locations of {nurse.Email}").SelectOptionAsync(new SelectOptionValue { Label = "HARBOUR" });
        await page.GetByLabel($"Save role of {nurse.Email}").ClickAsync();
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("works at HARBOUR");
        await Assertions.Expect(page.GetByTestId($"locations-{nurse.Email}")).ToHaveTextAsync("HARBOUR");
        await ShotAsync(page, "locations-02-member-restricted");

        await page.GotoAsync(Url("/console/locations"));
        await LiveAsync(page);
        await page.GetByLabel("Deactivate HARBOUR").ClickAsync();
        await Assertions.Expect(page.GetByTestId("status-HARBOUR")).ToHaveTextAsync("inactive");
        await page.GetByLabel("Reactivate HARBOUR").ClickAsync();
        await Assertions.Expect(page.GetByTestId("status-HARBOUR")).ToHaveTextAsync("active");
    }

    [Fact]
    public async Task OfferTheOrganisationsOwnRolesWhenChangingAMembersRole()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        var clerk = await _host.CreateAsync(_tenant, "front-desk");
        var key = "triage" + Guid.NewGuid().ToString("N")[..4];
        using (var api = _host.Client(_host.Token(_tenant.Slug, "admin.sites", "tenant-admin")))
        {
            (await api.GraphQLAsync("mutation($input: RoleInput!) { defineRole(input: $input) { id } }",
                new { input = new { key, name = "Triage", permissions = (string[])["patient.read", "location.read"] } })).DataOrThrow.ToString();
        }

        await using var context = await _browser.NewContextAsync();
        var (page, _) = await SignInAsync(context, _host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await page.GotoAsync(Url("/console/members"));
        await LiveAsync(page);
        await page.GetByLabel($"New role for {clerk.Email}").SelectOptionAsync(key);
        await page.GetByLabel($"Save role of {clerk.Email}").ClickAsync();

        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync($"is now {key}");
        await Assertions.Expect(page.GetByTestId("members")).ToContainTextAsync(key);
    }
}
