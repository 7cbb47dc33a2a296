using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;

namespace Ehr.BrowserTests;

/// <summary>
/// A note signed in the console by a nurse practitioner, with the browser still open on it: the caller disposes it
/// (closing the browser context).
/// </summary>
public sealed record SignedNote(Person Author, IBrowserContext Context, IPage Page, Guid NoteId) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Context.DisposeAsync();
}

/// <summary>
/// Writing notes in a patient's chart as a clinician does, for the notes' browser tests and the workflows' (a nurse
/// practitioner signs a note, whose co-signature task a physician then approves).
/// </summary>
internal static partial class NotePages
{
    /// <summary>
    /// A nurse practitioner of <paramref name="tenant"/> (a new account) signs in, opens the patient's chart, writes a free
    /// note and signs it (nurse practitioners hold note.sign): <c>note.signed</c> is raised with the NP as author and signer.
    /// </summary>
    public static async Task<SignedNote> SignANoteAsANursePractitionerAsync(BrowserHost console, Tenant tenant, Guid patientId,
        string title = "Follow-up visit", string text = "Seen for follow-up. Doing well; no changes to the plan.")
    {
        ArgumentNullException.ThrowIfNull(console);
        var np = await console.Host.CreateAsync(tenant, "nurse-practitioner");
        var context = await console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        try
        {
            var (page, _) = await SignInAsync(context, console.Host, np);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
            await OpenChartAsync(page, console, patientId);
            var noteId = await StartFreeNoteAsync(page, title, text);
            await SignAsync(page);
            return new SignedNote(np, context, page, noteId);
        }
        catch
        {
            await context.DisposeAsync();
            throw;
        }
    }

    public static async Task OpenChartAsync(IPage page, BrowserHost console, Guid patientId)
    {
        await page.GotoAsync(console.Url($"/console/patients/{patientId}"));
        await Assertions.Expect(page.GetByTestId("chart-notes")).ToBeVisibleAsync();
        await LiveAsync(page);
    }

    /// <summary>Starts a free note from the chart's notes section; the note opens below the list. Its id.</summary>
    public static async Task<Guid> StartFreeNoteAsync(IPage page, string title, string text, string type = "progress")
    {
        await page.GetByTestId("note-kind-free").CheckAsync();
        await page.GetByTestId("note-type").SelectOptionAsync(type);
        await page.GetByTestId("note-title").FillAsync(title);
        await page.GetByTestId("note-text").FillAsync(text);
        await page.GetByTestId("start-note-submit").ClickAsync();
        return await OpenedNoteAsync(page, title);
    }

    /// <summary>Starts a note from a template in force where the note is written (the location chosen by default); its id.</summary>
    public static async Task<Guid> StartTemplatedNoteAsync(IPage page, string templateKey, string expectedVersion)
    {
        await page.GetByTestId("note-kind-template").CheckAsync();
        await page.GetByTestId("start-note-template").SelectOptionAsync(templateKey);
        await Assertions.Expect(page.GetByTestId("note-template-version")).ToContainTextAsync(expectedVersion);
        await page.GetByTestId("start-note-submit").ClickAsync();
        return await OpenedNoteAsync(page, null);
    }

    /// <summary>Signs the note open in the chart and waits until it reads as signed.</summary>
    public static async Task SignAsync(IPage page)
    {
        await page.GetByTestId("sign-note").ClickAsync();
        await Assertions.Expect(page.GetByTestId("note-status")).ToHaveTextAsync("signed");
    }

    private static async Task<Guid> OpenedNoteAsync(IPage page, string? title)
    {
        await Assertions.Expect(page).ToHaveURLAsync(NoteUrl());
        var note = page.GetByTestId("note");
        await Assertions.Expect(note.GetByTestId("note-status")).ToHaveTextAsync("draft");
        if (title is not null)
        {
            await Assertions.Expect(note.GetByTestId("note-heading")).ToHaveTextAsync(title);
        }

        return Guid.Parse(NoteUrl().Match(page.Url).Groups[1].Value);
    }

    [GeneratedRegex(@"\?note=([0-9a-f-]{36})$")]
    private static partial Regex NoteUrl();
}
