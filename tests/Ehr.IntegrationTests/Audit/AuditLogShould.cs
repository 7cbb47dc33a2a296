using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Audit;

public sealed class AuditLogShould : IAsyncLifetime
{
    private const string Log = """
        query($id: String, $action: String, $first: Int, $after: String) {
          auditLog(resourceId: $id, action: $action, first: $first, after: $after) {
            edges { cursor node { seq action actorId actorRoles resourceType resourceId clientAddress purposeOfUse outcome } }
            pageInfo { hasNextPage endCursor }
          }
        }
        """;

    private TestHost _host = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("auditlog", "dermatology");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RecordWhoDidWhatFromWhereAndWhy()
    {
        using var nurse = _host.Client(_host.Token(_tenant.Slug, "nurse.joy", "nurse"));
        nurse.DefaultRequestHeaders.Add("X-Purpose-Of-Use", "HOPERAT");
        var created = await nurse.RegisterAsync(PatientGraph.Input("Audit", "Trail"));
        var id = created["id"]!.GetValue<string>();
        (await nurse.GraphQLAsync(PatientGraph.Update, new { id, v = 1, input = PatientGraph.Input("Audit", "Trails") })).DataOrThrow.ToString();
        (await nurse.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow.ToString();
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.ann", "tenant-admin"));

        var entries = (await admin.GraphQLAsync(Log, new { id })).DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();

        Assert.Equal(["patient.read", "patient.update", "patient.create"], entries.Select(e => e["action"]!.GetValue<string>()));
        Assert.All(entries, e =>
        {
            Assert.Equal("nurse.joy", e["actorId"]!.GetValue<string>());
            Assert.Equal("nurse", e["actorRoles"]!.GetValue<string>());
            Assert.Equal("127.0.0.1", e["clientAddress"]!.GetValue<string>());
            Assert.Equal("HOPERAT", e["purposeOfUse"]!.GetValue<string>());
            Assert.Equal("Patient", e["resourceType"]!.GetValue<string>());
        });
    }

    [Fact]
    public async Task RecordSearchesWithThePatientsTheyReturned()
    {
        using var doctor = _host.Client(_host.Token(_tenant.Slug, "dr.search", "physician"));
        var found = await doctor.SearchAsync(new { first = 3 });
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.ann", "tenant-admin"));

        var entry = (await admin.GraphQLAsync("{ auditLog(action: \"patient.search\", actorId: \"dr.search\", first: 1) { edges { node { details } } } }"))
            .DataOrThrow["auditLog"]!["edges"]![0]!["node"]!;

        var details = entry["details"]!.GetValue<string>();
        Assert.All(found, n => Assert.Contains(n["id"]!.GetValue<string>(), details, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PageThroughTheLogNewestFirst()
    {
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.ann", "tenant-admin"));
        var first = (await admin.GraphQLAsync(Log, new { first = 5, action = "patient.create" })).DataOrThrow["auditLog"]!;
        var next = (await admin.GraphQLAsync(Log, new { first = 5, action = "patient.create", after = first["pageInfo"]!["endCursor"]!.GetValue<string>() })).DataOrThrow["auditLog"]!;

        var seqs = first["edges"]!.AsArray().Concat(next["edges"]!.AsArray()).Select(e => long.Parse(e!["node"]!["seq"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(10, seqs.Count);
        Assert.Equal(seqs.OrderDescending(), seqs);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
    }

    [Fact]
    public async Task ShowTheLogOnlyToRolesWithAuditRead()
    {
        using var doctor = _host.Client(_host.Token(_tenant.Slug, "dr.nosy", "physician"));
        using var auditor = _host.Client(_host.Token(_tenant.Slug, "aud.it", "auditor"));

        var refused = await doctor.GraphQLAsync(Log, new { first = 1 });
        var status = await auditor.GraphQLAsync("{ auditChainStatus { intact entries problem } }");

        Assert.Equal("FORBIDDEN", refused.Code);
        Assert.True(status.DataOrThrow["auditChainStatus"]!["intact"]!.GetValue<bool>());
    }

    [Fact]
    public async Task RefuseAnUnknownPurposeOfUse()
    {
        using var doctor = _host.Client(_host.Token(_tenant.Slug, "dr.why", "physician"));
        doctor.DefaultRequestHeaders.Add("X-Purpose-Of-Use", "CURIOSITY");

        var result = await doctor.GraphQLAsync("{ viewer { id } }");

        Assert.Equal((400, "VALIDATION_FAILED"), (result.Status, result.Code));
    }
}
