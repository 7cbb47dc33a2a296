using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Access;

/// <summary>Every patient record delivered to an API client is a disclosure, and admins can account for them.</summary>
public sealed class DisclosuresShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("disclose", "dermatology");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.disclose", "tenant-admin"));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RecordEveryReadAndSearchResultDeliveredToAnApiClient()
    {
        var family = "Shared" + Guid.NewGuid().ToString("N")[..6];
        var id = (await _admin.RegisterAsync(PatientGraph.Input("Dee", family))).Id();
        using var client = _host.Client(_host.ApiClientToken(_tenant.Slug, "client.labcorp", "api-client"));
        client.DefaultRequestHeaders.Add("X-Purpose-Of-Use", "HPAYMT");
        using var devClient = _host.Client(_host.Token(_tenant.Slug, "client.dev", "api-client"));

        (await client.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow.ToString();
        Assert.Single(await client.SearchAsync(new { name = family }));
        (await devClient.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow.ToString();
        var report = (await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id })).DataOrThrow["disclosureReport"]!.AsArray();

        Assert.Equal(3, report.Count);
        Assert.Equal(["client.labcorp", "client.labcorp", "client.dev"], report.Select(d => d!["recipient"]!.GetValue<string>()));
        Assert.All(report, d => Assert.Equal("api-client", d!["recipientKind"]!.GetValue<string>()));
        Assert.Equal(["HPAYMT", "HPAYMT", "TREAT"], report.Select(d => d!["purposeOfUse"]!.GetValue<string>()));
        Assert.Contains("search", report[1]!["released"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotCountReadsByTheTenantsOwnStaff()
    {
        var id = (await _admin.RegisterAsync(PatientGraph.Input("Staff", "Only"))).Id();
        using var doctor = _host.Client(_host.Token(_tenant.Slug, "dr.staff", "physician"));
        (await doctor.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow.ToString();

        var report = (await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id })).DataOrThrow["disclosureReport"]!.AsArray();

        Assert.Empty(report);
    }

    [Fact]
    public async Task ReportOnlyTheRequestedPeriod()
    {
        var id = (await _admin.RegisterAsync(PatientGraph.Input("Period", "Report"))).Id();
        using var client = _host.Client(_host.ApiClientToken(_tenant.Slug, "client.period", "api-client"));
        (await client.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow.ToString();

        var past = await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id, from = "2000-01-01T00:00:00Z", to = "2001-01-01T00:00:00Z" });
        var open = await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id, from = "2000-01-01T00:00:00Z" });
        var backwards = await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id, from = "2001-01-01T00:00:00Z", to = "2000-01-01T00:00:00Z" });

        Assert.Empty(past.DataOrThrow["disclosureReport"]!.AsArray());
        Assert.Single(open.DataOrThrow["disclosureReport"]!.AsArray());
        Assert.Equal(("VALIDATION_FAILED", "to"), (backwards.Code, backwards.FieldPaths.Single()));
    }

    [Fact]
    public async Task RefuseTheReportWithoutDisclosureReadAndAuditIt()
    {
        var id = (await _admin.RegisterAsync(PatientGraph.Input("Audited", "Report"))).Id();
        using var doctor = _host.Client(_host.Token(_tenant.Slug, "dr.report", "physician"));

        var refused = await doctor.GraphQLAsync(AccessGraph.DisclosureReport, new { id });
        (await _admin.GraphQLAsync(AccessGraph.DisclosureReport, new { id })).DataOrThrow.ToString();

        Assert.Equal("FORBIDDEN", refused.Code);
        var log = (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id, action: \"disclosure.report\") { edges { node { actorId } } } }", new { id }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray();
        Assert.Equal("admin.disclose", Assert.Single(log)!["node"]!["actorId"]!.GetValue<string>());
    }

    [Fact]
    public async Task NotShowAnotherTenantsDisclosures()
    {
        var id = (await _admin.RegisterAsync(PatientGraph.Input("Cross", "Tenant"))).Id();
        using var client = _host.Client(_host.ApiClientToken(_tenant.Slug, "client.cross", "api-client"));
        (await client.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow.ToString();
        var other = await _host.CreateTenantAsync("disclose-b", "dermatology");
        using var otherAdmin = _host.Client(_host.Token(other.Slug, "admin.b", "tenant-admin"));

        var report = await otherAdmin.GraphQLAsync(AccessGraph.DisclosureReport, new { id });

        Assert.Empty(report.DataOrThrow["disclosureReport"]!.AsArray());
    }
}
