using System.Net;
using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Tenancy;
using Ehr.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;

namespace Ehr.BrowserTests;

/// <summary>
/// The console session: switching organisation for people in several tenants, automatic log-off after the tenant's
/// idle time-out (in the browser, driven by a fake clock, and on the server, whatever the browser does), and the
/// layout at tablet width.
/// </summary>
public sealed partial class ConsoleSessionsShould : IAsyncLifetime
{
    private const int IdleMinutes = 5;

    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;
    private Tenant _first = null!;
    private Tenant _second = null!;

    public async Task InitializeAsync()
    {
        _console = await BrowserHost.StartAsync();
        (_host, _browser) = (_console.Host, _console.Browser);
        _first = await _host.CreateTenantAsync("north");
        _second = await _host.CreateTenantAsync("south", "dermatology");
        // The second tenant logs people off after five idle minutes (the policy's minimum).
        using var admin = _host.Client(_host.Token(_second.Slug, "admin.south", "tenant-admin"));
        (await admin.GraphQLAsync(
            "mutation($input: SecurityPolicyInput!) { changeSecurityPolicy(expectedVersion: 0, input: $input) { idleTimeoutMinutes } }",
            new { input = new { accessTokenMinutes = 5, idleTimeoutMinutes = IdleMinutes, sessionMaxHours = 12, mfaRequiredRoles = Array.Empty<string>(), passwordMinLength = 12 } }))
            .DataOrThrow.ToString();
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
    }

    private string Url(string path) => _console.Url(path);

    [Fact]
    public async Task LetSomeoneInTwoTenantsPickOneAndSwitchToTheOtherOnATablet()
    {
        var person = await _host.CreateAsync(_first, "physician");
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<GrantMembership>().HandleAsync(person.Email, _second.Slug, ["nurse"], default);
        }

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 820, Height = 1180 }, HasTouch = true });
        var (page, _) = await SignInAsync(context, _host, person);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Choose an organisation" })).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveURLAsync(TenantChooser());
        await ShotAsync(page, "sessions-01-choose-tenant-tablet");
        await page.GetByRole(AriaRole.Link, new() { Name = _first.DisplayName }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync(_first.DisplayName);
        await Assertions.Expect(page.GetByText("as physician")).ToBeVisibleAsync();

        // Tablet width: the menu gives way to the page (it opens on demand), nothing is wider than the screen.
        var heading = page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" });
        await Assertions.Expect(heading).ToBeInViewportAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await ShotAsync(page, "sessions-02-console-tablet");

        await page.GetByRole(AriaRole.Link, new() { Name = "Switch organisation" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(TenantChooser());
        // The switch is a chain of redirects (console, authorization server, chooser): pick only once it has settled.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GetByRole(AriaRole.Link, new() { Name = _second.DisplayName }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync(_second.DisplayName, new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByText("as nurse")).ToBeVisibleAsync();
        await ShotAsync(page, "sessions-03-switched-tenant-tablet");

        // A table page at tablet width: the other tenant's locations, no sideways scrolling.
        await page.GotoAsync(Url("/console/locations"));
        await Assertions.Expect(page.GetByTestId("locations")).ToContainTextAsync("DERM");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await ShotAsync(page, "sessions-05-locations-tablet");
    }

    [Fact]
    public async Task SignAnIdleConsoleOutAfterTheTenantsIdleTimeOut()
    {
        var person = await _host.CreateAsync(_second, "nurse");
        await using var context = await _browser.NewContextAsync();
        // A fake clock in the page: minutes pass in an instant, and nothing else about the page changes.
        await context.Clock.InstallAsync();
        var (page, _) = await SignInAsync(context, _host, person);
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync(_second.DisplayName);
        await LiveAsync(page);
        await Assertions.Expect(page.Locator("#ehr-idle")).ToHaveAttributeAsync("data-minutes", IdleMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await page.Clock.FastForwardAsync("04:00");
        await page.Clock.RunForAsync(6000);
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToBeVisibleAsync();
        // Activity restarts the count: four more minutes are still not five idle ones.
        await page.Mouse.MoveAsync(200, 200);
        await page.Mouse.MoveAsync(240, 260);
        await page.Clock.FastForwardAsync("04:00");
        await page.Clock.RunForAsync(6000);
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToBeVisibleAsync();

        await page.Clock.FastForwardAsync("01:10");
        await page.Clock.RunForAsync(6000);

        // Signing out follows a few redirects (console, authorization server, back): allow for a busy machine. The page
        // ends signed out, or on the sign-in page when a reconnecting circuit reloaded it mid sign-out (both sessions
        // already ended in the sign-out's first response, so it can never be signed straight back in).
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/(signed-out|login)"), new() { Timeout = 20_000 });
        await ShotAsync(page, "sessions-04-idle-signed-out");
        // Both sessions ended: the console asks for the password again.
        await page.GotoAsync(Url("/console"));
        await Assertions.Expect(page).ToHaveURLAsync(LoginPage());
    }

    [Fact]
    public async Task EndAnIdleSessionOnTheServerWhateverTheBrowserDoes()
    {
        var person = await _host.CreateAsync(_second, "nurse");
        await using var context = await _browser.NewContextAsync();
        var (page, _) = await SignInAsync(context, _host, person);
        await Assertions.Expect(page.GetByTestId("tenant-name")).ToHaveTextAsync(_second.DisplayName);
        var cookies = await context.CookiesAsync();
        var format = _host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(ConsoleModule.CookieScheme).TicketDataFormat;
        var ticket = format.Unprotect(ConsoleCookie(cookies)) ?? throw new InvalidOperationException("The console cookie did not decrypt.");
        var session = cookies.Single(c => c.Name == "ehr.session").Value;

        // The cookie lives exactly the tenant's idle time-out (not a fixed half hour).
        Assert.Equal(TimeSpan.FromMinutes(IdleMinutes), ticket.Properties.ExpiresUtc - ticket.Properties.IssuedUtc);

        // Active two minutes ago: still signed in, and the window slides from now.
        var now = DateTimeOffset.UtcNow;
        using var recent = await GetConsoleAsync(Reissue(format, ticket, now.AddMinutes(-2), now.AddMinutes(3)), session);
        Assert.Equal(HttpStatusCode.OK, recent.StatusCode);
        var renewed = format.Unprotect(ChunkedCookie(recent, "ehr.console"))!;
        Assert.InRange(renewed.Properties.IssuedUtc!.Value, now.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(TimeSpan.FromMinutes(IdleMinutes), renewed.Properties.ExpiresUtc - renewed.Properties.IssuedUtc);

        // Last seen six minutes ago (say the ticket was issued under a longer policy): signed out on the server, and the
        // authorization server's session ends too, so nobody is signed straight back in.
        using var idle = await GetConsoleAsync(Reissue(format, ticket, now.AddMinutes(-6), now.AddMinutes(54)), session);
        Assert.Equal(HttpStatusCode.Redirect, idle.StatusCode);
        Assert.StartsWith("/console/signin", idle.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        var cleared = idle.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(cleared, c => c.StartsWith("ehr.session=;", StringComparison.Ordinal));
        Assert.Contains(cleared, c => c.StartsWith("ehr.console=;", StringComparison.Ordinal));
    }

    private static string Reissue(ISecureDataFormat<AuthenticationTicket> format, AuthenticationTicket ticket, DateTimeOffset issued, DateTimeOffset expires)
    {
        var properties = ticket.Properties.Clone();
        properties.IssuedUtc = issued;
        properties.ExpiresUtc = expires;
        return format.Protect(new AuthenticationTicket(ticket.Principal, properties, ticket.AuthenticationScheme));
    }

    /// <summary>A plain HTTP request as the browser would send it, with a (possibly forged-in-time) console ticket.</summary>
    private async Task<HttpResponseMessage> GetConsoleAsync(string consoleTicket, string session)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = _host.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/console");
        request.Headers.Add("Cookie", $"ehr.console={consoleTicket}; ehr.session={session}");
        return await http.SendAsync(request);
    }

    /// <summary>The console cookie, reassembled when ASP.NET Core split it into chunks (ehr.console = chunks-N, ehr.consoleC1..N).</summary>
    private static string ConsoleCookie(IReadOnlyList<BrowserContextCookiesResult> cookies)
    {
        var head = cookies.Single(c => c.Name == "ehr.console").Value;
        return Chunked(head, i => cookies.Single(c => c.Name == "ehr.consoleC" + i).Value);
    }

    private static string ChunkedCookie(HttpResponseMessage response, string name)
    {
        var set = response.Headers.GetValues("Set-Cookie")
            .Select(c => c.Split(';')[0].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        return Chunked(set[name], i => set[name + "C" + i]);
    }

    private static string Chunked(string head, Func<int, string> chunk) =>
        head.StartsWith("chunks-", StringComparison.Ordinal)
            ? string.Concat(Enumerable.Range(1, int.Parse(head["chunks-".Length..], System.Globalization.CultureInfo.InvariantCulture)).Select(chunk))
            : head;

    [GeneratedRegex("/account/tenants")]
    private static partial Regex TenantChooser();

    [GeneratedRegex("/account/login")]
    private static partial Regex LoginPage();
}
