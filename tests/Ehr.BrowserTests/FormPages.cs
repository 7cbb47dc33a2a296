using Microsoft.Playwright;

namespace Ehr.BrowserTests;

/// <summary>Building forms in the builder, step by step as a person does, for the forms' browser tests.</summary>
internal static class FormPages
{
    /// <summary>Adds an item of a type after the selected one and names it (text and link id) in the inspector.</summary>
    public static async Task AddAsync(IPage page, string type, string text, string linkId)
    {
        await page.GetByTestId("new-item-type").SelectOptionAsync(type);
        await page.GetByTestId("add-item").ClickAsync();
        // The inspector shows the new item (its generated link id) before it is named.
        await Assertions.Expect(page.GetByTestId("insp-linkid")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^(question|group|display)-[0-9]+$"));
        await page.GetByTestId("insp-text").FillAsync(text);
        await page.GetByTestId("insp-linkid").FillAsync(linkId);
        await Assertions.Expect(page.GetByTestId($"tree-{linkId}")).ToBeVisibleAsync();
    }

    public static async Task SetOptionAsync(IPage page, int n, string display, string score)
    {
        var inspector = page.GetByTestId("inspector");
        await inspector.GetByLabel($"Display of option {n}", new() { Exact = true }).FillAsync(display);
        await inspector.GetByLabel($"Score of option {n}", new() { Exact = true }).FillAsync(score);
    }

    /// <summary>Waits until the builder (or a response in progress) has stored every change.</summary>
    public static Task SavedAsync(IPage page) =>
        Assertions.Expect(page.GetByTestId("autosave-status")).ToHaveTextAsync("All changes saved.");

    /// <summary>Asserts the page reads without scrolling sideways (a tablet held upright is 820 px wide).</summary>
    public static async Task FitsTheWidthAsync(IPage page)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"The page is {widths[0]} px wide in a {widths[1]} px viewport.");
    }

    /// <summary>Publishes the draft open in the builder with a version note; the form's page follows.</summary>
    public static async Task PublishAsync(IPage page, string note)
    {
        await page.GetByTestId("publish").ClickAsync();
        await page.GetByLabel("Version note").FillAsync(note);
        await page.GetByTestId("publish-confirm").ClickAsync();
    }
}
