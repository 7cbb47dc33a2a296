using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;
using static Ehr.BrowserTests.FormPages;

namespace Ehr.BrowserTests;

/// <summary>
/// Forms from end to end, stored: a tenant admin builds a form with a conditional question and a score extracted
/// into the chart and publishes it with a note; staff send it to a patient; the patient fills it in through the portal
/// (the server's refusal shown beside the item it names) and completes it; the clinician sees the score and the
/// extracted observation in the chart. Also: a refused publication marked on its item, a location's override in force
/// for that location's staff, a stale autosave from another tab reported and never written, an amendment with its
/// reason in the history. Screenshots are kept as artifacts.
/// </summary>
public sealed partial class FormsEndToEndShould : IAsyncLifetime
{
    private const string Register = "mutation($input: PatientInput!) { registerPatient(input: $input) { id mrn } }";
    private const string CreateDraft = "mutation($input: FormDraftInput!) { createFormDraft(input: $input) { definition { id key rowVersion } } }";
    private const string Publish = "mutation($id: ID!, $v: Int!, $note: String) { publishFormDefinition(id: $id, expectedVersion: $v, note: $note) { id version } }";
    private const string GetDefinition = "query($id: ID!) { formDefinition(id: $id) { content rowVersion } }";
    private const string Start = "mutation($input: StartFormResponseInput!) { startFormResponse(input: $input) { id version } }";
    private const string Complete = "mutation($id: ID!, $v: Int!, $content: String) { completeFormResponse(id: $id, expectedVersion: $v, content: $content) { id version } }";

    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;
    private Tenant _tenant = null!;
    private HttpClient _adminApi = null!;
    private HttpClient _doctorApi = null!;
    private string _family = "";

    public async Task InitializeAsync()
    {
        _console = await BrowserHost.StartAsync();
        (_host, _browser) = (_console.Host, _console.Browser);
        _tenant = await _host.CreateTenantAsync("forms-e2e");
        _adminApi = _host.Client(_host.Token(_tenant.Slug, "admin.forms-e2e", "tenant-admin"));
        _doctorApi = _host.Client(_host.Token(_tenant.Slug, "dr.forms-e2e", "physician"));
        _family = "Fennel" + Guid.NewGuid().ToString("N")[..5];
    }

    public async Task DisposeAsync()
    {
        _adminApi.Dispose();
        _doctorApi.Dispose();
        await _console.DisposeAsync();
    }

    private string Url(string path) => _console.Url(path);

    [Fact]
    public async Task BuildAScoredConditionalFormSendItToAPatientWhoFillsItInAndShowTheScoreAndObservationInTheChart()
    {
        var (patientId, email, password) = await PortalPatientAsync("Rosa");

        // The tenant admin builds the form in the builder: a question asked only of smokers, two scored choices and
        // their total, read-only, calculated on the server and extracted into the chart as an observation.
        await using var adminContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var admin = await AdminAsync(adminContext);
        await admin.GetByTestId("start-title").FillAsync("Smoking and mood");
        await admin.GetByTestId("start-blank").ClickAsync();
        await Assertions.Expect(admin.GetByTestId("builder-title")).ToHaveTextAsync("Smoking and mood");
        await Assertions.Expect(admin.GetByTestId("draft-scope")).ToContainTextAsync("smoking-and-mood");
        await AddAsync(admin, "Boolean", "Do you smoke?", "smoker");
        await admin.GetByTestId("inspector").GetByLabel("Required").CheckAsync();
        await AddAsync(admin, "Integer", "Packs a day", "packs");
        await admin.GetByTestId("inspector").GetByLabel("Required").CheckAsync();
        await admin.GetByTestId("add-condition").ClickAsync();
        await Assertions.Expect(admin.GetByLabel("Question of condition 1")).ToHaveValueAsync("smoker");
        await AddAsync(admin, "Choice", "Mood", "mood");
        await SetOptionAsync(admin, 1, "Good", "0");
        await SetOptionAsync(admin, 2, "Low", "2");
        await AddAsync(admin, "Choice", "Sleep", "sleep");
        await SetOptionAsync(admin, 1, "Fine", "0");
        await SetOptionAsync(admin, 2, "Poor", "1");
        await AddAsync(admin, "Integer", "Mood and sleep score", "total");
        await admin.GetByTestId("inspector").GetByLabel("Read-only").CheckAsync();
        await admin.GetByTestId("insp-calculated").FillAsync("%resource.item.where(linkId = 'mood' or linkId = 'sleep').answer.value.ordinal().sum()");
        await admin.GetByTestId("insp-calculated").PressAsync("Tab");
        await admin.GetByLabel("Extract the answer as an Observation").CheckAsync();
        await admin.GetByTestId("insp-code").FillAsync("mood-sleep-score");
        await admin.GetByLabel("Code system").FillAsync("https://clinic.example/codes");
        await admin.GetByLabel("Code display").FillAsync("Mood and sleep score");
        await Assertions.Expect(admin.GetByTestId("definition-problems-none")).ToBeVisibleAsync();
        await SavedAsync(admin);
        await ShotAsync(admin, "forms-e2e-01-built");

        await PublishAsync(admin, "First version: smoking, mood and sleep");
        await Assertions.Expect(admin).ToHaveURLAsync(new Regex("/console/forms/smoking-and-mood\\?published="));
        await Assertions.Expect(admin.GetByTestId("notice")).ToContainTextAsync("Published version 1 (standard): First version: smoking, mood and sleep");
        await Assertions.Expect(admin.GetByTestId("status-standard-1")).ToHaveTextAsync("published (in force)");
        await ShotAsync(admin, "forms-e2e-02-published");

        // A clinician sends it to the patient from the chart.
        var doctor = await _host.CreateAsync(_tenant, "physician");
        await using var clinicianContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var (chart, _) = await SignInAsync(clinicianContext, _host, doctor);
        await Assertions.Expect(chart.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await chart.GotoAsync(Url($"/console/patients/{patientId}"));
        await LiveAsync(chart);
        await chart.GetByTestId("start-form").SelectOptionAsync("smoking-and-mood");
        await Assertions.Expect(chart.GetByTestId("start-resolved")).ToHaveTextAsync("In force here: version 1 (the organisation's standard).");
        await chart.GetByTestId("start-for-patient").CheckAsync();
        await chart.GetByTestId("start-response-submit").ClickAsync();
        await Assertions.Expect(chart.GetByTestId("forms-notice")).ToContainTextAsync("was sent to the patient");
        await Assertions.Expect(chart.GetByTestId("responses")).ToContainTextAsync("in progress, sent to the patient");
        await ShotAsync(chart, "forms-e2e-03-sent");

        // The patient, on a tablet, fills it in through the portal.
        await using var patientContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 820, Height = 1180 }, HasTouch = true });
        var (portal, _) = await SignInAsync(patientContext, _host.Address, email, password);
        await Assertions.Expect(portal).ToHaveURLAsync(new Regex("/portal$"));
        await LiveAsync(portal);
        await Assertions.Expect(portal.GetByTestId("forms-waiting")).ToContainTextAsync("Smoking and mood");
        await portal.GetByTestId("fill-smoking-and-mood").ClickAsync();
        var form = portal.GetByTestId("portal-response");
        await Assertions.Expect(form.GetByTestId("item-smoker")).ToBeVisibleAsync();
        await Assertions.Expect(form.GetByTestId("item-packs")).ToHaveCountAsync(0);
        await form.GetByTestId("item-smoker").GetByLabel("Yes", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(form.GetByTestId("item-packs")).ToBeVisibleAsync();
        await form.GetByTestId("item-smoker").GetByLabel("No", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(form.GetByTestId("item-packs")).ToHaveCountAsync(0);
        await form.GetByTestId("item-smoker").GetByLabel("Yes", new() { Exact = true }).CheckAsync();
        await form.GetByTestId("item-mood").GetByLabel("Low", new() { Exact = true }).CheckAsync();
        await form.GetByTestId("item-sleep").GetByLabel("Poor", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(form.GetByTestId("value-total")).ToHaveTextAsync("3");
        await SavedAsync(portal);

        // Completing without the number of packs: the server refuses, and says so beside the question.
        await form.GetByTestId("complete-form").ClickAsync();
        await Assertions.Expect(form.GetByTestId("error-packs")).ToContainTextAsync("needs an answer");
        await Assertions.Expect(form.GetByTestId("problem-summary")).ToBeFocusedAsync();
        await Assertions.Expect(form.GetByTestId("item-packs").GetByLabel("Packs a day")).ToHaveAttributeAsync("aria-invalid", "true");
        await FitsTheWidthAsync(portal);
        await ShotAsync(portal, "forms-e2e-04-portal-refused");
        await form.GetByTestId("item-packs").GetByLabel("Packs a day").FillAsync("1");
        await form.GetByTestId("item-packs").GetByLabel("Packs a day").PressAsync("Tab");
        await Assertions.Expect(form.GetByTestId("error-packs")).ToHaveCountAsync(0);
        await form.GetByTestId("complete-form").ClickAsync();
        await Assertions.Expect(portal.GetByTestId("portal-forms-notice")).ToContainTextAsync("your answers to Smoking and mood were sent");
        await Assertions.Expect(portal.GetByTestId("forms-done")).ToContainTextAsync("Smoking and mood");
        await Assertions.Expect(portal.GetByTestId("no-forms-waiting")).ToBeVisibleAsync();
        await Assertions.Expect(form.GetByTestId("value-total")).ToHaveTextAsync("3");
        // Patients read what they sent; they never amend it.
        await Assertions.Expect(portal.GetByTestId("amend-response")).ToHaveCountAsync(0);
        await ShotAsync(portal, "forms-e2e-05-portal-completed");

        // The clinician sees the completed response with its score, and the observation extracted from it, linked back.
        await chart.ReloadAsync();
        await LiveAsync(chart);
        await Assertions.Expect(chart.GetByTestId("responses")).ToContainTextAsync("completed");
        await Assertions.Expect(chart.GetByTestId("responses")).ToContainTextAsync("Mood and sleep score: 3");
        await Assertions.Expect(chart.GetByTestId("observation-value-mood-sleep-score")).ToHaveTextAsync("3");
        await Assertions.Expect(chart.GetByTestId("observations-table")).ToContainTextAsync("Mood and sleep score");
        await chart.GetByTestId("observation-source-mood-sleep-score").ClickAsync();
        await Assertions.Expect(chart.GetByTestId("response-status")).ToHaveTextAsync("completed");
        await Assertions.Expect(chart.GetByTestId("response-scores")).ToContainTextAsync("Mood and sleep score: 3");
        await Assertions.Expect(chart.GetByTestId("form-response").GetByTestId("item-packs").GetByLabel("Packs a day")).ToHaveValueAsync("1");
        await ShotAsync(chart, "forms-e2e-06-chart");
    }

    [Fact]
    public async Task RefuseToPublishAConditionOnALaterQuestionAndMarkTheItemItNames()
    {
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var admin = await AdminAsync(context);
        await admin.GetByTestId("start-title").FillAsync("Allergy check");
        await admin.GetByTestId("start-blank").ClickAsync();
        await AddAsync(admin, "Boolean", "Any allergies?", "allergic");
        await AddAsync(admin, "String", "Reaction", "reaction");
        await admin.GetByTestId("add-condition").ClickAsync();
        await Assertions.Expect(admin.GetByLabel("Question of condition 1")).ToHaveValueAsync("allergic");
        // Moved above the question it depends on: the builder warns, and publishing anyway is refused by the server.
        await admin.GetByRole(AriaRole.Button, new() { Name = "Move up" }).ClickAsync();
        await SavedAsync(admin);
        await PublishAsync(admin, "Should not go out");

        await Assertions.Expect(admin.GetByTestId("server-problems")).ToContainTextAsync("reaction");
        await Assertions.Expect(admin.GetByTestId("tree-problem-reaction")).ToContainTextAsync("not before this item");
        await Assertions.Expect(admin.GetByTestId("tree-problem-allergic")).ToHaveCountAsync(0);
        await Assertions.Expect(admin).ToHaveURLAsync(new Regex("/console/forms/builder/"));
        await ShotAsync(admin, "forms-e2e-07-publish-refused");

        // Moved back, it publishes.
        await admin.GetByTestId("tree-reaction").ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Move down" }).ClickAsync();
        await Assertions.Expect(admin.GetByTestId("server-problems")).ToHaveCountAsync(0);
        await Assertions.Expect(admin.GetByTestId("definition-problems-none")).ToBeVisibleAsync();
        await SavedAsync(admin);
        await PublishAsync(admin, "Allergies, with the reaction when there are some");
        await Assertions.Expect(admin.GetByTestId("status-standard-1")).ToHaveTextAsync("published (in force)");
    }

    [Fact]
    public async Task PutALocationsOverrideInForceForThatLocationsStaffAndCompareItWithTheStandard()
    {
        var key = "visit-" + Guid.NewGuid().ToString("N")[..6];
        var standard = await PublishedAsync(key, """[{"linkId":"reason","text":"Reason for the visit","type":"string","required":true}]""");
        var code = "N" + Guid.NewGuid().ToString("N")[..5].ToUpperInvariant();
        var north = (await _adminApi.GraphQLAsync("mutation($input: LocationInput!) { createLocation(input: $input) { id } }",
            new { input = new { code, name = "North " + code, timezone = "UTC" } })).DataOrThrow["createLocation"]!["id"]!.GetValue<string>();

        // The admin gives North its own version: the standard's questions and one more.
        await using var adminContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var admin = await AdminAsync(adminContext);
        await admin.GotoAsync(Url($"/console/forms/{key}"));
        await LiveAsync(admin);
        await admin.GetByTestId("override-location").SelectOptionAsync(north);
        await admin.GetByTestId("start-override").ClickAsync();
        await Assertions.Expect(admin.GetByTestId("draft-scope")).ToContainTextAsync($"override for North {code}");
        await Assertions.Expect(admin.GetByTestId("tree-reason")).ToBeVisibleAsync();
        await admin.GetByTestId("tree-reason").ClickAsync();
        await AddAsync(admin, "String", "Which entrance did you use?", "entrance");
        await SavedAsync(admin);
        await PublishAsync(admin, "North asks about the entrance");
        var scope = admin.GetByTestId($"scope-{code.ToLowerInvariant()}");
        await Assertions.Expect(scope).ToContainTextAsync("published v1");
        await Assertions.Expect(admin.GetByTestId("scope-standard")).ToContainTextAsync("published v1");

        // The two versions compared, and one exported as it is stored.
        await admin.GetByTestId("diff-from").SelectOptionAsync(standard);
        await admin.GetByTestId("diff-compare").ClickAsync();
        await Assertions.Expect(admin.GetByTestId("diff")).ToContainTextAsync("Item 'entrance' added");
        await ShotAsync(admin, "forms-e2e-08-override-diff");
        var download = await admin.RunAndWaitForDownloadAsync(() =>
            admin.GetByRole(AriaRole.Button, new() { Name = "Export v1 (Standard)" }).ClickAsync());
        Assert.Equal($"{key}-v1.json", download.SuggestedFilename);
        Assert.Equal(Form(key, """[{"linkId":"reason","text":"Reason for the visit","type":"string","required":true}]"""),
            await File.ReadAllTextAsync(await download.PathAsync()));

        // A nurse who works at North starts the form there and answers North's version.
        var patient = await RegisterAsync("Iris");
        var nurse = await _host.CreateAsync(_tenant, "nurse");
        await _host.ChangeMembershipAsync(nurse, (m, now) => m.Assign(m.Roles, [Guid.Parse(north)], now));
        await using var nurseContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 820, Height = 1180 }, HasTouch = true });
        var (chart, _) = await SignInAsync(nurseContext, _host, nurse);
        await Assertions.Expect(chart.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await chart.GotoAsync(Url($"/console/patients/{patient}"));
        await LiveAsync(chart);
        await Assertions.Expect(chart.GetByTestId("start-location")).ToHaveValueAsync(north);
        await chart.GetByTestId("start-form").SelectOptionAsync(key);
        await Assertions.Expect(chart.GetByTestId("start-resolved")).ToHaveTextAsync($"In force here: version 1 (North {code}'s own).");
        await chart.GetByTestId("start-response-submit").ClickAsync();
        var form = chart.GetByTestId("form-response");
        await Assertions.Expect(form.GetByTestId("item-entrance")).ToBeVisibleAsync();
        await Assertions.Expect(form.GetByTestId("item-reason")).ToBeVisibleAsync();
        await FitsTheWidthAsync(chart);
        await ShotAsync(chart, "forms-e2e-09-override-in-force");

        // Without a location, the standard is in force.
        await chart.GetByTestId("start-location").SelectOptionAsync("");
        await Assertions.Expect(chart.GetByTestId("start-resolved")).ToHaveTextAsync("In force here: version 1 (the organisation's standard).");
    }

    [Fact]
    public async Task ReportAStaleAutosaveFromAnotherTabAndNeverWriteOverTheOtherChange()
    {
        var key = "tabs-" + Guid.NewGuid().ToString("N")[..6];
        var draft = (await _adminApi.GraphQLAsync(CreateDraft, new { input = new { key, title = "Two tabs" } })).DataOrThrow["createFormDraft"]!["definition"]!;
        var id = draft["id"]!.GetValue<string>();

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1440, Height = 1000 } });
        var first = await AdminAsync(context);
        await first.GotoAsync(Url($"/console/forms/builder/{id}"));
        var second = await context.NewPageAsync();
        await second.GotoAsync(Url($"/console/forms/builder/{id}"));
        foreach (var tab in new[] { first, second })
        {
            await Assertions.Expect(tab.GetByTestId("form-builder")).ToBeVisibleAsync();
            await LiveAsync(tab);
        }

        await AddAsync(first, "Boolean", "Do you smoke?", "smoker");
        await SavedAsync(first);
        await AddAsync(second, "Choice", "Mood", "mood");

        await Assertions.Expect(second.GetByTestId("autosave-conflict")).ToBeVisibleAsync();
        await Assertions.Expect(second.GetByTestId("autosave-status")).ToHaveTextAsync("Not saved: changed elsewhere.");
        await Assertions.Expect(second.GetByTestId("publish")).ToBeDisabledAsync();
        await ShotAsync(second, "forms-e2e-10-stale-tab");
        var stored = (await _adminApi.GraphQLAsync(GetDefinition, new { id })).DataOrThrow["formDefinition"]!;
        Assert.Contains("\"smoker\"", stored["content"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"mood\"", stored["content"]!.GetValue<string>(), StringComparison.Ordinal);

        // Reloaded, the second tab shows what was saved, and saves again from there.
        await second.GetByTestId("reload-draft").ClickAsync();
        await Assertions.Expect(second.GetByTestId("tree-smoker")).ToBeVisibleAsync();
        await Assertions.Expect(second.GetByTestId("tree-mood")).ToHaveCountAsync(0);
        await AddAsync(second, "Choice", "Mood", "mood");
        await SavedAsync(second);
        var saved = (await _adminApi.GraphQLAsync(GetDefinition, new { id })).DataOrThrow["formDefinition"]!["content"]!.GetValue<string>();
        Assert.Contains("\"smoker\"", saved, StringComparison.Ordinal);
        Assert.Contains("\"mood\"", saved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AmendACompletedResponseWithAReasonAndShowEveryRevisionInItsHistory()
    {
        var key = "sleep-" + Guid.NewGuid().ToString("N")[..6];
        await PublishedAsync(key, """[{"linkId":"hours","text":"Hours of sleep","type":"integer","required":true}]""");
        var patient = await RegisterAsync("Otto");
        var started = (await _doctorApi.GraphQLAsync(Start, new { input = new { patientId = patient, formKey = key } })).DataOrThrow["startFormResponse"]!;
        var responseId = started["id"]!.GetValue<string>();
        (await _doctorApi.GraphQLAsync(Complete, new
        {
            id = responseId,
            v = started["version"]!.GetValue<int>(),
            content = """{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"hours","answer":[{"valueInteger":5}]}]}""",
        })).DataOrThrow.ToString();

        var doctor = await _host.CreateAsync(_tenant, "physician");
        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var (page, _) = await SignInAsync(context, _host, doctor);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await page.GotoAsync(Url($"/console/patients/{patient}?response={responseId}"));
        await LiveAsync(page);
        var panel = page.GetByTestId("form-response");
        await Assertions.Expect(panel.GetByTestId("response-status")).ToHaveTextAsync("completed");
        var hours = panel.GetByTestId("item-hours").GetByLabel("Hours of sleep");
        await Assertions.Expect(hours).ToHaveValueAsync("5");

        // An amendment needs a reason: refused without one, the answers kept as typed.
        await panel.GetByTestId("amend-response").ClickAsync();
        await hours.FillAsync("7");
        await hours.PressAsync("Tab");
        await panel.GetByTestId("complete-form").ClickAsync();
        await Assertions.Expect(panel.GetByTestId("amend-reason-error")).ToContainTextAsync("Say why");
        await Assertions.Expect(hours).ToHaveValueAsync("7");
        await panel.GetByLabel("Reason for the amendment").FillAsync("The patient slept seven hours, not five");
        await panel.GetByTestId("complete-form").ClickAsync();

        await Assertions.Expect(panel.GetByTestId("response-status")).ToHaveTextAsync("amended (1×)");
        var history = panel.GetByTestId("response-history");
        await Assertions.Expect(history.GetByTestId("revision-1")).ToContainTextAsync("Original answers");
        await Assertions.Expect(history.GetByTestId("revision-2")).ToContainTextAsync("The patient slept seven hours, not five");
        await Assertions.Expect(history.GetByTestId("revision-2")).ToContainTextAsync("(current)");
        await Assertions.Expect(hours).ToHaveValueAsync("7");
        await history.GetByTestId("revision-1").GetByRole(AriaRole.Button, new() { Name = "View" }).ClickAsync();
        await Assertions.Expect(hours).ToHaveValueAsync("5");
        await ShotAsync(page, "forms-e2e-11-amended-history");

        // Marked entered in error with a reason: it stays, marked, and can no longer be amended.
        await panel.GetByTestId("mark-entered-in-error").ClickAsync();
        await panel.GetByLabel("Why is it entered in error?").FillAsync("Answered for the wrong night");
        await panel.GetByTestId("confirm-entered-in-error").ClickAsync();
        await Assertions.Expect(panel.GetByTestId("response-status")).ToHaveTextAsync("entered in error");
        await Assertions.Expect(panel.GetByTestId("response-error-reason")).ToHaveTextAsync("Answered for the wrong night");
        await Assertions.Expect(panel.GetByTestId("amend-response")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task OfferTheOptionsOfAValueSetHeldInTheTenantToAPatientFillingAFormInThePortal()
    {
        // The tenant holds the value set; the form names it. The patient has no right over value sets (no form.manage).
        var key = "knee-" + Guid.NewGuid().ToString("N")[..6];
        var url = "https://clinic.example/ValueSet/" + key;
        (await _adminApi.GraphQLAsync("mutation($key: String, $content: String!) { importAnswerValueSet(key: $key, content: $content) { id } }", new
        {
            key = key + "-sides",
            content = $$$"""{"resourceType":"ValueSet","url":"{{{url}}}","status":"active","compose":{"include":[{"system":"urn:side","concept":[{"code":"L","display":"Left knee"},{"code":"R","display":"Right knee"}]}]}}""",
        })).DataOrThrow.ToString();
        await PublishedAsync(key, $$$"""[{"linkId":"side","text":"Which knee hurts?","type":"choice","required":true,"answerValueSet":"{{{url}}}"}]""");
        var (patientId, email, password) = await PortalPatientAsync("Kit");
        (await _doctorApi.GraphQLAsync(Start, new { input = new { patientId, formKey = key, forPatient = true } })).DataOrThrow.ToString();

        await using var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 820, Height = 1180 }, HasTouch = true });
        var (portal, _) = await SignInAsync(context, _host.Address, email, password);
        await Assertions.Expect(portal).ToHaveURLAsync(new Regex("/portal$"));
        await LiveAsync(portal);
        await portal.GetByTestId("fill-" + key).ClickAsync();
        var side = portal.GetByTestId("portal-response").GetByTestId("item-side");
        await Assertions.Expect(side.GetByLabel("Left knee", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(side.GetByLabel("Right knee", new() { Exact = true })).ToBeVisibleAsync();
        await side.GetByLabel("Right knee", new() { Exact = true }).CheckAsync();
        await SavedAsync(portal);
        // Nothing to point at: the engine in the page checks the answer against the same set as the server.
        await Assertions.Expect(side.GetByTestId("error-side")).ToHaveCountAsync(0);
        await ShotAsync(portal, "forms-e2e-12-value-set-options");
        await portal.GetByTestId("portal-response").GetByTestId("complete-form").ClickAsync();
        await Assertions.Expect(portal.GetByTestId("portal-forms-notice")).ToContainTextAsync("were sent");

        var stored = (await _doctorApi.GraphQLAsync("query($p: ID!) { formResponses(patientId: $p) { nodes { status content } } }", new { p = patientId }))
            .DataOrThrow["formResponses"]!["nodes"]![0]!;
        Assert.Equal("completed", stored["status"]!.GetValue<string>());
        Assert.Contains("\"code\":\"R\"", stored["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    /// <summary>A tenant admin signed in (two-step sign-in set up), on the forms page, live.</summary>
    private async Task<IPage> AdminAsync(IBrowserContext context)
    {
        var admin = await _host.CreateAsync(_tenant, "tenant-admin");
        var (page, _) = await SignInAsync(context, _host, admin, setUpMfa: true);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await page.GotoAsync(Url("/console/forms"));
        await Assertions.Expect(page.GetByTestId("form-start")).ToBeVisibleAsync();
        await LiveAsync(page);
        return page;
    }

    private async Task<string> RegisterAsync(string given)
    {
        var input = new { name = new { given, family = _family }, birthDate = "1980-04-02", administrativeSex = "female" };
        return (await _doctorApi.GraphQLAsync(Register, new { input })).DataOrThrow["registerPatient"]!["id"]!.GetValue<string>();
    }

    /// <summary>A patient who joined the portal for their own record (as <see cref="PortalShould"/> sets one up through the API).</summary>
    private async Task<(string Id, string Email, string Password)> PortalPatientAsync(string given)
    {
        var id = await RegisterAsync(given);
        var email = $"{given.ToLowerInvariant()}{Guid.NewGuid():N}"[..16] + "@example.test";
        var password = "Lantern-thistle-" + Guid.NewGuid().ToString("N")[..10];
        using var frontDesk = _host.Client(_host.Token(_tenant.Slug, "front.desk.forms-e2e", "front-desk"));
        (await frontDesk.GraphQLAsync("mutation($input: InvitePatientToPortalInput!) { invitePatientToPortal(input: $input) { id } }",
            new { input = new { patientId = id, email } })).DataOrThrow.ToString();
        var token = InvitationToken().Match(await InvitationEmailAsync(email)).Groups[1].Value;
        (await _host.Client().GraphQLAsync("mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { email } }",
            new { input = new { token, displayName = $"{given} {_family}", password } })).DataOrThrow.ToString();
        return (id, email, password);
    }

    private async Task<string> InvitationEmailAsync(string email)
    {
        await using var sql = await _host.OpenSqlAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT body FROM platform.email_outbox WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1", sql);
        cmd.Parameters.AddWithValue(email);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private static string Form(string key, string items) =>
        $$"""{"resourceType":"Questionnaire","id":"{{key}}","status":"active","title":"Visit","item":{{items}}}""";

    /// <summary>A form published as the tenant's standard through the API; its version's id.</summary>
    private async Task<string> PublishedAsync(string key, string items)
    {
        var draft = (await _adminApi.GraphQLAsync(CreateDraft, new { input = new { key, content = Form(key, items) } })).DataOrThrow["createFormDraft"]!["definition"]!;
        var published = (await _adminApi.GraphQLAsync(Publish, new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>(), note = "From the API" }))
            .DataOrThrow["publishFormDefinition"]!;
        return published["id"]!.GetValue<string>();
    }

    [GeneratedRegex(@"/account/invitation\?token=([A-Za-z0-9_-]+)")]
    private static partial Regex InvitationToken();
}
