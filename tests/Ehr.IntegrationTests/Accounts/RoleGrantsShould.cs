using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Npgsql;

namespace Ehr.IntegrationTests.Accounts;

/// <summary>
/// Invitations and role changes take the tenant's custom roles as well as built-in ones, and nobody grants a role whose
/// permissions they do not hold themselves (<c>ROLE_NOT_GRANTABLE</c>, audited); refusals store nothing.
/// </summary>
public sealed class RoleGrantsShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("grants");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.grants", "tenant-admin"));
        // A people-ops role: may manage users, holds nothing clinical.
        await _admin.DefineRoleAsync(AccessGraph.Role("people-ops", "People ops", ["user.read", "user.manage", "location.read"]));
        await _admin.DefineRoleAsync(AccessGraph.Role("scheduler", "Scheduler", ["patient.read", "location.read"]));
        await _admin.DefineRoleAsync(AccessGraph.Role("reader", "Directory reader", ["user.read"]));
        await _admin.DefineRoleAsync(AccessGraph.Role("signer", "Signing scribe", ["note.sign", "location.read"]));
    }

    /// <summary>Someone holding only the people-ops role (a fresh actor id per test, so audit entries can be told apart).</summary>
    private HttpClient Hr(string who) => _host.Client(_host.Token(_tenant.Slug, who, "people-ops"));

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private static string[] Roles(params string[] roles) => roles;

    private static string Email() => $"g{Guid.NewGuid():N}"[..16] + "@example.test";

    [Fact]
    public async Task InviteWithACustomRoleAndChangeAMemberToOne()
    {
        var email = Email();
        var invitation = await _admin.InviteAsync(email, ["scheduler", "nurse"]);
        var nurse = await _host.CreateAsync(_tenant, "nurse");
        var changed = await _admin.GraphQLAsync(AccountGraph.ChangeRoles, new { id = nurse.MembershipId.ToString(), v = 1, input = new { roles = Roles("scheduler") } });
        var physician = await _admin.GraphQLAsync(AccountGraph.Invite, new { input = new { email = Email(), roles = Roles("physician") } });
        var signer = await _admin.GraphQLAsync(AccountGraph.Invite, new { input = new { email = Email(), roles = Roles("signer") } });

        Assert.Equal(["scheduler", "nurse"], invitation["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(["scheduler"], changed.DataOrThrow["changeMemberRoles"]!["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        // Tenant admins staff the clinic: they grant note.sign although they do not sign notes themselves.
        Assert.Null(physician.Errors);
        Assert.Null(signer.Errors);
    }

    [Theory]
    [InlineData("unknown-role", "input.roles[1]", "UNKNOWN_REFERENCE")]
    [InlineData("platform-role", "input.roles[0]", "UNKNOWN_REFERENCE")]
    [InlineData("api-client-role", "input.roles[0]", "UNKNOWN_REFERENCE")]
    [InlineData("duplicate-role", "input.roles[1]", "DUPLICATE")]
    [InlineData("no-role", "input.roles", "REQUIRED")]
    [InlineData("patient-role", "input.roles[0]", "RESERVED")]
    public async Task RefuseAnUnknownRoleNamingTheFieldAndStoreNothing(string problem, string path, string code)
    {
        var roles = problem switch
        {
            "unknown-role" => Roles("nurse", "wizard"),
            "platform-role" => ["platform-admin"],
            "api-client-role" => ["api-client"],
            "duplicate-role" => ["scheduler", "scheduler"],
            "no-role" => [],
            "patient-role" => ["patient"],
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        var before = await CountAsync("SELECT count(*) FROM platform.invitations WHERE tenant_id = $1", _tenant.Id);

        var result = await _admin.GraphQLAsync(AccountGraph.Invite, new { input = new { email = Email(), roles } });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal([path], result.FieldPaths);
        Assert.Equal(code, result.Errors![0]!["extensions"]!["fields"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(before, await CountAsync("SELECT count(*) FROM platform.invitations WHERE tenant_id = $1", _tenant.Id));
    }

    [Fact]
    public async Task RefuseToInviteWithARoleTheInviterDoesNotHoldAndAuditTheAttempt()
    {
        using var hr = Hr("hr.invites");
        var before = await CountAsync("SELECT count(*) FROM platform.invitations WHERE tenant_id = $1", _tenant.Id);

        var admin = await hr.GraphQLAsync(AccountGraph.Invite, new { input = new { email = Email(), roles = Roles("reader", "tenant-admin") } });
        var custom = await hr.GraphQLAsync(AccountGraph.Invite, new { input = new { email = Email(), roles = Roles("scheduler") } });
        var own = await hr.GraphQLAsync(AccountGraph.Invite, new { input = new { email = Email(), roles = Roles("people-ops", "reader") } });
        var audit = await DenialsAsync();

        Assert.Equal(("ROLE_NOT_GRANTABLE", "input.roles[1]"), (admin.Code, admin.FieldPaths.Single()));
        Assert.Contains("audit.read", admin.Errors![0]!["message"]!.GetValue<string>());
        Assert.Equal(("ROLE_NOT_GRANTABLE", "input.roles[0]"), (custom.Code, custom.FieldPaths.Single()));
        Assert.Contains("patient.read", custom.Errors![0]!["message"]!.GetValue<string>());
        // What the inviter holds, they may pass on.
        Assert.Null(own.Errors);
        Assert.Equal(before + 1, await CountAsync("SELECT count(*) FROM platform.invitations WHERE tenant_id = $1", _tenant.Id));
        Assert.Equal(2, audit.Count(e => e["actorId"]!.GetValue<string>() == "hr.invites"));
        Assert.All(audit, e => Assert.Equal("denied", e["outcome"]!.GetValue<string>()));
        Assert.Contains(audit, e => e["actorId"]!.GetValue<string>() == "hr.invites" && e["details"]!.GetValue<string>().Contains("\"role\":\"tenant-admin\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RefuseToPromoteAMemberBeyondTheChangersOwnPermissionsAndKeepTheMembership()
    {
        using var hr = Hr("hr.changes");
        var reader = await _host.CreateAsync(_tenant, "reader");

        var promoted = await hr.GraphQLAsync(AccountGraph.ChangeRoles, new { id = reader.MembershipId.ToString(), v = 1, input = new { roles = Roles("reader", "physician") } });
        var members = (await _admin.GraphQLAsync(AccountGraph.Members, new { all = true })).DataOrThrow["members"]!.AsArray();
        var stored = members.Single(m => m!["id"]!.GetValue<string>() == reader.MembershipId.ToString())!;
        var kept = await hr.GraphQLAsync(AccountGraph.ChangeRoles, new { id = reader.MembershipId.ToString(), v = 1, input = new { roles = Roles("reader", "people-ops") } });

        Assert.Equal(("ROLE_NOT_GRANTABLE", "input.roles[1]"), (promoted.Code, promoted.FieldPaths.Single()));
        Assert.Equal(("reader", 1), (string.Join(",", stored["roles"]!.AsArray().Select(r => r!.GetValue<string>())), stored["version"]!.GetValue<int>()));
        Assert.Null(kept.Errors);
    }

    [Fact]
    public async Task JudgeACustomRoleByItsOverrideAtTheMembersLocations()
    {
        using var hr = Hr("hr.locations");
        var location = (await _admin.LocationIdsAsync())[0];
        // At this location "front-office" gives patient.read, which people-ops lacks; tenant-wide it does not.
        await _admin.DefineRoleAsync(AccessGraph.Role("front-office", "Front office", ["user.read"]));
        await _admin.DefineRoleAsync(AccessGraph.Role("front-office", "Front office here", ["user.read", "patient.read"], location));

        var everywhere = await hr.GraphQLAsync(AccountGraph.Invite, new { input = new { email = Email(), roles = Roles("front-office") } });
        var there = await hr.GraphQLAsync(AccountGraph.Invite, new { input = new { email = Email(), roles = Roles("front-office"), locationIds = Roles(location) } });

        Assert.Null(everywhere.Errors);
        Assert.Equal(("ROLE_NOT_GRANTABLE", "input.roles[0]"), (there.Code, there.FieldPaths.Single()));
    }

    private async Task<IReadOnlyList<JsonNode>> DenialsAsync() =>
        (await _admin.GraphQLAsync("{ auditLog(action: \"membership.grant_denied\") { edges { node { actorId outcome details } } } }"))
        .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();

    private async Task<long> CountAsync(string sql, params object[] parameters)
    {
        await using var connection = await _host.OpenSqlAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }
}
