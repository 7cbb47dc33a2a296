using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;
using static Ehr.BrowserTests.FormPages;
using static Ehr.BrowserTests.NotePages;

namespace Ehr.BrowserTests;

/// <summary>One host and browser for the notes' browser tests; each test makes its own tenant.</summary>
public sealed class NotesConsoleFixture : IAsyncLifetime
{
    public BrowserHost Console { get; private set; } = null!;

    public async Task InitializeAsync() => Console = await BrowserHost.StartAsync();

    public async Task DisposeAsync() => await Console.DisposeAsync();
}

/// <summary>
/// Clinical notes in the console, from the chart: a SOAP note started from the primary-care pack's template, its
/// narrative following the answers, a missing answer refused at signing beside its item, then signed and read-only; a
/// nurse practitioner signing their own note; an amendment with its reason in the history; the signed note in the
/// patient's portal; a tenant admin changing the template's narrative (live preview, a bad reference refused with its
/// path and line, then published), after which a physician's new note uses the new version while the old note keeps its
/// own. Screenshots are kept as artifacts.
/// </summary>
public sealed partial class NotesConsoleShould(NotesConsoleFixture fixture) : IClassFixture<NotesConsoleFixture>, IAsyncLifetime
{
    private const string Register = "mutation($input: PatientInput!) { registerPatient(input: $input) { id } }";
    private const string StartNote = "mutation($input: NoteInput!) { startNote(input: $input) { id version } }";
    private const string SignNote = "mutation($id: ID!, $v: Int!) { signNote(id: $id, expectedVersion: $v) { id version status } }";

    private BrowserHost _console = null!;
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _doctorApi = null!;
    private string _family = "";

    public async Task InitializeAsync()
    {
        _console = fixture.Console;
        _host = _console.Host;
        _tenant = await _host.CreateTenantAsync("notes-ui");
        _doctorApi = _host.Client(_host.Token(_tenant.Slug, "dr.notes-ui", "physician"));
        _family = "Marlowe" + Guid.NewGuid().ToString("N")[..5];
    }

    public Task DisposeAsync()
    {
        _doctorApi.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task StartASoapNoteFromThePackTemplateRenderItAsItIsAnsweredRefuseAMissingAnswerAtSigningAndSignIt()
    {
        var patient = await RegisterAsync("Ada");
        var physician = await _host.CreateAsync(_tenant, "physician");
        await using var context = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var (page, _) = await SignInAsync(context, _host, physician);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await OpenChartAsync(page, _console, patient);
        await Assertions.Expect(page.GetByTestId("no-notes")).ToBeVisibleAsync();

        // The pack's template, in force as the organisation's standard, its version named before starting.
        await StartTemplatedNoteAsync(page, "soap-progress-note", "SOAP progress note version 1 (the organisation's standard)");
        var note = page.GetByTestId("note");
        await Assertions.Expect(note.GetByTestId("note-template")).ToContainTextAsync("SOAP progress note, version 1");
        var form = note.GetByTestId("note-form");
        await Assertions.Expect(form.GetByTestId("item-chief-complaint")).ToBeVisibleAsync();

        // Each answer is saved as it goes and the server renders the text again: plain text, never HTML.
        await form.GetByTestId("item-chief-complaint").GetByLabel("Chief complaint").FillAsync("Cough <3 days> & fever");
        await form.GetByTestId("item-chief-complaint").GetByLabel("Chief complaint").PressAsync("Tab");
        await SavedAsync(page);
        await Assertions.Expect(note.GetByTestId("draft-narrative")).ToContainTextAsync("Chief complaint: Cough <3 days> & fever");
        await form.GetByTestId("item-heart-rate").GetByLabel("Heart rate").FillAsync("88");
        await form.GetByTestId("item-heart-rate").GetByLabel("Heart rate").PressAsync("Tab");
        await SavedAsync(page);
        await Assertions.Expect(note.GetByTestId("draft-narrative")).ToContainTextAsync("Vital signs: HR 88/min.");
        await note.GetByTestId("draft-free-text").FillAsync("Discussed return precautions.");
        await SavedAsync(page);
        await Assertions.Expect(note.GetByTestId("draft-narrative")).ToContainTextAsync("Discussed return precautions.");
        await ShotAsync(page, "notes-01-soap-draft");

        // Signing without an assessment and a plan: refused by the server, beside the items, and nothing signed.
        await note.GetByTestId("sign-note").ClickAsync();
        await Assertions.Expect(form.GetByTestId("error-assessment")).ToContainTextAsync("needs an answer");
        await Assertions.Expect(form.GetByTestId("error-plan")).ToContainTextAsync("needs an answer");
        await Assertions.Expect(form.GetByTestId("problem-summary")).ToBeFocusedAsync();
        await Assertions.Expect(note.GetByTestId("note-status")).ToHaveTextAsync("draft");
        await ShotAsync(page, "notes-02-sign-refused");

        await form.GetByTestId("item-assessment").GetByLabel("Assessment").FillAsync("Viral upper respiratory infection.");
        await form.GetByTestId("item-plan").GetByLabel("Plan").FillAsync("Fluids, rest, paracetamol as needed.");
        await form.GetByTestId("item-plan").GetByLabel("Plan").PressAsync("Tab");
        await Assertions.Expect(form.GetByTestId("error-assessment")).ToHaveCountAsync(0);
        await SignAsync(page);

        // Signed: read-only, the signed text shown, no editing left.
        await Assertions.Expect(note.GetByTestId("note-signed")).ToContainTextAsync("by you");
        await Assertions.Expect(note.GetByTestId("note-text")).ToContainTextAsync("ASSESSMENT\nViral upper respiratory infection.");
        await Assertions.Expect(note.GetByTestId("note-text")).ToContainTextAsync("Chief complaint: Cough <3 days> & fever");
        await Assertions.Expect(note.GetByTestId("note-draft")).ToHaveCountAsync(0);
        await Assertions.Expect(note.Locator("textarea:not([readonly]), input:not([readonly]):not([disabled]):not([type=hidden]), select:not([disabled])"))
            .ToHaveCountAsync(0);
        await Assertions.Expect(note.GetByTestId("sign-note")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("notes")).ToContainTextAsync("SOAP progress note v1");
        await ShotAsync(page, "notes-03-soap-signed");
    }

    [Fact]
    public async Task LetANursePractitionerSignTheirOwnNote()
    {
        var patient = await RegisterAsync("Bea");

        await using var signed = await SignANoteAsANursePractitionerAsync(_console, _tenant, patient, "Wound check", "Healing well. Dressing changed.");

        var note = signed.Page.GetByTestId("note");
        await Assertions.Expect(note.GetByTestId("note-author")).ToHaveTextAsync("you");
        await Assertions.Expect(note.GetByTestId("note-signed")).ToContainTextAsync("by you");
        await Assertions.Expect(note.GetByTestId("note-text")).ToHaveTextAsync("Healing well. Dressing changed.");
        await Assertions.Expect(signed.Page.GetByTestId($"note-status-{signed.NoteId}")).ToHaveTextAsync("signed");
        await ShotAsync(signed.Page, "notes-04-np-signed");
        var stored = (await _doctorApi.GraphQLAsync("query($id: ID!) { note(id: $id) { status authorId signedBy } }", new { id = signed.NoteId }))
            .DataOrThrow["note"]!;
        Assert.Equal(("signed", signed.Author.Id.ToString(), signed.Author.Id.ToString()),
            (stored["status"]!.GetValue<string>(), stored["authorId"]!.GetValue<string>(), stored["signedBy"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AmendASignedNoteWithAReasonAndShowEachRevisionWithItsReason()
    {
        var patient = await RegisterAsync("Cleo");
        var physician = await _host.CreateAsync(_tenant, "physician");
        await using var context = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var (page, _) = await SignInAsync(context, _host, physician);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await OpenChartAsync(page, _console, patient);
        await StartFreeNoteAsync(page, "Knee pain", "Left knee pain after a fall. X-ray ordered.");
        await SignAsync(page);
        var note = page.GetByTestId("note");

        await note.GetByTestId("amend-note").ClickAsync();
        await Assertions.Expect(note.GetByTestId("amend-note-reason")).ToBeFocusedAsync();
        await note.GetByTestId("amend-text").FillAsync("Right knee pain after a fall. X-ray ordered.");
        // Too short a reason: refused beside the reason, nothing amended.
        await note.GetByTestId("amend-note-reason").FillAsync("oops");
        await note.GetByTestId("save-amendment").ClickAsync();
        await Assertions.Expect(note.GetByTestId("amend-note-reason-error")).ToContainTextAsync("5 to 500");
        await note.GetByTestId("amend-note-reason").FillAsync("Wrong side documented");
        await note.GetByTestId("save-amendment").ClickAsync();

        await Assertions.Expect(note.GetByTestId("note-status")).ToHaveTextAsync("amended");
        await Assertions.Expect(note.GetByTestId("note-text")).ToHaveTextAsync("Right knee pain after a fall. X-ray ordered.");
        await Assertions.Expect(note.GetByTestId("note-history").Locator("li")).ToHaveCountAsync(2);
        await Assertions.Expect(note.GetByTestId("note-revision-2")).ToContainTextAsync("Amendment 1");
        await Assertions.Expect(note.GetByTestId("note-revision-reason-2")).ToHaveTextAsync("Wrong side documented");
        await Assertions.Expect(note.GetByTestId("note-revision-2")).ToContainTextAsync("(current)");
        // The original, as signed, is still there to read.
        await note.GetByTestId("view-revision-1").ClickAsync();
        await Assertions.Expect(note.GetByTestId("note-text")).ToHaveTextAsync("Left knee pain after a fall. X-ray ordered.");
        await ShotAsync(page, "notes-05-amended-history");
    }

    [Fact]
    public async Task ShowASignedNoteToItsPatientInThePortalAndNeverADraft()
    {
        var (patient, email, password) = await PortalPatientAsync("Dora");
        var signed = await StartedAsync(patient, "Annual review", "Blood pressure well controlled <130/80>.");
        (await _doctorApi.GraphQLAsync(SignNote, new { id = signed.Id, v = signed.Version })).DataOrThrow.ToString();
        await StartedAsync(patient, "Unfinished thoughts", "Not for the patient yet.");

        await using var context = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 820, Height = 1180 }, HasTouch = true });
        var (portal, _) = await SignInAsync(context, _host.Address, email, password);
        await Assertions.Expect(portal).ToHaveURLAsync(new Regex("/portal$"));
        await LiveAsync(portal);
        var list = portal.GetByTestId("portal-notes-list");
        await Assertions.Expect(list.Locator("li")).ToHaveCountAsync(1);
        await Assertions.Expect(list).ToContainTextAsync("Annual review");
        await Assertions.Expect(list).Not.ToContainTextAsync("Unfinished thoughts");
        await portal.GetByTestId($"read-note-{signed.Id}").ClickAsync();
        await Assertions.Expect(portal.GetByTestId("portal-note-text")).ToHaveTextAsync("Blood pressure well controlled <130/80>.");
        await Assertions.Expect(portal.GetByTestId("portal-note").Locator("textarea, input, button")).ToHaveCountAsync(0);
        await FitsTheWidthAsync(portal);
        await ShotAsync(portal, "notes-06-portal-signed-note");
    }

    [Fact]
    public async Task LetATenantAdminChangeATemplatesNarrativeWithALivePreviewAndPublishItWhileOlderNotesKeepTheirVersion()
    {
        var patient = await RegisterAsync("Eve");
        var older = (await _doctorApi.GraphQLAsync("mutation($input: NoteFromTemplateInput!) { startNoteFromTemplate(input: $input) { id templateId } }",
            new { input = new { patientId = patient, templateKey = "soap-progress-note" } })).DataOrThrow["startNoteFromTemplate"]!;
        var olderId = older["id"]!.GetValue<string>();

        // The tenant admin starts version 2 from the standard in force.
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        await using var adminContext = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var (page, _) = await SignInAsync(adminContext, _host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await LiveAsync(page);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Note templates" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("standard-soap-progress-note")).ToHaveTextAsync("published v1");
        await page.GetByTestId("template-soap-progress-note").ClickAsync();
        await Assertions.Expect(page.GetByTestId("status-standard-1")).ToHaveTextAsync("published (in force)");
        await LiveAsync(page);
        await page.GetByTestId("new-draft-standard-1").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/note-templates/edit/"));
        await Assertions.Expect(page.GetByTestId("template-scope")).ToContainTextAsync("version 2 · the organisation's standard · draft");
        await LiveAsync(page);
        // The preview renders what prefill gives the sample patient.
        await Assertions.Expect(page.GetByTestId("template-preview")).ToContainTextAsync("SUBJECTIVE");

        // The patient's name at the top: saved as it is typed, and previewed.
        var narrative = page.GetByTestId("narrative-editor");
        var original = await narrative.InputValueAsync();
        var named = "Patient: {{ patient.name }}\n" + original;
        await narrative.FillAsync(named);
        await SavedAsync(page);
        await Assertions.Expect(page.GetByTestId("template-preview")).ToContainTextAsync("Patient: Alex Sample");
        // Sample answers come from the builder's preview of the form.
        var sample = page.GetByTestId("form-preview");
        await sample.GetByTestId("item-chief-complaint").GetByLabel("Chief complaint").FillAsync("Headache since Monday");
        await sample.GetByTestId("item-chief-complaint").GetByLabel("Chief complaint").PressAsync("Tab");
        await Assertions.Expect(page.GetByTestId("template-preview")).ToContainTextAsync("Chief complaint: Headache since Monday");
        await ShotAsync(page, "notes-07-template-preview");

        // A reference to a question the form does not have: the preview says where, and publishing is refused with the path and line.
        var badLine = named.Count(c => c == '\n') + 1;
        await narrative.FillAsync(named + "Seen by {{ answers.attending-clinician.value }}\n");
        await SavedAsync(page);
        await Assertions.Expect(page.GetByTestId("preview-problems")).ToContainTextAsync($"content.narrative, line {badLine}");
        await Assertions.Expect(page.GetByTestId("narrative-problems")).ToContainTextAsync($"Line {badLine}:");
        await Assertions.Expect(page.GetByTestId("narrative-problems")).ToContainTextAsync("attending-clinician");
        await PublishAsync(page, "Should not go out");
        await Assertions.Expect(page.GetByTestId("publish-problems")).ToContainTextAsync($"content.narrative, line {badLine}");
        await Assertions.Expect(page.GetByTestId("publish-problems")).ToContainTextAsync("attending-clinician");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/note-templates/edit/"));
        await ShotAsync(page, "notes-08-template-publish-refused");

        await narrative.FillAsync(named);
        await Assertions.Expect(page.GetByTestId("publish-problems")).ToHaveCountAsync(0);
        await SavedAsync(page);
        await Assertions.Expect(page.GetByTestId("preview-problems")).ToHaveCountAsync(0);
        await PublishAsync(page, "The patient's name at the top");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console/note-templates/soap-progress-note\\?published="));
        await Assertions.Expect(page.GetByTestId("notice")).ToContainTextAsync("Published version 2 (standard): The patient's name at the top");
        await Assertions.Expect(page.GetByTestId("status-standard-2")).ToHaveTextAsync("published (in force)");
        await Assertions.Expect(page.GetByTestId("status-standard-1")).ToHaveTextAsync("published");
        await ShotAsync(page, "notes-09-template-published");

        // A physician's new note uses version 2 (the name rendered from the chart); the older note keeps version 1.
        var physician = await _host.CreateAsync(_tenant, "physician");
        await using var doctorContext = await _console.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var (chart, _) = await SignInAsync(doctorContext, _host, physician);
        await Assertions.Expect(chart.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await OpenChartAsync(chart, _console, patient);
        var newer = await StartTemplatedNoteAsync(chart, "soap-progress-note", "SOAP progress note version 2 (the organisation's standard)");
        await Assertions.Expect(chart.GetByTestId("draft-narrative")).ToContainTextAsync($"Patient: Eve {_family}");
        await Assertions.Expect(chart.GetByTestId($"note-template-{newer}")).ToHaveTextAsync("SOAP progress note v2");
        await Assertions.Expect(chart.GetByTestId($"note-template-{olderId}")).ToHaveTextAsync("SOAP progress note v1");
        await chart.GetByTestId($"open-note-{olderId}").ClickAsync();
        await Assertions.Expect(chart.GetByTestId("note-template")).ToContainTextAsync("SOAP progress note, version 1");
        await Assertions.Expect(chart.GetByTestId("note-text")).Not.ToContainTextAsync("Patient:");
        await ShotAsync(chart, "notes-10-pinned-versions");
    }

    private async Task<Guid> RegisterAsync(string given)
    {
        var input = new { name = new { given, family = _family }, birthDate = "1980-04-02", administrativeSex = "female" };
        return Guid.Parse((await _doctorApi.GraphQLAsync(Register, new { input })).DataOrThrow["registerPatient"]!["id"]!.GetValue<string>());
    }

    private async Task<(string Id, int Version)> StartedAsync(Guid patient, string title, string narrative)
    {
        var note = (await _doctorApi.GraphQLAsync(StartNote, new { input = new { patientId = patient, noteType = "progress", title, narrative } }))
            .DataOrThrow["startNote"]!;
        return (note["id"]!.GetValue<string>(), note["version"]!.GetValue<int>());
    }

    /// <summary>A patient who joined the portal for their own record (invited by the front desk, invitation accepted).</summary>
    private async Task<(Guid Id, string Email, string Password)> PortalPatientAsync(string given)
    {
        var id = await RegisterAsync(given);
        var email = $"{given.ToLowerInvariant()}{Guid.NewGuid():N}"[..16] + "@example.test";
        var password = "Lantern-thistle-" + Guid.NewGuid().ToString("N")[..10];
        using var frontDesk = _host.Client(_host.Token(_tenant.Slug, "front.desk.notes-ui", "front-desk"));
        (await frontDesk.GraphQLAsync("mutation($input: InvitePatientToPortalInput!) { invitePatientToPortal(input: $input) { id } }",
            new { input = new { patientId = id, email } })).DataOrThrow.ToString();
        await using var sql = await _host.OpenSqlAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT body FROM platform.email_outbox WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1", sql);
        cmd.Parameters.AddWithValue(email);
        var token = InvitationToken().Match((string)(await cmd.ExecuteScalarAsync())!).Groups[1].Value;
        (await _host.Client().GraphQLAsync("mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { email } }",
            new { input = new { token, displayName = $"{given} {_family}", password } })).DataOrThrow.ToString();
        return (id, email, password);
    }

    [GeneratedRegex(@"/account/invitation\?token=([A-Za-z0-9_-]+)")]
    private static partial Regex InvitationToken();
}
