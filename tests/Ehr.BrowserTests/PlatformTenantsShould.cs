using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;

namespace Ehr.BrowserTests;

/// <summary>A platform admin runs the tenant catalog from the console: create from a starter pack, suspend, resume.</summary>
public sealed class PlatformTenantsShould : IAsyncLifetime
{
    private static readonly string[] Packs = ["behavioral-health", "dermatology", "primary-care"];

    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _console = await BrowserHost.StartAsync();
        (_host, _browser) = (_console.Host, _console.Browser);
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
    }

    [Fact]
    public async Task LetAPlatformAdminCreateATenantFromAStarterPackSuspendAndResumeIt()
    {
        var email = $"ops{Guid.NewGuid():N}"[..14] + "@example.test";
        var password = "Platform-keeper-" + Guid.NewGuid().ToString("N")[..10];
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CreateUser>().HandleAsync(new NewUser(email, "Platform Person", password, PlatformAdmin: true), default);
        }

        var slug = "made-" + Guid.NewGuid().ToString("N")[..8];
        var catalog = _host.Services.GetRequiredService<TenantCatalog>();
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });

        // Platform admins always use two-step sign-in.
        var (page, _) = await SignInAsync(context, _host.Address, email, password, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Platform Person" })).ToBeVisibleAsync();
        await LiveAsync(page);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Tenants" }).ClickAsync();
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("tenants")).ToBeVisibleAsync();
        await ShotAsync(page, "platform-01-tenants");

        // A bad slug is refused, naming the field; nothing is created.
        await page.GetByLabel("Slug").FillAsync("Not A Slug");
        await page.GetByLabel("Name").FillAsync("Made Clinic");
        await page.GetByTestId("create-tenant").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("slug");

        await page.GetByLabel("Slug").FillAsync(slug);
        await page.GetByTestId("create-tenant").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"status-{slug}")).ToHaveTextAsync("active");
        var created = await catalog.FindByIdAsync((await catalog.GetAsync(slug)).Id);
        Assert.Equal(("Made Clinic", TenantStatus.Active), (created!.DisplayName, created.Status));
        Assert.Contains(created.StarterPack, Packs);
        await Assertions.Expect(page.GetByTestId("tenants")).ToContainTextAsync(created.StarterPack);
        await ShotAsync(page, "platform-02-tenant-created");

        await page.GetByLabel($"Suspend {slug}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"status-{slug}")).ToHaveTextAsync("suspended");
        Assert.Equal(TenantStatus.Suspended, (await catalog.FindByIdAsync(created.Id))!.Status);
        await ShotAsync(page, "platform-03-tenant-suspended");

        await page.GetByLabel($"Resume {slug}").ClickAsync();
        await Assertions.Expect(page.GetByTestId($"status-{slug}")).ToHaveTextAsync("active");
        Assert.Equal(TenantStatus.Active, (await catalog.FindByIdAsync(created.Id))!.Status);
    }

    [Fact]
    public async Task RefuseTheTenantsPageToATenantAdmin()
    {
        var tenant = await _host.CreateTenantAsync("not-platform");
        var admin = await _host.CreateAsync(tenant, "tenant-admin");
        await using var context = await _browser.NewContextAsync();
        var (page, _) = await SignInAsync(context, _host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Tenants" })).ToHaveCountAsync(0);

        await page.GotoAsync(new Uri(_host.Address, "/console/platform/tenants").ToString());

        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("platform.admin");
        await Assertions.Expect(page.GetByTestId("tenants")).Not.ToContainTextAsync(tenant.Slug);
    }
}
