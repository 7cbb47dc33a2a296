using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Accounts;

public sealed class SecurityPolicyShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("policy");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.sec", "tenant-admin"));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private static object Input(int accessToken = 10, int idle = 20, int session = 8, string[]? mfa = null, int password = 14) => new
    {
        accessTokenMinutes = accessToken, idleTimeoutMinutes = idle, sessionMaxHours = session,
        mfaRequiredRoles = mfa ?? ["tenant-admin", "physician"], passwordMinLength = password,
    };

    [Fact]
    public async Task StartFromSafeDefaultsThenChangeWithTheCurrentVersionOnly()
    {
        var defaults = (await _admin.GraphQLAsync(AccountGraph.Policy)).DataOrThrow["securityPolicy"]!;
        Assert.Equal((15, 30, 12, 12, 0), (defaults["accessTokenMinutes"]!.GetValue<int>(), defaults["idleTimeoutMinutes"]!.GetValue<int>(),
            defaults["sessionMaxHours"]!.GetValue<int>(), defaults["passwordMinLength"]!.GetValue<int>(), defaults["version"]!.GetValue<int>()));

        var changed = (await _admin.GraphQLAsync(AccountGraph.ChangePolicy, new { v = 0, input = Input() })).DataOrThrow["changeSecurityPolicy"]!;
        var stale = await _admin.GraphQLAsync(AccountGraph.ChangePolicy, new { v = 0, input = Input(accessToken: 60) });
        var read = (await _admin.GraphQLAsync(AccountGraph.Policy)).DataOrThrow["securityPolicy"]!;

        Assert.Equal(1, changed["version"]!.GetValue<int>());
        Assert.Equal("VERSION_CONFLICT", stale.Code);
        Assert.Equal(changed.ToJsonString(), read.ToJsonString());
        Assert.Equal(["tenant-admin", "physician"], read["mfaRequiredRoles"]!.AsArray().Select(r => r!.GetValue<string>()));
        var entry = (await _admin.AuditAsync(_tenant.Id.ToString())).Single(e => e["action"]!.GetValue<string>() == "security-policy.change");
        var details = JsonNode.Parse(entry["details"]!.GetValue<string>())!;
        Assert.Equal((15, 10), (details["before"]!["AccessTokenMinutes"]!.GetValue<int>(), details["after"]!["AccessTokenMinutes"]!.GetValue<int>()));
    }

    [Fact]
    public async Task LetExactlyOneOfManyConcurrentFirstChangesWin()
    {
        var other = await _host.CreateTenantAsync("policy-race");
        using var admin = _host.Client(_host.Token(other.Slug, "admin.race", "tenant-admin"));

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            admin.GraphQLAsync(AccountGraph.ChangePolicy, new { v = 0, input = Input(accessToken: 10 + i) })));

        var winner = Assert.Single(results, r => r.Errors is null);
        Assert.All(results.Where(r => r.Errors is not null), r => Assert.Equal("VERSION_CONFLICT", r.Code));
        var read = (await admin.GraphQLAsync(AccountGraph.Policy)).DataOrThrow["securityPolicy"]!;
        Assert.Equal(winner.DataOrThrow["changeSecurityPolicy"]!.ToJsonString(), read.ToJsonString());
        Assert.Single(await admin.AuditAsync(other.Id.ToString()), e => e["action"]!.GetValue<string>() == "security-policy.change");
    }

    [Fact]
    public async Task RefuseSettingsOutsideTheBoundsNamingEachField()
    {
        var before = (await _admin.GraphQLAsync(AccountGraph.Policy)).DataOrThrow["securityPolicy"]!.ToJsonString();

        var result = await _admin.GraphQLAsync(AccountGraph.ChangePolicy, new
        {
            v = 0,
            input = Input(accessToken: 4, idle: 241, session: 25, mfa: ["physician", "wizard"], password: 11),
        });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal(["input.accessTokenMinutes", "input.idleTimeoutMinutes", "input.sessionMaxHours", "input.passwordMinLength", "input.mfaRequiredRoles[1]"],
            result.FieldPaths);
        Assert.Equal(before, (await _admin.GraphQLAsync(AccountGraph.Policy)).DataOrThrow["securityPolicy"]!.ToJsonString());
    }

    [Fact]
    public async Task RequireEverySetting()
    {
        var result = await _admin.GraphQLAsync(AccountGraph.ChangePolicy, new { v = 0, input = new { accessTokenMinutes = 10 } });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal(["input.idleTimeoutMinutes", "input.sessionMaxHours", "input.passwordMinLength", "input.mfaRequiredRoles"], result.FieldPaths);
    }
}
