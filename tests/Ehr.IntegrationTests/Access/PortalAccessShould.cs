using System.Net;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Accounts;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Access;

/// <summary>
/// The patient portal through the real authorization server: staff invite a patient (the ordinary invitation flow),
/// the patient signs in with code + PKCE and sees only their own record; proxies see the records they were granted,
/// until revoked or expired, from the very next request (the access check reads the links on every request, no job).
/// </summary>
public sealed class PortalAccessShould : IAsyncLifetime
{
    private const string RedirectUri = "http://127.0.0.1:9/portal-callback";
    private const string LinkFields = "id patientId relationship status expiresAt userId email displayName invitationId grantedBy";

    private const string Invite = "mutation($input: InvitePatientToPortalInput!) { invitePatientToPortal(input: $input) { " + LinkFields + " } }";
    private const string Grant = "mutation($input: GrantProxyAccessInput!) { grantProxyAccess(input: $input) { " + LinkFields + " } }";
    private const string Revoke = "mutation($id: ID!) { revokeProxyAccess(id: $id) { " + LinkFields + " } }";
    private const string Access = "query($id: ID!, $all: Boolean) { portalAccess(patientId: $id, includeInactive: $all) { " + LinkFields + " } }";
    private const string MyRecords = "{ myRecords { patientId relationship expiresAt patient { id mrn name { given family } } } }";

    private static readonly string[] CareTeam = ["dr.care"];

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _staff = null!;
    private HttpClient _admin = null!;
    private string _app = null!;
    private string _family = "";

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("portal", "dermatology");
        _staff = _host.Client(_host.Token(_tenant.Slug, "front.desk", "front-desk"));
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.portal", "tenant-admin"));
        _app = await _host.RegisterAppAsync(RedirectUri);
        _family = "Portal" + Guid.NewGuid().ToString("N")[..6];
    }

    public Task DisposeAsync()
    {
        _staff.Dispose();
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private async Task<Guid> RegisterAsync(string given, string birthDate = "1980-05-17") =>
        Guid.Parse((await _staff.RegisterAsync(PatientGraph.Input(given, _family, birthDate))).Id());

    private static string NewEmail(string who) => $"{who}{Guid.NewGuid():N}"[..20] + "@example.test";

    private static string NewPassword() => "Lantern-quiet-" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>Accepts the newest invitation sent to <paramref name="email"/> as a new account; returns the password.</summary>
    private async Task<string> AcceptAsync(string email, string name)
    {
        var password = NewPassword();
        var token = await _host.InvitationTokenAsync(email);
        var accepted = await _host.Client().GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = name, password } });
        Assert.Equal(_tenant.Slug, accepted.DataOrThrow["acceptInvitation"]!["tenant"]!.GetValue<string>());
        return password;
    }

    /// <summary>Signs in through the authorization server's pages (code + PKCE) and returns an API client with the access token.</summary>
    private async Task<HttpClient> SignInAsync(string email, string password, string? tenant = null)
    {
        var (browser, _) = _host.Browserless();
        var (verifier, challenge) = People.Pkce();
        var toLogin = await browser.GetAsync(People.AuthorizeUrl(_app, RedirectUri, challenge, tenant ?? _tenant.Slug));
        using var posted = await browser.SubmitFormAsync(toLogin.Location(), "login",
            new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        using var back = await browser.FollowAsync(posted.Location());
        var callback = back.Location();
        Assert.StartsWith(RedirectUri + "?", callback, StringComparison.Ordinal);
        var tokens = await _host.Client().TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = _app,
            ["code"] = People.QueryValue(callback, "code"),
            ["redirect_uri"] = RedirectUri,
            ["code_verifier"] = verifier,
        });
        return _host.Client(tokens.AccessToken);
    }

    /// <summary>A patient invited to the portal for <paramref name="patient"/>, who accepted and signed in.</summary>
    private async Task<(HttpClient Api, Guid UserId, string Email)> PortalUserAsync(Guid patient, string name)
    {
        var email = NewEmail("pt");
        var link = (await _staff.GraphQLAsync(Invite, new { input = new { patientId = patient, email } })).DataOrThrow["invitePatientToPortal"]!;
        Assert.Equal(("pending", "self"), (link["status"]!.GetValue<string>(), link["relationship"]!.GetValue<string>()));
        var password = await AcceptAsync(email, name);
        var api = await SignInAsync(email, password);
        var viewer = (await api.GraphQLAsync("{ viewer { id roles } }")).DataOrThrow["viewer"]!;
        Assert.Equal(["patient"], viewer["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        return (api, Guid.Parse(viewer["id"]!.GetValue<string>()), email);
    }

    private static async Task<IReadOnlyList<JsonNode>> RecordsAsync(HttpClient api) =>
        (await api.GraphQLAsync(MyRecords)).DataOrThrow["myRecords"]!.AsArray().Select(n => n!).ToList();

    private static string PatientIdOf(JsonNode record) => record["patientId"]!.GetValue<string>();

    private static async Task<JsonNode?> ReadAsync(HttpClient api, Guid id) =>
        (await api.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow["patient"];

    private async Task<(long Links, long Invitations, long Emails)> StoredAsync()
    {
        await using var sql = await _host.OpenSqlAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT (SELECT count(*) FROM platform.portal_links WHERE tenant_id = $1), " +
            "(SELECT count(*) FROM platform.invitations WHERE tenant_id = $1), (SELECT count(*) FROM platform.email_outbox WHERE tenant_id = $1)", sql);
        cmd.Parameters.AddWithValue(_tenant.Id);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    [Fact]
    public async Task LetAnInvitedPatientSeeTheirOwnRecordAndNoOneElses()
    {
        var self = await RegisterAsync("Olive");
        var stranger = await RegisterAsync("Stranger");
        var (portal, userId, _) = await PortalUserAsync(self, "Olive Portal");

        var records = await RecordsAsync(portal);
        var own = await ReadAsync(portal, self);
        var other = await portal.GraphQLAsync(PatientGraph.Get, new { id = stranger });
        var search = await portal.SearchAsync(new { name = _family });
        var othersAccess = await portal.GraphQLAsync(Access, new { id = stranger });

        var record = Assert.Single(records);
        Assert.Equal((self.ToString(), "self"), (PatientIdOf(record), record["relationship"]!.GetValue<string>()));
        Assert.Equal("Olive", record["patient"]!["name"]!["given"]!.GetValue<string>());
        Assert.Equal(self.ToString(), own!.Id());
        // Another patient's id reads exactly like an id this tenant does not have: nothing about them leaks.
        Assert.Null(other.Errors);
        Assert.Null(other.Data!["patient"]);
        Assert.Equal(self.ToString(), Assert.Single(search).Id());
        Assert.Equal("FORBIDDEN", othersAccess.Code);

        var audit = await _admin.AuditAsync(self.ToString());
        Assert.Contains(audit, e => e["action"]!.GetValue<string>() == "portal.invite" && e["actorId"]!.GetValue<string>() == "front.desk");
        Assert.Contains(audit, e => e["action"]!.GetValue<string>() == "portal.link" && e["actorId"]!.GetValue<string>() == userId.ToString());
        Assert.Contains(audit, e => e["action"]!.GetValue<string>() == "patient.read" && e["actorId"]!.GetValue<string>() == userId.ToString());
    }

    [Fact]
    public async Task RefuseEveryWriteAndEveryStaffActionToAPortalUser()
    {
        var self = await RegisterAsync("Wanda");
        var child = await RegisterAsync("Wren", "2016-02-02");
        var (portal, userId, _) = await PortalUserAsync(self, "Wanda Portal");

        var update = await portal.GraphQLAsync(PatientGraph.Update, new { id = self, v = 1, input = PatientGraph.Input("Wanda", "Changed") });
        var register = await portal.GraphQLAsync(PatientGraph.Register, new { input = PatientGraph.Input("New", _family) });
        var grantSelf = await portal.GraphQLAsync(Grant, new { input = new { patientId = child, userId, relationship = "parent" } });
        var invite = await portal.GraphQLAsync(Invite, new { input = new { patientId = child, email = NewEmail("x") } });

        Assert.Equal("FORBIDDEN FORBIDDEN FORBIDDEN FORBIDDEN", string.Join(' ', update.Code, register.Code, grantSelf.Code, invite.Code));
        Assert.Null(await ReadAsync(portal, child));
        var unchanged = (await ReadAsync(_staff, self))!;
        Assert.Equal((_family, 1), (unchanged["name"]!["family"]!.GetValue<string>(), unchanged["version"]!.GetValue<int>()));
    }

    [Fact]
    public async Task LetAProxySeeBothRecordsUntilTheGrantIsRevoked()
    {
        var parent = await RegisterAsync("Paula");
        var child = await RegisterAsync("Pip", "2018-07-01");
        var (portal, userId, _) = await PortalUserAsync(parent, "Paula Portal");
        Assert.Null(await ReadAsync(portal, child));

        var grant = (await _staff.GraphQLAsync(Grant, new { input = new { patientId = child, userId, relationship = "parent" } }))
            .DataOrThrow["grantProxyAccess"]!;
        // Same access token: the grant applies from the next request.
        var both = await RecordsAsync(portal);
        var childRecord = await ReadAsync(portal, child);
        var listed = (await _staff.GraphQLAsync(Access, new { id = child })).DataOrThrow["portalAccess"]!.AsArray();

        Assert.Equal("active", grant["status"]!.GetValue<string>());
        Assert.Equal([(parent.ToString(), "self"), (child.ToString(), "parent")],
            both.Select(r => (PatientIdOf(r), r["relationship"]!.GetValue<string>())));
        Assert.Equal(child.ToString(), childRecord!.Id());
        var entry = Assert.Single(listed)!;
        Assert.Equal((userId.ToString(), "Paula Portal", "parent"),
            (entry["userId"]!.GetValue<string>(), entry["displayName"]!.GetValue<string>(), entry["relationship"]!.GetValue<string>()));

        var revoked = (await _staff.GraphQLAsync(Revoke, new { id = grant.Id() })).DataOrThrow["revokeProxyAccess"]!;
        var after = await RecordsAsync(portal);

        Assert.Equal("revoked", revoked["status"]!.GetValue<string>());
        Assert.Equal([parent.ToString()], after.Select(PatientIdOf));
        Assert.Null(await ReadAsync(portal, child));
        Assert.Empty((await _staff.GraphQLAsync(Access, new { id = child })).DataOrThrow["portalAccess"]!.AsArray());
        var audit = await _admin.AuditAsync(child.ToString());
        Assert.Contains(audit, e => e["action"]!.GetValue<string>() == "portal.proxy.grant");
        Assert.Contains(audit, e => e["action"]!.GetValue<string>() == "portal.access.revoke");
    }

    [Fact]
    public async Task StopAnExpiredGrantOnTheNextRequestWithoutAnyJob()
    {
        var carer = await RegisterAsync("Carla");
        var ward = await RegisterAsync("Walter", "1931-01-09");
        var (portal, userId, _) = await PortalUserAsync(carer, "Carla Portal");
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(4);

        var grant = (await _staff.GraphQLAsync(Grant, new { input = new { patientId = ward, userId, relationship = "caregiver", expiresAt } }))
            .DataOrThrow["grantProxyAccess"]!;
        var before = await ReadAsync(portal, ward);
        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));
        var after = await ReadAsync(portal, ward);
        var records = await RecordsAsync(portal);
        var history = (await _staff.GraphQLAsync(Access, new { id = ward, all = true })).DataOrThrow["portalAccess"]!.AsArray();

        Assert.Equal(ward.ToString(), before!.Id());
        Assert.Null(after);
        Assert.Equal([carer.ToString()], records.Select(PatientIdOf));
        Assert.Equal((grant.Id(), "expired"), (history.Single()!.Id(), history.Single()!["status"]!.GetValue<string>()));
        Assert.Empty((await _staff.GraphQLAsync(Access, new { id = ward })).DataOrThrow["portalAccess"]!.AsArray());
    }

    [Fact]
    public async Task InviteAProxyByEmailWhoSeesOnlyTheGrantedRecord()
    {
        var child = await RegisterAsync("Kit", "2019-04-04");
        var email = NewEmail("guardian");

        var grant = (await _staff.GraphQLAsync(Grant, new { input = new { patientId = child, email, relationship = "guardian" } }))
            .DataOrThrow["grantProxyAccess"]!;
        var password = await AcceptAsync(email, "Gus Guardian");
        var portal = await SignInAsync(email, password);
        var records = await RecordsAsync(portal);
        var listed = (await _staff.GraphQLAsync(Access, new { id = child })).DataOrThrow["portalAccess"]!.AsArray();

        Assert.Equal(("pending", email), (grant["status"]!.GetValue<string>(), grant["email"]!.GetValue<string>()));
        var record = Assert.Single(records);
        Assert.Equal((child.ToString(), "guardian"), (PatientIdOf(record), record["relationship"]!.GetValue<string>()));
        Assert.Equal("active", Assert.Single(listed)!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefuseAPortalUsersTokenOnAnotherTenant()
    {
        var self = await RegisterAsync("Tess");
        var (portal, _, email) = await PortalUserAsync(self, "Tess Portal");
        var other = await _host.CreateTenantAsync("portal-b", "dermatology");
        portal.DefaultRequestHeaders.Add("X-Tenant", other.Slug);

        var mismatch = await portal.GraphQLAsync(PatientGraph.Get, new { id = self });
        var records = await portal.GraphQLAsync(MyRecords);

        Assert.Equal(("TENANT_MISMATCH", "TENANT_MISMATCH"), (mismatch.Code, records.Code));
        Assert.Null(mismatch.Data?["patient"]);
        Assert.Contains(email, (await _staff.GraphQLAsync(Access, new { id = self })).DataOrThrow["portalAccess"]!.ToJsonString());
    }

    public static TheoryData<string> BadInputs() =>
    [
        "invite-unknown-patient", "invite-malformed-email", "invite-missing-patient", "invite-staff-email", "invite-twice",
        "invite-while-invitation-open",
        "grant-expiry-past", "grant-unknown-relationship", "grant-self-relationship", "grant-twice", "grant-to-own-record",
        "grant-unknown-user", "grant-user-and-email", "grant-nobody",
    ];

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task RefuseBadInputWithAFieldPointerAndStoreNothing(string situation)
    {
        var patient = await RegisterAsync("Bad" + situation.Replace("-", "")[..6]);
        var child = await RegisterAsync("Child", "2017-01-01");
        var (_, userId, _) = await PortalUserAsync(patient, "Bad Input");
        await _staff.GraphQLAsync(Grant, new { input = new { patientId = child, userId, relationship = "parent" } });
        (await _staff.GraphQLAsync(Invite, new { input = new { patientId = child, email = NewEmail("kid") } })).DataOrThrow.ToString();
        var staffMember = await _host.CreateAsync(_tenant, "nurse");
        var before = await StoredAsync();

        var (document, input, path, code) = situation switch
        {
            "invite-unknown-patient" => (Invite, (object)new { patientId = Guid.NewGuid(), email = NewEmail("u") }, "input.patientId", "UNKNOWN_REFERENCE"),
            "invite-malformed-email" => (Invite, new { patientId = child, email = "not an e-mail" }, "input.email", "INVALID_FORMAT"),
            "invite-missing-patient" => (Invite, new { email = NewEmail("u") }, "input.patientId", "REQUIRED"),
            "invite-staff-email" => (Invite, new { patientId = child, email = staffMember.Email }, "input.email", "STAFF_MEMBER"),
            "invite-while-invitation-open" => (Invite, new { patientId = child, email = NewEmail("again") }, "input.patientId", "DUPLICATE"),
            "invite-twice" => (Invite, new { patientId = patient, email = NewEmail("again") }, "input.patientId", "DUPLICATE"),
            "grant-expiry-past" => (Grant, new { patientId = child, email = NewEmail("g"), relationship = "parent", expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, "input.expiresAt", "OUT_OF_RANGE"),
            "grant-unknown-relationship" => (Grant, new { patientId = child, email = NewEmail("g"), relationship = "neighbour" }, "input.relationship", "UNKNOWN_REFERENCE"),
            "grant-self-relationship" => (Grant, new { patientId = child, email = NewEmail("g"), relationship = "self" }, "input.relationship", "UNKNOWN_REFERENCE"),
            "grant-twice" => (Grant, new { patientId = child, userId, relationship = "guardian" }, "input.userId", "DUPLICATE"),
            "grant-to-own-record" => (Grant, new { patientId = patient, userId, relationship = "other" }, "input.userId", "DUPLICATE"),
            "grant-unknown-user" => (Grant, new { patientId = child, userId = staffMember.Id, relationship = "other" }, "input.userId", "UNKNOWN_REFERENCE"),
            "grant-user-and-email" => (Grant, new { patientId = child, userId, email = NewEmail("g"), relationship = "other" }, "input.userId", "INVALID_FORMAT"),
            "grant-nobody" => (Grant, new { patientId = child, relationship = "other" }, "input.email", "REQUIRED"),
            _ => throw new ArgumentOutOfRangeException(nameof(situation)),
        };
        var result = await _staff.GraphQLAsync(document, new { input });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        var field = Assert.Single(result.Errors![0]!["extensions"]!["fields"]!.AsArray())!;
        Assert.Equal((path, code), (field["path"]!.GetValue<string>(), field["code"]!.GetValue<string>()));
        Assert.Equal(before, await StoredAsync());
    }

    [Fact]
    public async Task WithdrawAPendingInvitationWithItsAccessAndLetStaffInviteAgain()
    {
        var self = await RegisterAsync("Rita");
        var typo = NewEmail("rita");
        var pending = (await _staff.GraphQLAsync(Invite, new { input = new { patientId = self, email = typo } })).DataOrThrow["invitePatientToPortal"]!;
        var token = await _host.InvitationTokenAsync(typo);

        var revoked = (await _staff.GraphQLAsync(Revoke, new { id = pending.Id() })).DataOrThrow["revokeProxyAccess"]!;
        var accepted = await _host.Client().GraphQLAsync(AccountGraph.Accept, new { input = new { token, displayName = "Rita", password = NewPassword() } });
        var again = await _staff.GraphQLAsync(Invite, new { input = new { patientId = self, email = NewEmail("rita") } });

        Assert.Equal("revoked", revoked["status"]!.GetValue<string>());
        Assert.Equal("INVITATION_REVOKED", accepted.Code);
        Assert.Equal("pending", again.DataOrThrow["invitePatientToPortal"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task RefuseAStaffMemberWhoAcceptsAPortalInvitationAndKeepTheirRoles()
    {
        var self = await RegisterAsync("Sally");
        var email = NewEmail("sally");
        await _staff.GraphQLAsync(Invite, new { input = new { patientId = self, email } });
        // Between the invitation and its acceptance the address became a staff account of this tenant.
        await _admin.InviteAsync(email, ["nurse"]);
        var nursePassword = await AcceptAsync(email, "Sally Nurse");
        var token = await PortalInvitationTokenAsync(email);

        var accepted = await _host.Client().GraphQLAsync(AccountGraph.Accept, new { input = new { token, password = nursePassword } });

        Assert.Equal("STAFF_MEMBER", accepted.Code);
        var member = (await _admin.GraphQLAsync(AccountGraph.Members, new { all = true })).DataOrThrow["members"]!.AsArray()
            .Single(m => m!["email"]!.GetValue<string>() == email)!;
        Assert.Equal(["nurse"], member["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal("pending", (await _staff.GraphQLAsync(Access, new { id = self })).DataOrThrow["portalAccess"]!.AsArray().Single()!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task KeepARestrictedRecordsPortalAccessToItsCareTeam()
    {
        var vip = await RegisterAsync("Vera");
        await _admin.GraphQLAsync(AccessGraph.Restrict, new { id = vip, v = 1, restriction = "vip", careTeam = CareTeam });
        using var careTeam = _host.Client(_host.Token(_tenant.Slug, "dr.care", "front-desk"));

        var refused = await _staff.GraphQLAsync(Invite, new { input = new { patientId = vip, email = NewEmail("vip") } });
        var listed = await _staff.GraphQLAsync(Access, new { id = vip });
        var allowed = await careTeam.GraphQLAsync(Invite, new { input = new { patientId = vip, email = NewEmail("vip") } });

        Assert.Equal(("RESTRICTED_RECORD", "RESTRICTED_RECORD"), (refused.Code, listed.Code));
        Assert.Equal("pending", allowed.DataOrThrow["invitePatientToPortal"]!["status"]!.GetValue<string>());
    }

    /// <summary>The portal invitation's token (the staff invitation went to the same address later).</summary>
    private async Task<string> PortalInvitationTokenAsync(string email)
    {
        await using var sql = await _host.OpenSqlAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "SELECT body FROM platform.email_outbox WHERE to_address = $1 AND subject LIKE 'Your patient portal%' ORDER BY created_at DESC LIMIT 1", sql);
        cmd.Parameters.AddWithValue(email);
        var body = (string)(await cmd.ExecuteScalarAsync())!;
        return System.Text.RegularExpressions.Regex.Match(body, @"token=([A-Za-z0-9_-]+)").Groups[1].Value;
    }
}
