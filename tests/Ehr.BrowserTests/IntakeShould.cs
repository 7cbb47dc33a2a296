using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;

namespace Ehr.BrowserTests;

/// <summary>
/// The public intake page in headless Chromium: a patient follows the link staff sent, without signing in, answers a
/// form with a conditional question (autosaved), sees the server's refusal beside the item it concerns, sends the
/// form, is thanked, and finds the link used up when opening it again. Links that do not work say so and show nothing.
/// </summary>
public sealed class IntakeShould : IAsyncLifetime
{
    private const string Publish = "mutation($key: String!, $content: String!) { createFormDraft(input: { key: $key, content: $content }) { definition { id rowVersion } } }";

    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _desk = null!;

    public async Task InitializeAsync()
    {
        // Development mode: the sender gets the link back (there is no mail relay here).
        _console = await BrowserHost.StartAsync(new Dictionary<string, string?> { ["Accounts:LogInvitationLinks"] = "true" });
        (_host, _browser) = (_console.Host, _console.Browser);
        _tenant = await _host.CreateTenantAsync("intake-ui");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.intake.ui", "tenant-admin"));
        _desk = _host.Client(_host.Token(_tenant.Slug, "desk.intake.ui", "front-desk"));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _desk.Dispose();
        await _console.DisposeAsync();
    }

    [Fact]
    public async Task LetAPatientFillInAFormThroughTheLinkOnce()
    {
        var key = "visit-" + Guid.NewGuid().ToString("N")[..8];
        var formId = await PublishAsync(key);
        var family = "Linkton" + Guid.NewGuid().ToString("N")[..5];
        var patient = (await _desk.GraphQLAsync("mutation($input: PatientInput!) { registerPatient(input: $input) { id } }", new
        {
            input = new { name = new { given = "Rosa", family }, birthDate = "1979-04-02", administrativeSex = "female", telecom = new[] { new { system = "email", value = $"{family.ToLowerInvariant()}@example.org" } } },
        })).DataOrThrow["registerPatient"]!["id"]!.GetValue<string>();
        var sent = (await _desk.GraphQLAsync("mutation($input: SendIntakeLinkInput!) { sendIntakeLink(input: $input) { developmentUrl response { id } } }",
            new { input = new { patientId = patient, formKey = key } })).DataOrThrow["sendIntakeLink"]!;
        var link = new Uri(sent["developmentUrl"]!.GetValue<string>()).AbsolutePath;
        Assert.StartsWith($"/intake/{_tenant.Slug}.", link, StringComparison.Ordinal);

        await using var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 820, Height = 1180 } });
        var page = await context.NewPageAsync();
        var served = await page.GotoAsync(_console.Url(link));
        Assert.Equal("no-referrer", await served!.HeaderValueAsync("referrer-policy"));
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("intake-practice")).ToHaveTextAsync(_tenant.DisplayName);
        await Assertions.Expect(page.GetByText(family)).ToHaveCountAsync(0);

        // The conditional question appears only for a low mood; answers save as they are given.
        var form = page.GetByTestId("intake-form");
        await Assertions.Expect(form.GetByTestId("item-why")).ToHaveCountAsync(0);
        await form.GetByTestId("item-mood").GetByLabel("Low", new() { Exact = true }).CheckAsync();
        await Assertions.Expect(form.GetByTestId("item-why")).ToBeVisibleAsync();
        await form.GetByTestId("item-why").GetByLabel("What is getting you down?").FillAsync("Poor sleep");
        await form.GetByTestId("item-sleep").GetByLabel("Hours of sleep").FillAsync("12");
        await form.GetByTestId("item-sleep").GetByLabel("Hours of sleep").BlurAsync();
        await Assertions.Expect(page.GetByTestId("intake-saved")).ToHaveTextAsync("Saved.");
        await ShotAsync(page, "intake-01-filling");

        // A rule the page cannot know: the version is tightened underneath it (only a test may do that), so the
        // server refuses twelve hours beside the question, and the person corrects it.
        await TightenSleepAsync(formId);
        await form.GetByTestId("complete-form").ClickAsync();
        await Assertions.Expect(form.GetByTestId("error-sleep")).ToBeVisibleAsync();
        await Assertions.Expect(form.GetByTestId("problem-summary")).ToBeVisibleAsync();
        await ShotAsync(page, "intake-02-server-problem");
        await form.GetByTestId("item-sleep").GetByLabel("Hours of sleep").FillAsync("8");
        await form.GetByTestId("item-sleep").GetByLabel("Hours of sleep").BlurAsync();
        await form.GetByTestId("complete-form").ClickAsync();
        await Assertions.Expect(page.GetByTestId("intake-thanks")).ToBeVisibleAsync();
        await ShotAsync(page, "intake-03-thanks");

        var stored = (await _desk.GraphQLAsync("query($id: ID!) { formResponse(id: $id) { status content } }", new { id = sent["response"]!["id"]!.GetValue<string>() }))
            .DataOrThrow["formResponse"]!;
        Assert.Equal("completed", stored["status"]!.GetValue<string>());
        Assert.Contains("Poor sleep", stored["content"]!.GetValue<string>(), StringComparison.Ordinal);

        // Once used, the link opens nothing; nor does one that never existed.
        var again = await context.NewPageAsync();
        await again.GotoAsync(_console.Url(link));
        await LiveAsync(again);
        await Assertions.Expect(again.GetByTestId("intake-refused")).ToHaveAttributeAsync("data-reason", "used");
        await Assertions.Expect(again.GetByTestId("intake-form")).ToHaveCountAsync(0);
        await again.GotoAsync(_console.Url($"/intake/{_tenant.Slug}.{new string('x', 43)}"));
        await LiveAsync(again);
        await Assertions.Expect(again.GetByTestId("intake-refused")).ToHaveAttributeAsync("data-reason", "unknown");
        await ShotAsync(again, "intake-04-refused");
    }

    [Fact]
    public async Task LetStaffEmailALinkFromTheChartAndRevokeIt()
    {
        var key = "visit-" + Guid.NewGuid().ToString("N")[..8];
        await PublishAsync(key);
        var family = "Chartlink" + Guid.NewGuid().ToString("N")[..5];
        var patient = (await _desk.GraphQLAsync("mutation($input: PatientInput!) { registerPatient(input: $input) { id } }", new
        {
            input = new { name = new { given = "Iris", family }, birthDate = "1990-06-01", administrativeSex = "female" },
        })).DataOrThrow["registerPatient"]!["id"]!.GetValue<string>();
        var nurse = await _host.CreateAsync(_tenant, "nurse");
        await using var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });
        var (chart, _) = await SignInAsync(context, _host, nurse);
        await Assertions.Expect(chart.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await chart.GotoAsync(_console.Url($"/console/patients/{patient}"));
        await LiveAsync(chart);

        // The patient has no e-mail on file: the link needs an address, and the refusal names the field.
        await chart.GetByTestId("start-form").SelectOptionAsync(key);
        await chart.GetByTestId("intake-send").ClickAsync();
        await Assertions.Expect(chart.GetByTestId("intake-error")).ToContainTextAsync("input.email");
        await chart.GetByTestId("intake-email").FillAsync($"{family.ToLowerInvariant()}@example.org");
        await chart.GetByTestId("intake-hours").FillAsync("24");
        await chart.GetByTestId("intake-send").ClickAsync();
        await Assertions.Expect(chart.GetByTestId("intake-notice")).ToContainTextAsync("was e-mailed to");
        await Assertions.Expect(chart.GetByTestId("intake-link-list")).ToContainTextAsync("pending");
        await Assertions.Expect(chart.GetByTestId("responses")).ToContainTextAsync("Before your visit");
        var link = new Uri((await chart.GetByTestId("intake-development-link").Locator("a").GetAttributeAsync("href"))!).AbsolutePath;
        await ShotAsync(chart, "intake-05-sent-from-chart");

        // Revoked from the chart, the link opens nothing.
        await chart.GetByTestId("intake-link-list").GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Revoke") }).ClickAsync();
        await Assertions.Expect(chart.GetByTestId("intake-link-list")).ToContainTextAsync("revoked");
        var page = await context.NewPageAsync();
        await page.GotoAsync(_console.Url(link));
        await LiveAsync(page);
        await Assertions.Expect(page.GetByTestId("intake-refused")).ToHaveAttributeAsync("data-reason", "revoked");
    }

    private async Task<string> PublishAsync(string key)
    {
        var content = $$$"""
            {"resourceType":"Questionnaire","url":"https://forms.example.org/Questionnaire/{{{key}}}","version":"1","status":"active","title":"Before your visit",
             "item":[
              {"linkId":"mood","text":"How is your mood?","type":"choice","required":true,"answerOption":[
                {"valueCoding":{"system":"https://forms.example.org/cs","code":"good","display":"Good"}},
                {"valueCoding":{"system":"https://forms.example.org/cs","code":"low","display":"Low"}}]},
              {"linkId":"why","text":"What is getting you down?","type":"string","required":true,
               "enableWhen":[{"question":"mood","operator":"=","answerCoding":{"system":"https://forms.example.org/cs","code":"low"}}]},
              {"linkId":"sleep","text":"Hours of sleep","type":"integer","extension":[
                {"url":"http://hl7.org/fhir/StructureDefinition/minValue","valueInteger":0},
                {"url":"http://hl7.org/fhir/StructureDefinition/maxValue","valueInteger":24}]}
             ]}
            """;
        var draft = (await _admin.GraphQLAsync(Publish, new { key, content })).DataOrThrow["createFormDraft"]!["definition"]!;
        var id = draft["id"]!.GetValue<string>();
        (await _admin.GraphQLAsync("mutation($id: ID!, $v: Int!) { publishFormDefinition(id: $id, expectedVersion: $v) { id } }",
            new { id, v = draft["rowVersion"]!.GetValue<int>() })).DataOrThrow.ToString();
        return id;
    }

    private async Task TightenSleepAsync(string formId)
    {
        await using var owner = await _host.OpenSqlAsync();
        var table = $"{_tenant.SchemaName}.artifacts";
        await using var cmd = new Npgsql.NpgsqlCommand($"""
            SET ROLE ehr_owner;
            ALTER TABLE {table} DISABLE TRIGGER artifacts_lifecycle;
            UPDATE {table} SET content = replace(content::text, '"valueInteger":24', '"valueInteger":10')::json,
              content_sha256 = sha256(convert_to(replace(content::text, '"valueInteger":24', '"valueInteger":10'), 'UTF8'))
              WHERE id = '{formId}';
            ALTER TABLE {table} ENABLE TRIGGER artifacts_lifecycle;
            """, owner);
        await cmd.ExecuteNonQueryAsync();
    }
}
