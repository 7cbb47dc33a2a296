using Ehr.IntegrationTests.Infrastructure;
using Microsoft.Playwright;
using OtpNet;

namespace Ehr.BrowserTests;

/// <summary>Signing in, waiting for live pages and keeping screenshots: what every browser test class uses.</summary>
internal static class ConsolePages
{
    /// <summary>Waits until the page's circuit is connected, so clicks reach their handlers.</summary>
    public static Task LiveAsync(IPage page) =>
        page.GetByTestId("interactive").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.ScreenshotDir, name + ".png"), FullPage = true });

    /// <summary>Password sign-in from <c>/console</c>; when the policy asks for MFA set-up, enrols an authenticator.</summary>
    public static async Task<(IPage Page, Totp? Totp)> SignInAsync(IBrowserContext context, Uri host, string email, string password,
        bool setUpMfa = false)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(host, "/console").ToString());
        await page.Locator("#email").FillAsync(email);
        await page.Locator("#password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        if (!setUpMfa)
        {
            return (page, null);
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Set up two-step sign-in" })).ToBeVisibleAsync();
        var totp = new Totp(Base32Encoding.ToBytes(await page.GetByTestId("totp-secret").InnerTextAsync()));
        await page.Locator("#code").FillAsync(totp.ComputeTotp(DateTime.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue" }).ClickAsync();
        return (page, totp);
    }

    public static Task<(IPage Page, Totp? Totp)> SignInAsync(IBrowserContext context, TestHost host, Person person, bool setUpMfa = false) =>
        SignInAsync(context, host.Address, person.Email, person.Password, setUpMfa);
}
