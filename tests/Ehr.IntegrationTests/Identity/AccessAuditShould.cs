using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Identity;

/// <summary>Access events in the tenant's audit chain: refusals are as visible to auditors as grants.</summary>
public sealed class AccessAuditShould : IAsyncLifetime
{
    private const string DenialsOf = """
        query($actor: String) { auditLog(action: "access.denied", actorId: $actor) { edges { node { actorId outcome details } } } }
        """;

    private TestHost _host = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("accaudit");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RecordAPermissionDenialBeforeAnsweringIt()
    {
        var actor = "dr.curious." + Guid.NewGuid().ToString("N")[..6];
        using var physician = _host.Client(_host.Token(_tenant.Slug, actor, "physician"));
        using var auditor = _host.Client(_host.Token(_tenant.Slug, "auditor.1", "auditor"));

        var refused = await physician.GraphQLAsync("{ auditLog(first: 1) { edges { cursor } } }");
        var log = await auditor.GraphQLAsync(DenialsOf, new { actor });
        var entries = log.DataOrThrow["auditLog"]!["edges"]!.AsArray();

        Assert.Equal("FORBIDDEN", refused.Code);
        var entry = Assert.Single(entries)!["node"]!;
        Assert.Equal("denied", entry["outcome"]!.GetValue<string>());
        Assert.Contains("audit.read", entry["details"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordNothingWhenNothingWasRefused()
    {
        var actor = "dr.allowed." + Guid.NewGuid().ToString("N")[..6];
        using var physician = _host.Client(_host.Token(_tenant.Slug, actor, "physician"));
        using var auditor = _host.Client(_host.Token(_tenant.Slug, "auditor.1", "auditor"));

        Assert.Null((await physician.GraphQLAsync("{ patients(first: 1) { nodes { id } } }")).Errors);
        var log = await auditor.GraphQLAsync(DenialsOf, new { actor });

        Assert.Empty(log.DataOrThrow["auditLog"]!["edges"]!.AsArray());
    }
}
