using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Tenancy.ProvisioningShould;

namespace Ehr.IntegrationTests.Access;

/// <summary>Tenant admins define roles from permissions; the rules apply from the holders' next request.</summary>
public sealed class CustomRolesShould : IAsyncLifetime
{
    private const string Search = "{ patients(first: 1) { nodes { id } } }";

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("roles", "dermatology");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.roles", "tenant-admin"));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task GrantAndWithdrawPermissionsFromTheNextRequestOn()
    {
        using var holder = _host.Client(_host.Token(_tenant.Slug, "sam.scribe", "scribe"));
        var undefined = await holder.GraphQLAsync(Search);

        var role = await _admin.DefineRoleAsync(AccessGraph.Role("scribe", "Scribe", ["patient.read", "location.read"]));
        var granted = await holder.GraphQLAsync(Search);
        var updated = (await _admin.GraphQLAsync(AccessGraph.UpdateRole, new
        {
            id = role.Id(), v = 1, input = AccessGraph.Change("Scribe", "location.read"),
        })).DataOrThrow["updateRole"]!;
        var withdrawn = await holder.GraphQLAsync(Search);
        var stillLocations = await holder.GraphQLAsync("{ locations { id } }");
        (await _admin.GraphQLAsync(AccessGraph.DeleteRole, new { id = role.Id(), v = 2 })).DataOrThrow.ToString();
        var deleted = await holder.GraphQLAsync("{ locations { id } }");

        Assert.Equal("FORBIDDEN", undefined.Code);
        Assert.Null(granted.Errors);
        Assert.Equal(2, updated["version"]!.GetValue<int>());
        Assert.Equal("FORBIDDEN", withdrawn.Code);
        Assert.Null(stillLocations.Errors);
        Assert.Equal("FORBIDDEN", deleted.Code);
    }

    [Theory]
    [InlineData("unknown-permission", "input.permissions[1]", "UNKNOWN_REFERENCE")]
    [InlineData("duplicate-permission", "input.permissions[1]", "DUPLICATE")]
    [InlineData("no-permissions", "input.permissions", "REQUIRED")]
    [InlineData("platform-permission", "input.permissions[0]", "UNKNOWN_REFERENCE")]
    [InlineData("bad-key", "input.key", "INVALID_FORMAT")]
    [InlineData("built-in-key", "input.key", "RESERVED")]
    [InlineData("platform-key", "input.key", "RESERVED")]
    [InlineData("no-name", "input.name", "REQUIRED")]
    [InlineData("unknown-location", "input.locationId", "UNKNOWN_REFERENCE")]
    public async Task RefuseAnInvalidRoleNamingTheFieldAndStoreNothing(string problem, string path, string code)
    {
        var before = await CountRolesAsync();
        var input = problem switch
        {
            "unknown-permission" => AccessGraph.Role("valid-key", "Valid", ["patient.read", "patient.fly"]),
            "duplicate-permission" => AccessGraph.Role("valid-key", "Valid", ["patient.read", "patient.read"]),
            "no-permissions" => AccessGraph.Role("valid-key", "Valid", []),
            "platform-permission" => AccessGraph.Role("valid-key", "Valid", ["platform.admin"]),
            "bad-key" => AccessGraph.Role("Bad Key!", "Valid", ["patient.read"]),
            "built-in-key" => AccessGraph.Role("physician", "Doctor", ["patient.read"]),
            "platform-key" => AccessGraph.Role("platform-admin", "Root", ["patient.read"]),
            "no-name" => AccessGraph.Role("valid-key", " ", ["patient.read"]),
            "unknown-location" => AccessGraph.Role("valid-key", "Valid", ["patient.read"], Guid.NewGuid().ToString()),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var result = await _admin.GraphQLAsync(AccessGraph.DefineRole, new { input });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal([path], result.FieldPaths);
        Assert.Equal(code, result.Errors![0]!["extensions"]!["fields"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(before, await CountRolesAsync());
    }

    [Fact]
    public async Task RefuseADuplicateKeyAtTheSameScopeButAllowALocationOverrideOfIt()
    {
        var location = (await _admin.LocationIdsAsync())[0];
        await _admin.DefineRoleAsync(AccessGraph.Role("coder", "Coder", ["patient.read"]));

        var again = await _admin.GraphQLAsync(AccessGraph.DefineRole, new { input = AccessGraph.Role("coder", "Coder again", ["location.read"]) });
        var overridden = await _admin.GraphQLAsync(AccessGraph.DefineRole, new { input = AccessGraph.Role("coder", "Coder here", ["location.read"], location) });
        var overriddenTwice = await _admin.GraphQLAsync(AccessGraph.DefineRole, new { input = AccessGraph.Role("coder", "Coder here 2", ["location.read"], location) });

        Assert.Equal(("VALIDATION_FAILED", "input.key"), (again.Code, again.FieldPaths.Single()));
        Assert.Null(overridden.Errors);
        Assert.Equal(("VALIDATION_FAILED", "input.key"), (overriddenTwice.Code, overriddenTwice.FieldPaths.Single()));
    }

    [Fact]
    public async Task LetExactlyOneOfConcurrentDefinitionsOfTheSameKeyWin()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            _admin.GraphQLAsync(AccessGraph.DefineRole, new { input = AccessGraph.Role("racer", "Racer " + i, ["patient.read"]) })));

        Assert.Single(results, r => r.Errors is null);
        Assert.All(results.Where(r => r.Errors is not null), r => Assert.Equal(("VALIDATION_FAILED", "input.key"), (r.Code, r.FieldPaths.Single())));
    }

    [Fact]
    public async Task FallBackToTheTenantStandardWhenALocationOverrideIsDeleted()
    {
        var location = (await _admin.LocationIdsAsync())[0];
        await _admin.DefineRoleAsync(AccessGraph.Role("site-lead", "Site lead", ["location.read"]));
        var local = await _admin.DefineRoleAsync(AccessGraph.Role("site-lead", "Site lead here", ["patient.read"], location));
        using var lead = _host.Client(_host.LocationToken(_tenant.Slug, "lee.lead", [Guid.Parse(location)], "site-lead"));
        var withOverride = (await lead.GraphQLAsync("{ viewer { permissions } }")).DataOrThrow["viewer"]!["permissions"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();

        (await _admin.GraphQLAsync(AccessGraph.DeleteRole, new { id = local.Id(), v = 1 })).DataOrThrow.ToString();
        var afterDelete = (await lead.GraphQLAsync("{ viewer { permissions } }")).DataOrThrow["viewer"]!["permissions"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();

        Assert.Equal(["patient.read"], withOverride);
        Assert.Equal(["location.read"], afterDelete);
    }

    [Fact]
    public async Task RefuseAStaleVersionOnUpdateAndDelete()
    {
        var role = await _admin.DefineRoleAsync(AccessGraph.Role("stale-test", "Stale", ["patient.read"]));
        (await _admin.GraphQLAsync(AccessGraph.UpdateRole, new { id = role.Id(), v = 1, input = AccessGraph.Change("Fresh", "audit.read") })).DataOrThrow.ToString();

        var staleUpdate = await _admin.GraphQLAsync(AccessGraph.UpdateRole, new { id = role.Id(), v = 1, input = AccessGraph.Change("Overwrite", "tenant.admin") });
        var staleDelete = await _admin.GraphQLAsync(AccessGraph.DeleteRole, new { id = role.Id(), v = 1 });

        Assert.Equal("VERSION_CONFLICT", staleUpdate.Code);
        Assert.Equal("VERSION_CONFLICT", staleDelete.Code);
        var stored = (await _admin.GraphQLAsync(AccessGraph.Roles)).DataOrThrow["roles"]!.AsArray().Single(r => r!["key"]!.GetValue<string>() == "stale-test")!;
        Assert.Equal(("Fresh", 2, "audit.read"), (stored["name"]!.GetValue<string>(), stored["version"]!.GetValue<int>(), stored["permissions"]![0]!.GetValue<string>()));
    }

    [Fact]
    public async Task ApplyALocationOverrideOnlyToMembersOfThatLocation()
    {
        var locations = await _admin.LocationIdsAsync();
        await _admin.DefineRoleAsync(AccessGraph.Role("floater", "Floater", ["location.read"]));
        await _admin.DefineRoleAsync(AccessGraph.Role("floater", "Floater at the first site", ["location.read", "patient.read"], locations[0]));
        using var atFirst = _host.Client(_host.LocationToken(_tenant.Slug, "flo.first", [Guid.Parse(locations[0])], "floater"));
        using var atSecond = _host.Client(_host.LocationToken(_tenant.Slug, "flo.second", [Guid.Parse(locations[1])], "floater"));
        using var everywhere = _host.Client(_host.Token(_tenant.Slug, "flo.all", "floater"));

        Assert.Null((await atFirst.GraphQLAsync(Search)).Errors);
        Assert.Equal("FORBIDDEN", (await atSecond.GraphQLAsync(Search)).Code);
        Assert.Null((await atSecond.GraphQLAsync("{ locations { id } }")).Errors);
        Assert.Equal("FORBIDDEN", (await everywhere.GraphQLAsync(Search)).Code);
    }

    [Fact]
    public async Task ShowTheViewerThePermissionsItsRolesGiveItHere()
    {
        await _admin.DefineRoleAsync(AccessGraph.Role("viewer-role", "Viewer", ["disclosure.read", "location.read"]));
        using var holder = _host.Client(_host.Token(_tenant.Slug, "vic.viewer", "viewer-role", "biller"));

        var viewer = (await holder.GraphQLAsync("{ viewer { roles permissions } }")).DataOrThrow["viewer"]!;

        Assert.Equal(["disclosure.read", "location.read", "patient.read"], viewer["permissions"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public async Task ListBuiltInRolesThenCustomOnes()
    {
        await _admin.DefineRoleAsync(AccessGraph.Role("listed-role", "Listed", ["note.sign"], description: "Signs notes."));

        var roles = (await _admin.GraphQLAsync(AccessGraph.Roles)).DataOrThrow["roles"]!.AsArray();

        var physician = roles.Single(r => r!["key"]!.GetValue<string>() == "physician")!;
        Assert.True(physician["builtIn"]!.GetValue<bool>());
        Assert.Contains(roles, r => r!["key"]!.GetValue<string>() == "patient" && r["builtIn"]!.GetValue<bool>());
        var listed = roles.Single(r => r!["key"]!.GetValue<string>() == "listed-role")!;
        Assert.Equal(("Signs notes.", false), (listed["description"]!.GetValue<string>(), listed["builtIn"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task AuditEveryRoleChange()
    {
        var role = await _admin.DefineRoleAsync(AccessGraph.Role("audited-role", "Audited", ["patient.read"]));
        (await _admin.GraphQLAsync(AccessGraph.UpdateRole, new { id = role.Id(), v = 1, input = AccessGraph.Change("Audited", "location.read") })).DataOrThrow.ToString();
        (await _admin.GraphQLAsync(AccessGraph.DeleteRole, new { id = role.Id(), v = 2 })).DataOrThrow.ToString();

        var log = (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action actorId details } } } }", new { id = role.Id() }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();

        Assert.Equal(["role.delete", "role.update", "role.define"], log.Select(e => e["action"]!.GetValue<string>()));
        Assert.All(log, e => Assert.Equal("admin.roles", e["actorId"]!.GetValue<string>()));
        Assert.Contains("patient.read", log[1]["details"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefuseRoleManagementWithoutRoleManage()
    {
        using var physician = _host.Client(_host.Token(_tenant.Slug, "dr.roles", "physician"));

        var define = await physician.GraphQLAsync(AccessGraph.DefineRole, new { input = AccessGraph.Role("sneaky", "Sneaky", ["tenant.admin"]) });
        var list = await physician.GraphQLAsync(AccessGraph.Roles);

        Assert.Equal("FORBIDDEN", define.Code);
        Assert.Equal("FORBIDDEN", list.Code);
    }

    [Fact]
    public async Task NotLetOneTenantsRoleGrantOrChangeAnythingInAnother()
    {
        var other = await _host.CreateTenantAsync("roles-b", "dermatology");
        using var otherAdmin = _host.Client(_host.Token(other.Slug, "admin.b", "tenant-admin"));
        var role = await _admin.DefineRoleAsync(AccessGraph.Role("reader-a", "Reader in A", ["patient.read"]));
        using var holderInB = _host.Client(_host.Token(other.Slug, "sam.b", "reader-a"));

        var search = await holderInB.GraphQLAsync(Search);
        var update = await otherAdmin.GraphQLAsync(AccessGraph.UpdateRole, new { id = role.Id(), v = 1, input = AccessGraph.Change("Hijack", "tenant.admin") });
        var delete = await otherAdmin.GraphQLAsync(AccessGraph.DeleteRole, new { id = role.Id(), v = 1 });

        Assert.Equal("FORBIDDEN", search.Code);
        Assert.Equal("NOT_FOUND", update.Code);
        Assert.Equal("NOT_FOUND", delete.Code);
        Assert.Contains((await _admin.GraphQLAsync(AccessGraph.Roles)).DataOrThrow["roles"]!.AsArray(),
            r => r!["key"]!.GetValue<string>() == "reader-a" && r["version"]!.GetValue<int>() == 1);
    }

    private async Task<long> CountRolesAsync()
    {
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_tenant.SchemaName}");
        return await Scalar<long>(sql, $"SELECT count(*) FROM {_tenant.SchemaName}.roles");
    }
}
