using Microsoft.Playwright;

namespace Ehr.BrowserTests;

/// <summary>
/// Debian's Chromium driven by Playwright (the package brings its own driver and downloads no browser). Screenshots
/// go to <c>TestResults/screenshots</c> as test artifacts.
/// </summary>
public static class Browser
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static string ScreenshotDir { get; } = Directory.CreateDirectory(
        Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots")).FullName;

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: ./ehr test installs it (apt-get install -y chromium).");
        }

        // Expectations wait up to 15 s (Playwright's default is 5): on a two-core machine a sign-in's redirect chain
        // behind a build can take longer. A wait ends as soon as the page is right, so passing runs are not slower.
        Assertions.SetDefaultExpectTimeout(15_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        return (playwright, browser);
    }
}

/// <summary>What every browser test class starts with: the host on a free loopback port and a headless Chromium.</summary>
public sealed class BrowserHost : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private BrowserHost(Ehr.IntegrationTests.Infrastructure.TestHost host, IPlaywright playwright, IBrowser browser)
    {
        Host = host;
        _playwright = playwright;
        Browser = browser;
    }

    public Ehr.IntegrationTests.Infrastructure.TestHost Host { get; }

    public IBrowser Browser { get; }

    public static async Task<BrowserHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var host = await Ehr.IntegrationTests.Infrastructure.TestHost.StartAsync(settings);
        var (playwright, browser) = await BrowserTests.Browser.LaunchAsync();
        return new BrowserHost(host, playwright, browser);
    }

    public string Url(string path) => new Uri(Host.Address, path).ToString();

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Host.DisposeAsync();
    }
}
