using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;
using static Ehr.BrowserTests.FormPages;

namespace Ehr.BrowserTests;

/// <summary>
/// A tenant admin builds forms in the console: items, conditions and a score from the tree and the inspector, with
/// the preview (the renderer clinicians and patients answer in) following as they go; the JSON view round-trips and
/// refuses what does not read; library forms score in the preview; the renderer answers from the keyboard and reads
/// on a tablet. Each form is a stored draft, started on the forms page.
/// </summary>
public sealed class FormBuilderShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _console = await BrowserHost.StartAsync();
        (_host, _browser) = (_console.Host, _console.Browser);
        _tenant = await _host.CreateTenantAsync("forms");
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
    }

    /// <summary>A tenant admin signed in, on the forms page (through the menu, or by its address), live.</summary>
    private async Task<IPage> BuilderAsync(IBrowserContext context, bool throughTheMenu = true)
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        var (page, _) = await SignInAsync(context, _host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await LiveAsync(page);
        if (throughTheMenu) await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Forms" }).ClickAsync();
        else await page.GotoAsync(_console.Url("/console/forms"));
        await Assertions.Expect(page.GetByTestId("form-start")).ToBeVisibleAsync();
        await LiveAsync(page);
        return page;
    }

    /// <summary>Imports a library form as a draft (the next version of its key) and opens it in the builder.</summary>
    private static async Task OpenLibraryFormAsync(IPage page, string file)
    {
        await page.GetByTestId("start-library").SelectOptionAsync(file);
        await page.GetByTestId("open-library").ClickAsync();
        await Assertions.Expect(page.GetByTestId("form-builder")).ToBeVisibleAsync();
    }

    /// <summary>
    /// Drags with the mouse as a person does: press, a small move (Chromium starts a drag only past a threshold), then
    /// on to the target in steps. Both ends are on screen, away from the edges (where Chromium scrolls while dragging).
    /// </summary>
    private static async Task DragAsync(IPage page, ILocator source, ILocator target)
    {
        var from = (await source.BoundingBoxAsync())!;
        var to = (await target.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(from.X + from.Width / 2, from.Y + from.Height / 2);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(from.X + from.Width / 2 + 4, from.Y + from.Height / 2 + 4, new() { Steps = 4 });
        await page.Mouse.MoveAsync(to.X + to.Width / 2, to.Y + to.Height / 2, new() { Steps = 10 });
        await page.Mouse.UpAsync();
    }

    private static ILocator Preview(IPage page) => page.GetByTestId("form-preview");

    private static ILocator Item(IPage page, string linkId) => Preview(page).GetByTestId($"item-{linkId}");

    [Fact]
    public async Task BuildAConditionalQuestionAndAScoredTotalThatThePreviewFollowsAsItIsAnswered()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await BuilderAsync(context);
        await page.GetByTestId("start-blank").ClickAsync();
        await page.GetByTestId("tree-form").ClickAsync();
        await page.GetByLabel("Form title").FillAsync("Smoking and mood");
        await Assertions.Expect(page.GetByTestId("builder-title")).ToHaveTextAsync("Smoking and mood");

        // A yes/no question, and a number asked only when the answer is yes.
        await AddAsync(page, "Boolean", "Do you smoke?", "smoker");
        await AddAsync(page, "Integer", "Packs a day", "packs");
        await page.GetByTestId("add-condition").ClickAsync();
        await Assertions.Expect(page.GetByLabel("Question of condition 1")).ToHaveValueAsync("smoker");
        await Assertions.Expect(page.GetByLabel("Answer of condition 1")).ToHaveValueAsync("true");
        await Assertions.Expect(page.GetByTestId("tree-packs")).ToContainTextAsync("conditional");

        await Assertions.Expect(Item(page, "smoker")).ToBeVisibleAsync();
        await Assertions.Expect(Item(page, "packs")).ToHaveCountAsync(0);
        await Item(page, "smoker").GetByLabel("Yes", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(Item(page, "packs")).ToBeVisibleAsync();
        await Item(page, "packs").GetByLabel("Packs a day").FillAsync("2");
        await Item(page, "smoker").GetByLabel("No", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(Item(page, "packs")).ToHaveCountAsync(0);

        // Two scored choice lists and their total, calculated on the server.
        await AddAsync(page, "Choice", "Mood", "mood");
        await SetOptionAsync(page, 1, "Good", "0");
        await SetOptionAsync(page, 2, "Low", "2");
        await page.GetByTestId("add-option").ClickAsync();
        await SetOptionAsync(page, 3, "Very low", "3");
        await AddAsync(page, "Choice", "Sleep", "sleep");
        await SetOptionAsync(page, 1, "Fine", "0");
        await SetOptionAsync(page, 2, "Poor", "1");
        await AddAsync(page, "Integer", "Total score", "total");
        await page.GetByLabel("Read-only").CheckAsync();
        await page.GetByTestId("insp-calculated").FillAsync("%resource.item.where(linkId = 'mood' or linkId = 'sleep').answer.value.ordinal().sum()");
        await page.GetByTestId("insp-calculated").PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("tree-total")).ToContainTextAsync("calculated");
        await Assertions.Expect(page.GetByTestId("definition-problems-none")).ToBeVisibleAsync();

        await Item(page, "mood").GetByLabel("Low", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(Preview(page).GetByTestId("value-total")).ToHaveTextAsync("2");
        await Item(page, "sleep").GetByLabel("Poor", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(Preview(page).GetByTestId("value-total")).ToHaveTextAsync("3");
        await Item(page, "mood").GetByLabel("Very low", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(Preview(page).GetByTestId("value-total")).ToHaveTextAsync("4");
        await ShotAsync(page, "forms-01-built-with-preview");

        // Renaming a question carries into the condition that names it, and the preview keeps working.
        await page.GetByTestId("tree-smoker").ClickAsync();
        await Assertions.Expect(page.GetByTestId("insp-linkid")).ToHaveValueAsync("smoker");
        await page.GetByTestId("insp-linkid").FillAsync("packs");
        await Assertions.Expect(page.GetByTestId("inspector")).ToContainTextAsync("Another item already has the link id 'packs'");
        await page.GetByTestId("insp-linkid").FillAsync("smokes");
        await page.GetByTestId("tree-packs").ClickAsync();
        await Assertions.Expect(page.GetByLabel("Question of condition 1")).ToHaveValueAsync("smokes");
        await Item(page, "smokes").GetByLabel("Yes", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(Item(page, "packs")).ToBeVisibleAsync();

        // The downloaded JSON is the definition built here.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("download-json").ClickAsync());
        Assert.Equal("smoking-and-mood.json", download.SuggestedFilename);
        var json = await File.ReadAllTextAsync(await download.PathAsync());
        var parsed = Ehr.Forms.Definitions.QuestionnaireJson.ParseQuestionnaire(json);
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Problems));
        Assert.Equal(["smokes", "packs", "mood", "sleep", "total"], parsed.Resource!.Item.Select(i => i.LinkId));
        Assert.Empty(new Ehr.Forms.Definitions.DefinitionValidator().Validate(parsed.Resource));
    }

    [Fact]
    public async Task MoveAnItemIntoASectionByDraggingItAndReportAConditionTheMoveBreaks()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1800 } });
        var page = await BuilderAsync(context);
        await page.GetByTestId("start-blank").ClickAsync();
        await AddAsync(page, "Boolean", "Any allergies?", "allergic");
        await AddAsync(page, "Group", "Allergy details", "details");
        await page.GetByTestId("tree-details").ClickAsync();
        await AddAsync(page, "String", "Reaction", "reaction");
        await page.GetByTestId("add-condition").ClickAsync();
        await page.GetByLabel("Question of condition 1").SelectOptionAsync("allergic");
        await Assertions.Expect(page.GetByLabel("Answer of condition 1")).ToHaveValueAsync("true");

        // Dragged onto the section's row, the question becomes the section's last item.
        await DragAsync(page, page.GetByTestId("drag-reaction"), page.GetByTestId("tree-details"));
        await Item(page, "allergic").GetByLabel("Yes", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(Item(page, "details").GetByTestId("item-reaction")).ToBeVisibleAsync();

        // Dragged to the top, above the question it depends on: the builder says so, and the checks list it.
        await DragAsync(page, page.GetByTestId("drag-reaction"), page.GetByTestId("drop-top-0"));
        await Assertions.Expect(page.GetByTestId("builder-notes")).ToContainTextAsync("'Reaction' depends on 'allergic', which now comes after it");
        await Assertions.Expect(page.GetByTestId("definition-problems")).ToContainTextAsync("not before this item");
        await page.GetByTestId("definition-problems").GetByRole(AriaRole.Button).First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("insp-linkid")).ToHaveValueAsync("reaction");

        // The keyboard way back: down, then into the section above.
        await page.GetByRole(AriaRole.Button, new() { Name = "Move down" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Move down" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Move into the section above" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("definition-problems-none")).ToBeVisibleAsync();
        await ShotAsync(page, "forms-02-moved");
    }

    [Fact]
    public async Task ReportAnInvalidJsonEditWithItsPathAndKeepTheTree()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await BuilderAsync(context);
        await page.GetByTestId("start-blank").ClickAsync();
        await AddAsync(page, "Boolean", "Do you smoke?", "smoker");
        await AddAsync(page, "Integer", "Packs a day", "packs");

        await page.GetByTestId("show-json").ClickAsync();
        var editor = page.GetByTestId("json-editor");
        var json = await editor.InputValueAsync();
        Assert.Contains("\"linkId\": \"packs\"", json);

        await editor.FillAsync(json.Replace("\"type\": \"integer\"", "\"type\": \"number\"", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByTestId("json-errors")).ToContainTextAsync("Questionnaire.item[1].type");
        await Assertions.Expect(page.GetByTestId("tree-packs")).ToContainTextAsync("Whole number");
        await ShotAsync(page, "forms-03-json-invalid");

        await editor.FillAsync(json.Replace("Packs a day", "Cigarette packs a day", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByTestId("json-ok")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("tree-packs")).ToContainTextAsync("Cigarette packs a day");

        // A definition that reads but fails the checks: the tree follows, the problem names the item.
        await editor.FillAsync(json.Replace("\"linkId\": \"packs\"", "\"linkId\": \"smoker\"", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByTestId("definition-problems")).ToContainTextAsync("The link id 'smoker' is used by more than one item.");

        // A Questionnaire written elsewhere: imported as a draft, the server's report names what would not work here.
        await page.GotoAsync(_console.Url("/console/forms"));
        await LiveAsync(page);
        await page.GetByTestId("start-import").FillAsync("{\"resourceType\":\"Questionnaire\",\"status\":\"active\",\"item\":[}");
        await page.GetByTestId("open-import").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-report")).ToContainTextAsync("nothing was imported");
        await page.GetByTestId("start-import").FillAsync("""
            {"resourceType":"Questionnaire","status":"active","title":"Fancy name","item":[{"linkId":"q","type":"string","text":"Name",
             "extension":[{"url":"http://example.org/fancy-widget","valueString":"x"}]}]}
            """);
        await page.GetByTestId("open-import").ClickAsync();
        await Assertions.Expect(page.GetByTestId("import-report")).ToContainTextAsync("Imported as draft version 1 of fancy-name");
        await Assertions.Expect(page.GetByTestId("import-unsupported")).ToContainTextAsync("http://example.org/fancy-widget");
        await ShotAsync(page, "forms-03-import-report");
        await page.GetByTestId("open-imported").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tree-q")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ScoreAPhq9FromTheLibraryAnsweredInThePreview()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await BuilderAsync(context);
        await OpenLibraryFormAsync(page, "phq-9.json");
        await Assertions.Expect(page.GetByTestId("definition-problems-none")).ToBeVisibleAsync();

        string[] answers = ["Several days", "More than half the days", "Not at all", "Nearly every day", "Several days", "Not at all", "More than half the days", "Several days", "Not at all"];
        for (var i = 0; i < answers.Length; i++)
        {
            await Item(page, $"phq9-item{i + 1}").GetByLabel(answers[i], new() { Exact = true }).CheckAsync();
        }

        // 1 + 2 + 0 + 3 + 1 + 0 + 2 + 1 + 0 = 10: moderate; item 9 not positive, so no alert.
        await Assertions.Expect(Preview(page).GetByTestId("value-phq9-total")).ToHaveTextAsync("10 score");
        await Assertions.Expect(Preview(page).GetByTestId("value-phq9-severity")).ToHaveTextAsync("Moderate");
        await Assertions.Expect(Item(page, "phq9-suicide-alert")).ToHaveCountAsync(0);

        await Item(page, "phq9-item9").GetByLabel("Several days", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(Preview(page).GetByTestId("value-phq9-total")).ToHaveTextAsync("11 score");
        await Assertions.Expect(Item(page, "phq9-suicide-alert")).ToBeVisibleAsync();

        // Completing checks the required answers on the server's engine: all given, so it would be accepted.
        await Preview(page).GetByTestId("complete-form").ClickAsync();
        await Assertions.Expect(page.GetByTestId("preview-notice")).ToContainTextAsync("would accept");
        await ShotAsync(page, "forms-04-phq9-scored");
    }

    [Fact]
    public async Task PointAtEachMissingAnswerAndAnswerARadioQuestionWithTheKeyboardAlone()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await BuilderAsync(context);
        await OpenLibraryFormAsync(page, "phq-9.json");

        // Completing with nothing answered: a summary at the top, focused, linking to each question, each marked.
        await Preview(page).GetByTestId("complete-form").ClickAsync();
        var summary = Preview(page).GetByTestId("problem-summary");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(summary).ToContainTextAsync("1. Little interest or pleasure in doing things: This question needs an answer.");
        var first = Item(page, "phq9-item1").GetByLabel("Not at all", new() { Exact = true });
        await Assertions.Expect(first).ToHaveAttributeAsync("aria-invalid", "true");
        var errorId = await Item(page, "phq9-item1").Locator("fieldset").GetAttributeAsync("aria-describedby");
        await Assertions.Expect(page.Locator($"#{errorId}")).ToHaveTextAsync("Problem: This question needs an answer.");

        // The summary's link takes the keyboard to the first question it names.
        await summary.GetByRole(AriaRole.Link).First.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(first).ToBeFocusedAsync();

        // Space answers, the arrow keys move through the options (and answer), Tab leaves the group.
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(first).ToBeCheckedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        var second = Item(page, "phq9-item1").GetByLabel("Several days", new() { Exact = true });
        await Assertions.Expect(second).ToBeCheckedAsync();
        await Assertions.Expect(second).ToBeFocusedAsync();
        Assert.Equal("solid", await second.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"));
        await Assertions.Expect(Item(page, "phq9-item1").Locator(".ehr-q-error")).ToHaveCountAsync(0);

        var next = Item(page, "phq9-item2").GetByLabel("Not at all", new() { Exact = true });
        for (var presses = 0; presses < 3 && !await next.EvaluateAsync<bool>("e => e === document.activeElement"); presses++)
        {
            await page.Keyboard.PressAsync("Tab");
        }
        await Assertions.Expect(next).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(Item(page, "phq9-item2").GetByLabel("Several days", new() { Exact = true })).ToBeCheckedAsync();
        await ShotAsync(page, "forms-05-keyboard");
    }

    [Fact]
    public async Task AnswerRepeatingSectionsQuantitiesAndFilesInThePreview()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var page = await BuilderAsync(context);
        await OpenLibraryFormAsync(page, "medical-history.json");

        // A repeating section: a second operation opened, answered, the first removed.
        var operations = Item(page, "surgery");
        await operations.GetByLabel("Operation", new() { Exact = true }).FillAsync("Appendectomy");
        await operations.GetByLabel("Operation", new() { Exact = true }).PressAsync("Tab");
        await Preview(page).GetByTestId("add-surgery").ClickAsync();
        await Assertions.Expect(operations).ToHaveCountAsync(2);
        await operations.Nth(1).GetByLabel("Operation", new() { Exact = true }).FillAsync("Knee replacement");
        await operations.Nth(1).GetByLabel("Year").FillAsync("1800");
        await operations.Nth(1).GetByLabel("Year").PressAsync("Tab");
        await Assertions.Expect(operations.Nth(1).GetByTestId("error-surgery-year")).ToContainTextAsync("below the minimum");
        await Assertions.Expect(operations.Nth(1).GetByLabel("Year")).ToHaveAttributeAsync("aria-invalid", "true");
        await operations.Nth(1).GetByLabel("Year").FillAsync("2019");
        await operations.Nth(1).GetByLabel("Year").PressAsync("Tab");
        await Assertions.Expect(operations.Nth(1).GetByTestId("error-surgery-year")).ToHaveCountAsync(0);
        await operations.First.GetByRole(AriaRole.Button, new() { Name = "Remove Operations 1" }).ClickAsync();
        await Assertions.Expect(operations).ToHaveCountAsync(1);
        await Assertions.Expect(operations.GetByLabel("Operation", new() { Exact = true })).ToHaveValueAsync("Knee replacement");

        // Quantities in their unit, and the body mass index the server calculates from them.
        await Item(page, "height").GetByLabel("Height").FillAsync("180");
        await Item(page, "height").GetByLabel("Height").PressAsync("Tab");
        await Item(page, "weight").GetByLabel("Weight").FillAsync("81");
        await Item(page, "weight").GetByLabel("Weight").PressAsync("Tab");
        await Assertions.Expect(Preview(page).GetByTestId("value-bmi")).ToContainTextAsync("25");

        // A file question added in the builder takes a small file in the preview.
        await page.GetByTestId("tree-form").ClickAsync();
        await AddAsync(page, "Attachment", "Referral letter", "letter");
        await Item(page, "letter").GetByLabel("Referral letter").SetInputFilesAsync(new FilePayload
        {
            Name = "referral.txt",
            MimeType = "text/plain",
            Buffer = System.Text.Encoding.UTF8.GetBytes("Please see this patient."),
        });
        await Assertions.Expect(Preview(page).GetByTestId("attachment-letter")).ToContainTextAsync("referral.txt");
        await ShotAsync(page, "forms-06-repeats-quantities-files");
    }

    [Fact]
    public async Task ReadOnATabletWithoutScrollingSideways()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new() { Width = 820, Height = 1180 },
            HasTouch = true,
        });
        var page = await BuilderAsync(context, throughTheMenu: false);
        await FitsTheWidthAsync(page);
        await ShotAsync(page, "forms-07-tablet-forms-page");
        await OpenLibraryFormAsync(page, "medical-history.json");
        await Assertions.Expect(Preview(page)).ToBeVisibleAsync();

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var (scrollWidth, viewport) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= viewport, $"The page is {scrollWidth} px wide in a {viewport} px viewport.");
        await ShotAsync(page, "forms-07-tablet");
        await Preview(page).ScreenshotAsync(new() { Path = Path.Combine(Browser.ScreenshotDir, "forms-07-tablet-form.png") });
    }
}
