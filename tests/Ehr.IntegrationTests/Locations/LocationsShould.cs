using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Npgsql;

namespace Ehr.IntegrationTests.Locations;

/// <summary>Tenant admins add, rename, move and deactivate locations; bad input names its field and stores nothing.</summary>
public sealed class LocationsShould : IAsyncLifetime
{
    private const string Fields = "id code name timezone active version";
    private const string Create = "mutation($input: LocationInput!) { createLocation(input: $input) { " + Fields + " } }";
    private const string Update = "mutation($id: ID!, $v: Int!, $input: LocationChangeInput!) { updateLocation(id: $id, expectedVersion: $v, input: $input) { " + Fields + " } }";
    private const string Deactivate = "mutation($id: ID!, $v: Int!) { deactivateLocation(id: $id, expectedVersion: $v) { " + Fields + " } }";
    private const string Reactivate = "mutation($id: ID!, $v: Int!) { reactivateLocation(id: $id, expectedVersion: $v) { " + Fields + " } }";

    private static readonly string[] Nurse = ["nurse"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("locations");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.loc", "tenant-admin"));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private async Task<JsonNode> CreateAsync(string code, string name = "Harbour clinic", string timezone = "America/Chicago") =>
        (await _admin.GraphQLAsync(Create, new { input = new { code, name, timezone } })).DataOrThrow["createLocation"]!;

    [Fact]
    public async Task CreateRenameMoveDeactivateAndReactivateALocationAuditingEachStep()
    {
        var created = await CreateAsync(" harbour-1 ", "  Harbour clinic ");
        var id = created["id"]!.GetValue<string>();
        var renamed = (await _admin.GraphQLAsync(Update, new { id, v = 1, input = new { name = "Harbour family clinic", timezone = "Europe/Berlin" } }))
            .DataOrThrow["updateLocation"]!;
        var deactivated = (await _admin.GraphQLAsync(Deactivate, new { id, v = 2 })).DataOrThrow["deactivateLocation"]!;
        var unassignable = await _admin.GraphQLAsync(
            "mutation($input: InviteUserInput!) { inviteUser(input: $input) { id } }",
            new { input = new { email = $"x{Guid.NewGuid():N}@example.test", roles = Nurse, locationIds = (string[])[id] } });
        var reactivated = (await _admin.GraphQLAsync(Reactivate, new { id, v = 3 })).DataOrThrow["reactivateLocation"]!;
        var listed = (await _admin.GraphQLAsync("{ locations { " + Fields + " } }")).DataOrThrow["locations"]!.AsArray();
        var audit = (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action details } } } }", new { id }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).ToList();

        Assert.Equal(("HARBOUR-1", "Harbour clinic", "America/Chicago", true, 1),
            (created["code"]!.GetValue<string>(), created["name"]!.GetValue<string>(), created["timezone"]!.GetValue<string>(),
                created["active"]!.GetValue<bool>(), created["version"]!.GetValue<int>()));
        Assert.Equal(("Harbour family clinic", "Europe/Berlin", 2),
            (renamed["name"]!.GetValue<string>(), renamed["timezone"]!.GetValue<string>(), renamed["version"]!.GetValue<int>()));
        Assert.False(deactivated["active"]!.GetValue<bool>());
        Assert.Equal(("VALIDATION_FAILED", "input.locationIds[0]"), (unassignable.Code, unassignable.FieldPaths.Single()));
        Assert.True(reactivated["active"]!.GetValue<bool>());
        Assert.Equal(4, reactivated["version"]!.GetValue<int>());
        Assert.Contains(listed, l => l!["id"]!.GetValue<string>() == id && l["code"]!.GetValue<string>() == "HARBOUR-1");
        Assert.Equal(["location.reactivate", "location.deactivate", "location.update", "location.create"], audit);
    }

    [Theory]
    [InlineData("no-code", "input.code", "REQUIRED")]
    [InlineData("bad-code", "input.code", "INVALID_FORMAT")]
    [InlineData("long-code", "input.code", "INVALID_FORMAT")]
    [InlineData("taken-code", "input.code", "DUPLICATE")]
    [InlineData("no-name", "input.name", "REQUIRED")]
    [InlineData("long-name", "input.name", "TOO_LONG")]
    [InlineData("no-timezone", "input.timezone", "REQUIRED")]
    [InlineData("unknown-timezone", "input.timezone", "UNKNOWN_REFERENCE")]
    [InlineData("windows-timezone", "input.timezone", "UNKNOWN_REFERENCE")]
    public async Task RefuseAnInvalidLocationNamingTheFieldAndStoreNothing(string problem, string path, string code)
    {
        var before = await CountAsync();
        var input = problem switch
        {
            "no-code" => new { code = " ", name = "Valid", timezone = "UTC" },
            "bad-code" => new { code = "main street!", name = "Valid", timezone = "UTC" },
            "long-code" => new { code = new string('A', 21), name = "Valid", timezone = "UTC" },
            "taken-code" => new { code = "main", name = "Valid", timezone = "UTC" },
            "no-name" => new { code = "VALID", name = "  ", timezone = "UTC" },
            "long-name" => new { code = "VALID", name = new string('n', 201), timezone = "UTC" },
            "no-timezone" => new { code = "VALID", name = "Valid", timezone = "" },
            "unknown-timezone" => new { code = "VALID", name = "Valid", timezone = "Mars/Olympus_Mons" },
            "windows-timezone" => new { code = "VALID", name = "Valid", timezone = "Central Standard Time" },
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var result = await _admin.GraphQLAsync(Create, new { input });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal([path], result.FieldPaths);
        Assert.Equal(code, result.Errors![0]!["extensions"]!["fields"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task RefuseAStaleVersionAndAnInvalidChangeKeepingTheStoredLocation()
    {
        var location = await CreateAsync("STALE");
        var id = location["id"]!.GetValue<string>();
        (await _admin.GraphQLAsync(Update, new { id, v = 1, input = new { name = "First edit", timezone = "UTC" } })).DataOrThrow.ToString();

        var stale = await _admin.GraphQLAsync(Update, new { id, v = 1, input = new { name = "Lost edit", timezone = "UTC" } });
        var staleDeactivate = await _admin.GraphQLAsync(Deactivate, new { id, v = 1 });
        var invalid = await _admin.GraphQLAsync(Update, new { id, v = 2, input = new { name = "", timezone = "Nowhere/Land" } });
        var unknown = await _admin.GraphQLAsync(Update, new { id = Guid.NewGuid().ToString(), v = 1, input = new { name = "X", timezone = "UTC" } });
        var stored = (await _admin.GraphQLAsync("{ locations { " + Fields + " } }")).DataOrThrow["locations"]!.AsArray()
            .Single(l => l!["id"]!.GetValue<string>() == id)!;

        Assert.Equal("VERSION_CONFLICT", stale.Code);
        Assert.Equal("VERSION_CONFLICT", staleDeactivate.Code);
        Assert.Equal(("VALIDATION_FAILED", "input.name input.timezone"), (invalid.Code, string.Join(" ", invalid.FieldPaths)));
        Assert.Equal("NOT_FOUND", unknown.Code);
        Assert.Equal(("First edit", "UTC", true, 2),
            (stored["name"]!.GetValue<string>(), stored["timezone"]!.GetValue<string>(), stored["active"]!.GetValue<bool>(), stored["version"]!.GetValue<int>()));
    }

    [Fact]
    public async Task LetExactlyOneOfConcurrentCreationsOfTheSameCodeWin()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(i =>
            _admin.GraphQLAsync(Create, new { input = new { code = "RACE", name = "Racer " + i, timezone = "UTC" } })));

        Assert.Single(results, r => r.Errors is null);
        Assert.All(results.Where(r => r.Errors is not null), r => Assert.Equal(("VALIDATION_FAILED", "input.code"), (r.Code, r.FieldPaths.Single())));
    }

    [Fact]
    public async Task RefuseSomeoneWithoutLocationWrite()
    {
        using var physician = _host.Client(_host.Token(_tenant.Slug, "dr.loc", "physician"));
        var before = await CountAsync();

        var result = await physician.GraphQLAsync(Create, new { input = new { code = "NOPE", name = "Nope", timezone = "UTC" } });

        Assert.Equal("FORBIDDEN", result.Code);
        Assert.Equal(before, await CountAsync());
    }

    private async Task<long> CountAsync()
    {
        await using var sql = await _host.OpenSqlAsync();
        await using (var role = new NpgsqlCommand($"SET ROLE \"{_tenant.SchemaName}\"", sql))
        {
            await role.ExecuteNonQueryAsync();
        }

        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM \"{_tenant.SchemaName}\".locations", sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
