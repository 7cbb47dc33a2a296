using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Playwright;
using static Ehr.BrowserTests.ConsolePages;

namespace Ehr.BrowserTests;

/// <summary>
/// A clinician's patient view in the console: search, the record, and break the glass on a restricted patient outside
/// their care team, which the auditor then finds flagged in the audit log.
/// </summary>
public sealed class PatientChartShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private BrowserHost _console = null!;
    private IBrowser _browser = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _console = await BrowserHost.StartAsync();
        (_host, _browser) = (_console.Host, _console.Browser);
        _tenant = await _host.CreateTenantAsync("chart");
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
    }

    private string Url(string path) => _console.Url(path);

    /// <summary>A patient registered and restricted (vip) by the tenant's admin, with a care team that is not the test's clinician.</summary>
    private async Task<(string Id, string Family)> RestrictedPatientAsync()
    {
        var family = "Quillfeather" + Guid.NewGuid().ToString("N")[..4];
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.chart", "tenant-admin"));
        var patient = (await admin.GraphQLAsync(
            "mutation($input: PatientInput!) { registerPatient(input: $input) { id version } }",
            new { input = new { name = new { given = "Vera", family }, birthDate = "1971-03-09", administrativeSex = "female" } }))
            .DataOrThrow["registerPatient"]!;
        var id = patient["id"]!.GetValue<string>();
        (await admin.GraphQLAsync(
            "mutation($id: ID!, $v: Int!) { setPatientRestriction(id: $id, expectedVersion: $v, restriction: \"vip\", careTeam: [\"dr.somebody-else\"]) { version } }",
            new { id, v = patient["version"]!.GetValue<int>() })).DataOrThrow.ToString();
        return (id, family);
    }

    [Fact]
    public async Task LetAClinicianBreakTheGlassWithAReasonAndShowTheAuditorTheFlaggedEntry()
    {
        var (id, family) = await RestrictedPatientAsync();
        var physician = await _host.CreateAsync(_tenant, "physician");
        var auditor = await _host.CreateAsync(_tenant, "auditor");
        await using var clinicianContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var (page, _) = await SignInAsync(clinicianContext, _host, physician);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();

        // The search lists the restricted match by id only, never by name.
        await LiveAsync(page);
        await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Patients" }).ClickAsync();
        await LiveAsync(page);
        await page.GetByLabel("Name").FillAsync(family);
        await page.GetByTestId("search").ClickAsync();
        await Assertions.Expect(page.GetByTestId("restricted-matches")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("patients")).Not.ToContainTextAsync(family);
        await ShotAsync(page, "chart-01-search-restricted");

        // Opening it asks for a reason; a too-short one is refused and grants nothing.
        await page.GetByTestId("restricted-matches").GetByRole(AriaRole.Link).First.ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/console/patients/{id}$"));
        await Assertions.Expect(page.GetByTestId("break-glass")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("patient-name")).ToHaveCountAsync(0);
        // Nor any of the chart's sections: they read under the same rule.
        await Assertions.Expect(page.GetByTestId("chart-forms")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("observations")).ToHaveCountAsync(0);
        await ShotAsync(page, "chart-02-break-glass-asked");
        await LiveAsync(page);
        await page.GetByLabel("Reason for access").FillAsync("urgent");
        await page.GetByTestId("break-glass-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("error")).ToContainTextAsync("reason");
        await Assertions.Expect(page.GetByTestId("patient-name")).ToHaveCountAsync(0);

        await page.GetByLabel("Reason for access").FillAsync("Unconscious in the emergency room, allergies needed");
        await page.GetByTestId("break-glass-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("patient-name")).ToHaveTextAsync($"{family}, Vera");
        await Assertions.Expect(page.GetByTestId("break-glass-active")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("demographics")).ToContainTextAsync("1971-03-09");
        await Assertions.Expect(page.GetByTestId("no-responses")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("no-observations")).ToBeVisibleAsync();
        await ShotAsync(page, "chart-03-record-after-break-glass");

        // The auditor sees the flagged entry, with the reason, in the audit log.
        await using var auditorContext = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new() { Width = 1280, Height = 900 } });
        var (audit, _) = await SignInAsync(auditorContext, _host, auditor);
        await Assertions.Expect(audit.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await audit.GotoAsync(Url("/console/audit"));
        await LiveAsync(audit);
        await audit.GetByLabel("Action").FillAsync("patient.break_glass");
        await audit.GetByTestId("audit-search").ClickAsync();
        var row = audit.GetByTestId("audit-table").Locator("tbody tr").Filter(new() { HasText = "patient.break_glass" });
        // The filtered search re-renders the table; a busy machine (browser tests run in parallel) needs more than 5 s.
        await Assertions.Expect(row).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Assertions.Expect(row.GetByTestId("flagged")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(row).ToContainTextAsync(physician.Id.ToString());
        await Assertions.Expect(row).ToContainTextAsync("allergies needed");
        await ShotAsync(audit, "chart-04-audit-flagged-break-glass");
    }

    [Fact]
    public async Task ShowAnUnrestrictedPatientsRecordWithoutAskingForAReason()
    {
        var family = "Openfield" + Guid.NewGuid().ToString("N")[..4];
        using (var admin = _host.Client(_host.Token(_tenant.Slug, "admin.chart", "tenant-admin")))
        {
            (await admin.GraphQLAsync("mutation($input: PatientInput!) { registerPatient(input: $input) { id } }",
                new { input = new { name = new { given = "Otto", family }, birthDate = "1990-12-01", administrativeSex = "male" } })).DataOrThrow.ToString();
        }

        var nurse = await _host.CreateAsync(_tenant, "nurse");
        await using var context = await _browser.NewContextAsync();
        var (page, _) = await SignInAsync(context, _host, nurse);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Welcome, Test Person" })).ToBeVisibleAsync();
        await page.GotoAsync(Url("/console/patients"));
        await LiveAsync(page);
        await page.GetByLabel("Name").FillAsync(family);
        await page.GetByLabel("Name").PressAsync("Enter");
        await page.GetByTestId("patients").GetByRole(AriaRole.Link, new() { Name = $"{family}, Otto" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("patient-name")).ToHaveTextAsync($"{family}, Otto");
        await Assertions.Expect(page.GetByTestId("break-glass")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("break-glass-active")).ToHaveCountAsync(0);
    }
}
