using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform;
using Microsoft.Playwright;

namespace Ehr.BrowserTests;

public sealed class JobsDashboardShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _console = await BrowserHost.StartAsync(new Dictionary<string, string?> { ["Jobs:RunServer"] = "true" });
        (_host, _browser) = (_console.Host, _console.Browser);
        PlatformModule.ScheduleRecurringJobs(_host.Services);
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
    }

    [Fact]
    public async Task ShowPlatformAdminsTheNightlyAuditVerification()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + _host.Token(null, "ops", "platform-admin") },
        });
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(new Uri(_host.Address, "/jobs/recurring").ToString());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ScreenshotDir, "jobs-recurring.png"), FullPage = true });

        Assert.Equal(200, response!.Status);
        await Assertions.Expect(page.GetByText("audit-verify-nightly")).ToBeVisibleAsync();
        await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("Ehr.Saas jobs"));
    }

    [Fact]
    public async Task TurnAwayAnyoneElse()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + _host.Token(null, "dr.a", "physician") },
        });
        var page = await context.NewPageAsync();
        var url = new Uri(_host.Address, "/jobs/recurring").ToString();
        var answer = page.WaitForResponseAsync(url);

        // Chromium treats the dashboard's empty 403 as a failed navigation; the response itself is what matters.
        await Assert.ThrowsAsync<PlaywrightException>(() => page.GotoAsync(url));

        var response = await answer;
        Assert.Equal(403, response.Status);
        Assert.DoesNotContain("audit-verify-nightly", await response.TextAsync(), StringComparison.Ordinal);
    }
}
