using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using Npgsql;
using static Ehr.BrowserTests.ConsolePages;

namespace Ehr.BrowserTests;

/// <summary>
/// The console's frame when things go wrong around a page: a link clicked while the page's connection is still being
/// made, and a page whose data cannot be read (its table taken away under it): the failure is shown with a reference
/// that is in the server's log, the menu still works, and the page comes back once its data does.
/// </summary>
public sealed partial class ConsoleNavigationShould(NotesConsoleFixture fixture) : IClassFixture<NotesConsoleFixture>, IAsyncLifetime
{
    private BrowserHost _console = null!;
    private TestHost _host = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _console = fixture.Console;
        _host = _console.Host;
        _tenant = await _host.CreateTenantAsync("nav-ui");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ShowThePageClickedWhileTheConnectionWasStillBeingMade()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var context = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        // The server's messages on the page's connection (the handshake, the first render) are held back until the link
        // has been clicked and the prerendered page it leads to is in front of the user.
        var held = new List<IWebSocketFrame>();
        var released = false;
        IWebSocketRoute? pageSide = null;
        await context.RouteWebSocketAsync(new Regex("/_blazor"), ws =>
        {
            pageSide = ws;
            ws.ConnectToServer().OnMessage(frame =>
            {
                lock (held)
                {
                    if (!released)
                    {
                        held.Add(frame);
                        return;
                    }
                }
                Forward(ws, frame);
            });
        });
        var (page, _) = await SignInAsync(context, _host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Note templates" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("standard-soap-progress-note")).ToHaveTextAsync("published v1");
        Assert.NotNull(pageSide);
        Assert.Empty(await page.GetByTestId("interactive").AllAsync());
        lock (held)
        {
            released = true;
            foreach (var frame in held)
            {
                Forward(pageSide, frame);
            }
        }

        await LiveAsync(page);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/note-templates$"));
        await page.GetByTestId("template-soap-progress-note").ClickAsync();
        await Assertions.Expect(page.GetByTestId("status-standard-1")).ToHaveTextAsync("published (in force)");
    }

    [Fact]
    public async Task ShowAPageThatFailedWithAReferenceInTheLogKeepTheMenuWorkingAndRecoverWhenTheDataIsBack()
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var context = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var (page, _) = await SignInAsync(context, _host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await LiveAsync(page);
        var menu = page.GetByRole(AriaRole.Navigation);

        await TakeTheTemplatesAwayAsync(true);
        try
        {
            await menu.GetByRole(AriaRole.Link, new() { Name = "Note templates" }).ClickAsync();
            var failure = page.GetByTestId("page-failure");
            await Assertions.Expect(failure).ToContainTextAsync("stopped because of an error on our side");
            await Assertions.Expect(page.GetByTestId("connection-failure")).ToBeHiddenAsync();
            var reference = await page.GetByTestId("failure-reference").InnerTextAsync();
            Assert.Matches("^[0-9a-f]{10}$", reference);
            var logged = await LoggedAsync(reference);
            Assert.Contains("Page /console/note-templates failed", logged, StringComparison.Ordinal);
            Assert.Contains("42P01", logged, StringComparison.Ordinal);
            await ShotAsync(page, "console-page-failure");

            // The connection is still live: the menu leads elsewhere, and that page is whole.
            await menu.GetByRole(AriaRole.Link, new() { Name = "Home" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
            await Assertions.Expect(failure).ToHaveCountAsync(0);
            await menu.GetByRole(AriaRole.Link, new() { Name = "Note templates" }).ClickAsync();
            await Assertions.Expect(failure).ToBeVisibleAsync();
            Assert.NotEqual(reference, await page.GetByTestId("failure-reference").InnerTextAsync());

            // Opened by its address (prerendered on the server, then live): the same notice, never an error page.
            await page.GotoAsync(_console.Url("/console/note-templates"));
            await Assertions.Expect(failure).ToBeVisibleAsync();
            await LiveAsync(page);
            await Assertions.Expect(failure).ToBeVisibleAsync();
            await ShotAsync(page, "console-page-failure-direct");
        }
        finally
        {
            await TakeTheTemplatesAwayAsync(false);
        }

        // Once the data is back, "Try again" renders the page afresh.
        await page.GetByTestId("failure-retry").ClickAsync();
        await Assertions.Expect(page.GetByTestId("standard-soap-progress-note")).ToHaveTextAsync("published v1");
        await Assertions.Expect(page.GetByTestId("page-failure")).ToHaveCountAsync(0);
    }

    /// <summary>The tenant's artifacts table renamed away (and back): every read of a template fails as an outage would.</summary>
    private async Task TakeTheTemplatesAwayAsync(bool away)
    {
        await using var owner = await _host.OpenSqlAsync();
        var (from, to) = away ? ("artifacts", "artifacts_away") : ("artifacts_away", "artifacts");
        await using var cmd = new NpgsqlCommand($"SET ROLE ehr_owner; ALTER TABLE {_tenant.SchemaName}.{from} RENAME TO {to};", owner);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The server log's entry for <paramref name="reference"/> with the lines (its exception) that follow it.</summary>
    private async Task<string> LoggedAsync(string reference)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var text = await _host.ReadLogAsync();
            var at = text.IndexOf($"(reference {reference})", StringComparison.Ordinal);
            if (at >= 0)
            {
                var start = text.LastIndexOf('\n', at) + 1;
                return text[start..Math.Min(text.Length, start + 4000)];
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"reference {reference} is not in {_host.LogFile}");
    }

    private static void Forward(IWebSocketRoute to, IWebSocketFrame frame)
    {
        if (frame.Binary is { } binary)
        {
            to.Send(binary);
        }
        else
        {
            to.Send(frame.Text!);
        }
    }
}
