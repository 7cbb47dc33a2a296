using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Tenancy;

/// <summary>With tenant A's token, nothing of tenant B can be read or changed: not by id, search or cursor.</summary>
public sealed class GraphQLIsolationShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _a = null!;
    private Tenant _b = null!;
    private HttpClient _asA = null!;
    private HttpClient _asB = null!;
    private string _bPatientId = "";
    private string _bFamily = "";

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _a = await _host.CreateTenantAsync("gql-a", "dermatology");
        _b = await _host.CreateTenantAsync("gql-b", "dermatology");
        _asA = _host.Client(_host.Token(_a.Slug, "dr.a", "tenant-admin"));
        _asB = _host.Client(_host.Token(_b.Slug, "dr.b", "tenant-admin"));
        _bFamily = "Onlyinb" + Guid.NewGuid().ToString("N")[..6];
        var created = await _asB.RegisterAsync(PatientGraph.Input("Bea", _bFamily));
        _bPatientId = created["id"]!.GetValue<string>();
    }

    public Task DisposeAsync()
    {
        _asA.Dispose();
        _asB.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task NotReadAnotherTenantsPatientById()
    {
        var result = await _asA.GraphQLAsync(PatientGraph.Get, new { id = _bPatientId });

        Assert.Null(result.Errors);
        Assert.Null(result.Data!["patient"]);
    }

    [Fact]
    public async Task NotChangeAnotherTenantsPatient()
    {
        var result = await _asA.GraphQLAsync(PatientGraph.Update, new { id = _bPatientId, v = 1, input = PatientGraph.Input("Mallory", "Was Here") });

        Assert.Equal("NOT_FOUND", result.Code);
        var stillB = (await _asB.GraphQLAsync(PatientGraph.Get, new { id = _bPatientId })).DataOrThrow["patient"]!;
        Assert.Equal((_bFamily, 1), (stillB["name"]!["family"]!.GetValue<string>(), stillB["version"]!.GetValue<int>()));
    }

    [Fact]
    public async Task NotFindAnotherTenantsPatientsBySearch()
    {
        Assert.Empty(await _asA.SearchAsync(new { name = _bFamily }));
        Assert.Single(await _asB.SearchAsync(new { name = _bFamily }));
    }

    [Fact]
    public async Task NotRevealAnotherTenantsPatientsThroughTheirCursor()
    {
        var bPage = (await _asB.GraphQLAsync(PatientGraph.Search, new { first = 2 })).DataOrThrow["patients"]!;
        var bIds = (await _asB.SearchAsync(new { first = 100 })).Select(n => n!["id"]!.GetValue<string>()).ToHashSet();
        var cursor = bPage["pageInfo"]!["endCursor"]!.GetValue<string>();

        var fromA = await _asA.SearchAsync(new { first = 100, after = cursor });

        Assert.DoesNotContain(fromA, n => bIds.Contains(n["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task NotShowAnotherTenantsAuditLog()
    {
        var result = await _asA.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action } } } }", new { id = _bPatientId });

        Assert.Empty(result.DataOrThrow["auditLog"]!["edges"]!.AsArray());
    }
}
