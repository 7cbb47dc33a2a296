using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Tenancy;
using Npgsql;

namespace Ehr.IntegrationTests.Accounts;

public sealed class MembersShould : IAsyncLifetime
{
    private const string Password = "amber tram over winter fields";
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _anonymous = null!;
    private AccountServices _accounts = null!;
    private string _location = "";

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("members");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.ann", "tenant-admin"));
        _anonymous = _host.Client();
        _accounts = new AccountServices(_host);
        var locations = (await _admin.GraphQLAsync("{ locations { id } }")).DataOrThrow["locations"]!.AsArray();
        _location = locations[0]!["id"]!.GetValue<string>();
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        _anonymous.Dispose();
        return Task.CompletedTask;
    }

    private async Task<JsonNode> JoinAsync(string email, params string[] roles)
    {
        await _admin.InviteAsync(email, roles);
        var token = await _host.InvitationTokenAsync(email);
        (await _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = "Member " + roles[0], password = Password } })).DataOrThrow.ToString();
        var members = (await _admin.GraphQLAsync(AccountGraph.Members, new { all = true })).DataOrThrow["members"]!.AsArray();
        return members.Single(m => m!["email"]!.GetValue<string>() == email)!;
    }

    private static string[] Roles(params string[] roles) => roles;

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

    [Fact]
    public async Task InviteSomeoneWhoAcceptsWithoutAnAccessTokenAndBecomesAMember()
    {
        var email = AccountServices.UniqueEmail("Invitee");

        var invitation = await _admin.InviteAsync(email, ["physician"], [_location]);
        Assert.Equal(("open", "admin.ann"), (invitation["status"]!.GetValue<string>(), invitation["invitedBy"]!.GetValue<string>()));
        var token = await _host.InvitationTokenAsync(email);
        var accepted = await _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = "Dr. Invitee", password = Password } });

        var joined = accepted.DataOrThrow["acceptInvitation"]!;
        Assert.Equal((_tenant.Slug, true), (joined["tenant"]!.GetValue<string>(), joined["newAccount"]!.GetValue<bool>()));
        var member = (await _admin.GraphQLAsync(AccountGraph.Members)).DataOrThrow["members"]!.AsArray()
            .Single(m => m!["email"]!.GetValue<string>() == email)!;
        Assert.Equal("Dr. Invitee", member["displayName"]!.GetValue<string>());
        Assert.Equal(["physician"], member["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal([_location], member["locationIds"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(SignInOutcome.Succeeded, (await _accounts.SignInAsync(email, Password)).Outcome);
        var again = await _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = "Twice", password = Password } });
        Assert.Equal("INVITATION_USED", again.Code);
        var audit = await _admin.AuditAsync(member["id"]!.GetValue<string>());
        Assert.Equal(("membership.create", member["userId"]!.GetValue<string>()), (audit[0]["action"]!.GetValue<string>(), audit[0]["actorId"]!.GetValue<string>()));
        Assert.Equal("invitation.create", (await _admin.AuditAsync(invitation["id"]!.GetValue<string>()))[0]["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task KeepOnlyTheHashOfTheInvitationToken()
    {
        var email = AccountServices.UniqueEmail("hashed");
        await _admin.InviteAsync(email, ["nurse"]);
        var token = await _host.InvitationTokenAsync(email);

        await using var connection = await _host.OpenSqlAsync();
        await using var command = new NpgsqlCommand("SELECT token_hash FROM platform.invitations WHERE email = $1", connection);
        command.Parameters.AddWithValue(email);
        var stored = (byte[])(await command.ExecuteScalarAsync())!;

        Assert.Equal(32, stored.Length);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), stored);
        Assert.True(Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + "=").Length == 32);
    }

    [Theory]
    [InlineData("bad-email", "input.email")]
    [InlineData("no-roles", "input.roles")]
    [InlineData("unknown-role", "input.roles[1]")]
    [InlineData("platform-role", "input.roles[0]")]
    [InlineData("unknown-location", "input.locationIds[0]")]
    [InlineData("malformed-location", "input.locationIds[0]")]
    public async Task RefuseABadInvitationNamingTheFieldAndStoreNothing(string problem, string path)
    {
        const string Stored = "SELECT (SELECT count(*) FROM platform.invitations WHERE tenant_id = $1) + (SELECT count(*) FROM platform.email_outbox WHERE tenant_id = $1)";
        var before = await CountAsync(Stored, _tenant.Id);
        object input = problem switch
        {
            "bad-email" => new { email = "not an address", roles = Roles("nurse") },
            "no-roles" => new { email = AccountServices.UniqueEmail("x"), roles = Array.Empty<string>() },
            "unknown-role" => new { email = AccountServices.UniqueEmail("x"), roles = Roles("nurse", "wizard") },
            "platform-role" => new { email = AccountServices.UniqueEmail("x"), roles = Roles("platform-admin") },
            "unknown-location" => new { email = AccountServices.UniqueEmail("x"), roles = Roles("nurse"), locationIds = new[] { Guid.NewGuid().ToString() } },
            "malformed-location" => new { email = AccountServices.UniqueEmail("x"), roles = Roles("nurse"), locationIds = new[] { "front-desk" } },
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var result = await _admin.GraphQLAsync(AccountGraph.Invite, new { input });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Contains(path, result.FieldPaths);
        Assert.Equal(before, await CountAsync(Stored, _tenant.Id));
    }

    [Fact]
    public async Task RefuseRevokedExpiredAndUnknownInvitationsWithTheirOwnCodes()
    {
        var revokedEmail = AccountServices.UniqueEmail("revoked");
        var revoked = await _admin.InviteAsync(revokedEmail, ["nurse"]);
        var revokedToken = await _host.InvitationTokenAsync(revokedEmail);
        var expiredEmail = AccountServices.UniqueEmail("expired");
        await _admin.InviteAsync(expiredEmail, ["nurse"]);
        var expiredToken = await _host.InvitationTokenAsync(expiredEmail);
        await using (var connection = await _host.OpenSqlAsync())
        {
            await using var command = new NpgsqlCommand("UPDATE platform.invitations SET expires_at = now() - interval '1 minute' WHERE email = $1", connection);
            command.Parameters.AddWithValue(expiredEmail);
            await command.ExecuteNonQueryAsync();
        }

        var revocation = await _admin.GraphQLAsync(AccountGraph.Revoke, new { id = revoked["id"]!.GetValue<string>() });
        Assert.Equal("revoked", revocation.DataOrThrow["revokeInvitation"]!["status"]!.GetValue<string>());

        async Task<string?> AcceptAsync(string token) =>
            (await _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = "Late", password = Password } })).Code;
        Assert.Equal("INVITATION_REVOKED", await AcceptAsync(revokedToken));
        Assert.Equal("INVITATION_EXPIRED", await AcceptAsync(expiredToken));
        Assert.Equal("INVITATION_INVALID", await AcceptAsync("made-up-token"));
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM platform.users WHERE email IN ($1, $2)", revokedEmail, expiredEmail));
    }

    [Fact]
    public async Task AskAnExistingAccountForItsCurrentPassword()
    {
        var email = AccountServices.UniqueEmail("existing");
        var user = await _accounts.CreateUserAsync(email, Password);
        await _admin.InviteAsync(email, ["biller"]);
        var token = await _host.InvitationTokenAsync(email);

        var wrong = await _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, password = "not my password at all" } });
        Assert.Equal("VALIDATION_FAILED", wrong.Code);
        Assert.Equal(["input.password"], wrong.FieldPaths);
        Assert.Equal(1, (await _accounts.UserAsync(user.Id)).FailedSignIns);

        var right = await _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, password = Password } });
        Assert.False(right.DataOrThrow["acceptInvitation"]!["newAccount"]!.GetValue<bool>());
        Assert.Equal("Test Person", right.DataOrThrow["acceptInvitation"]!["displayName"]!.GetValue<string>());
    }

    [Fact]
    public async Task HoldANewAccountsPasswordToTheTenantsPolicy()
    {
        var email = AccountServices.UniqueEmail("weak");
        await _admin.InviteAsync(email, ["nurse"]);
        var token = await _host.InvitationTokenAsync(email);

        var result = await _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = "", password = "password123456" } });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal(["input.displayName", "input.password"], result.FieldPaths);
        Assert.Equal("COMMON_PASSWORD", result.Errors![0]!["extensions"]!["fields"]![1]!["code"]!.GetValue<string>());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM platform.users WHERE email = $1", email));
    }

    [Fact]
    public async Task ChangeRolesWithTheCurrentVersionRefuseAStaleOneAndAuditBeforeAndAfter()
    {
        var member = await JoinAsync(AccountServices.UniqueEmail("roles"), "nurse");
        var id = member["id"]!.GetValue<string>();
        var version = member["version"]!.GetValue<int>();

        var changed = await _admin.GraphQLAsync(AccountGraph.ChangeRoles, new { id, v = version, input = new { roles = Roles("nurse", "front-desk"), locationIds = new[] { _location } } });
        var stale = await _admin.GraphQLAsync(AccountGraph.ChangeRoles, new { id, v = version, input = new { roles = Roles("auditor") } });

        var after = changed.DataOrThrow["changeMemberRoles"]!;
        Assert.Equal(["nurse", "front-desk"], after["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(version + 1, after["version"]!.GetValue<int>());
        Assert.Equal("VERSION_CONFLICT", stale.Code);
        var entry = (await _admin.AuditAsync(id)).First(e => e["action"]!.GetValue<string>() == "membership.roles.change");
        var details = JsonNode.Parse(entry["details"]!.GetValue<string>())!;
        Assert.Equal(["nurse"], details["before"]!["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(["nurse", "front-desk"], details["after"]!["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("admin.ann", entry["actorId"]!.GetValue<string>());
    }

    [Fact]
    public async Task LetExactlyOneOfManyConcurrentRoleChangesOfTheSameVersionWin()
    {
        var member = await JoinAsync(AccountServices.UniqueEmail("contested"), "nurse");
        var id = member["id"]!.GetValue<string>();
        var version = member["version"]!.GetValue<int>();
        string[] choices = ["biller", "auditor", "front-desk", "medical-assistant", "physician"];

        var results = await Task.WhenAll(choices.Select(role =>
            _admin.GraphQLAsync(AccountGraph.ChangeRoles, new { id, v = version, input = new { roles = Roles(role) } })));

        var winner = Assert.Single(results, r => r.Errors is null);
        Assert.All(results.Where(r => r.Errors is not null), r => Assert.Equal("VERSION_CONFLICT", r.Code));
        var changes = (await _admin.AuditAsync(id)).Where(e => e["action"]!.GetValue<string>() == "membership.roles.change").ToList();
        var entry = Assert.Single(changes);
        Assert.Equal(winner.DataOrThrow["changeMemberRoles"]!["roles"]![0]!.GetValue<string>(),
            JsonNode.Parse(entry["details"]!.GetValue<string>())!["after"]!["roles"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task DeactivateAndReactivateAMember()
    {
        var member = await JoinAsync(AccountServices.UniqueEmail("leaver"), "medical-assistant");
        var id = member["id"]!.GetValue<string>();

        var deactivated = (await _admin.GraphQLAsync(AccountGraph.Deactivate, new { id })).DataOrThrow["deactivateMember"]!;
        var listed = (await _admin.GraphQLAsync(AccountGraph.Members)).DataOrThrow["members"]!.AsArray();
        var reactivated = (await _admin.GraphQLAsync(AccountGraph.Reactivate, new { id })).DataOrThrow["reactivateMember"]!;

        Assert.Equal("deactivated", deactivated["status"]!.GetValue<string>());
        Assert.DoesNotContain(listed, m => m!["id"]!.GetValue<string>() == id);
        Assert.Equal(("active", "medical-assistant"), (reactivated["status"]!.GetValue<string>(), reactivated["roles"]![0]!.GetValue<string>()));
        var actions = (await _admin.AuditAsync(id)).Select(e => e["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["membership.reactivate", "membership.deactivate", "membership.create"], actions);
    }

    [Fact]
    public async Task NeverLeaveTheTenantWithoutAnActiveTenantAdmin()
    {
        var solo = await _host.CreateTenantAsync("solo-admin");
        using var soloAdmin = _host.Client(_host.Token(solo.Slug, "admin.solo", "tenant-admin"));
        var email = AccountServices.UniqueEmail("only-admin");
        await soloAdmin.InviteAsync(email, ["tenant-admin"]);
        var token = await _host.InvitationTokenAsync(email);
        (await _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = "Only Admin", password = Password } })).DataOrThrow.ToString();
        var member = (await soloAdmin.GraphQLAsync(AccountGraph.Members)).DataOrThrow["members"]![0]!;
        var id = member["id"]!.GetValue<string>();

        var demote = await soloAdmin.GraphQLAsync(AccountGraph.ChangeRoles, new { id, v = member["version"]!.GetValue<int>(), input = new { roles = Roles("physician") } });
        var deactivate = await soloAdmin.GraphQLAsync(AccountGraph.Deactivate, new { id });

        Assert.Equal("LAST_TENANT_ADMIN", demote.Code);
        Assert.Equal("LAST_TENANT_ADMIN", deactivate.Code);
        var after = (await soloAdmin.GraphQLAsync(AccountGraph.Members)).DataOrThrow["members"]![0]!;
        Assert.Equal(("active", "tenant-admin"), (after["status"]!.GetValue<string>(), after["roles"]![0]!.GetValue<string>()));
    }

    [Fact]
    public async Task KeepOtherTenantsMembersOutOfReach()
    {
        var member = await JoinAsync(AccountServices.UniqueEmail("mine"), "nurse");
        var other = await _host.CreateTenantAsync("members-other");
        using var otherAdmin = _host.Client(_host.Token(other.Slug, "admin.other", "tenant-admin"));
        var id = member["id"]!.GetValue<string>();

        var listed = (await otherAdmin.GraphQLAsync(AccountGraph.Members, new { all = true })).DataOrThrow["members"]!.AsArray();
        var change = await otherAdmin.GraphQLAsync(AccountGraph.ChangeRoles, new { id, v = member["version"]!.GetValue<int>(), input = new { roles = Roles("tenant-admin") } });
        var deactivate = await otherAdmin.GraphQLAsync(AccountGraph.Deactivate, new { id });

        Assert.Empty(listed);
        Assert.Equal(("NOT_FOUND", "NOT_FOUND"), (change.Code, deactivate.Code));
    }

    [Fact]
    public async Task RefuseAccountAdministrationWithoutThePermission()
    {
        using var physician = _host.Client(_host.Token(_tenant.Slug, "dr.who", "physician"));

        Assert.Equal("FORBIDDEN", (await physician.GraphQLAsync(AccountGraph.Members)).Code);
        Assert.Equal("FORBIDDEN", (await physician.GraphQLAsync(AccountGraph.Invite, new { input = new { email = AccountServices.UniqueEmail("y"), roles = Roles("tenant-admin") } })).Code);
        Assert.Equal("FORBIDDEN", (await physician.GraphQLAsync(AccountGraph.Policy)).Code);
    }

    [Fact]
    public async Task LetAnonymousCallersAcceptInvitationsAndNothingElse()
    {
        var members = await _anonymous.GraphQLAsync(AccountGraph.Members, configure: r => r.Headers.Add("X-Tenant", _tenant.Slug));
        var mixed = await _anonymous.GraphQLAsync(
            "mutation { acceptInvitation(input: { token: \"x\" }) { email } inviteUser(input: { email: \"a@b.org\", roles: [\"tenant-admin\"] }) { id } }",
            configure: r => r.Headers.Add("X-Tenant", _tenant.Slug));

        Assert.Equal((401, "UNAUTHENTICATED"), (members.Status, members.Code));
        Assert.Equal((401, "UNAUTHENTICATED"), (mixed.Status, mixed.Code));
    }

    [Fact]
    public async Task LetOnlyOneOfManyParallelAcceptancesOfOneInvitationThrough()
    {
        var email = AccountServices.UniqueEmail("race");
        await _admin.InviteAsync(email, ["nurse"]);
        var token = await _host.InvitationTokenAsync(email);

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            _anonymous.GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = "Racer", password = Password } })));

        Assert.Single(results, r => r.Errors is null);
        Assert.All(results.Where(r => r.Errors is not null), r => Assert.Equal("INVITATION_USED", r.Code));
        Assert.Equal(1, await CountAsync(
            "SELECT count(*) FROM platform.memberships m JOIN platform.users u ON u.id = m.user_id WHERE u.email = $1 AND m.tenant_id = $2",
            email, _tenant.Id));
    }

    [Fact]
    public async Task ListInvitationsWithTheirStatus()
    {
        var openEmail = AccountServices.UniqueEmail("listed-open");
        var revokedEmail = AccountServices.UniqueEmail("listed-revoked");
        await _admin.InviteAsync(openEmail, ["nurse"]);
        var revoked = await _admin.InviteAsync(revokedEmail, ["nurse"]);
        (await _admin.GraphQLAsync(AccountGraph.Revoke, new { id = revoked["id"]!.GetValue<string>() })).DataOrThrow.ToString();

        var open = (await _admin.GraphQLAsync(AccountGraph.Invitations)).DataOrThrow["invitations"]!.AsArray();
        var all = (await _admin.GraphQLAsync(AccountGraph.Invitations, new { all = true })).DataOrThrow["invitations"]!.AsArray();

        Assert.Contains(open, i => i!["email"]!.GetValue<string>() == openEmail);
        Assert.DoesNotContain(open, i => i!["email"]!.GetValue<string>() == revokedEmail);
        Assert.Equal("revoked", all.Single(i => i!["email"]!.GetValue<string>() == revokedEmail)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ShowAMemberLockedOutAfterFailedSignIns()
    {
        var email = AccountServices.UniqueEmail("locked-member");
        var member = await JoinAsync(email, "nurse");
        var (id, userId) = (member["id"]!.GetValue<string>(), member["userId"]!.GetValue<string>());
        async Task<JsonNode?> LockedUntilAsync() =>
            (await _admin.GraphQLAsync("{ members { id lockedUntil } }")).DataOrThrow["members"]!.AsArray()
            .Single(m => m!["id"]!.GetValue<string>() == id)!["lockedUntil"];
        var before = await LockedUntilAsync();

        // Enough failures for the longest delay (an hour), so the lock outlasts the test by far.
        await _accounts.ChangeUserAsync(Guid.Parse(userId), u =>
        {
            for (var i = 0; i < UserAccount.LockoutThreshold + 7; i++)
            {
                u.RecordFailedSignIn(DateTimeOffset.UtcNow);
            }
        });

        Assert.Null(before);
        Assert.NotNull(await LockedUntilAsync());
    }
}
