using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ehr.Clinical.Patients;
using Ehr.Forms.Definitions;
using Ehr.Forms.Intake;
using Ehr.Forms.Responses;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Ehr.IntegrationTests.Forms.FormGraph;

namespace Ehr.IntegrationTests.Forms;

/// <summary>
/// Single-use intake links: staff send a patient a form by e-mail; the link (no sign-in) opens exactly that response,
/// autosaves, completes once with the server's checks and is then used up; it expires on the clock, can be revoked,
/// names its tenant, opens nothing else, and every step and every refusal is on record.
/// </summary>
public sealed partial class IntakeLinksShould : IAsyncLifetime
{
    private const string Here = "192.0.2.10";
    private static readonly string[] SomebodyElse = ["dr.somebody"];

    private readonly TestClock _clock = new(DateTimeOffset.UtcNow);
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _desk = null!;
    private string _mood = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.StartAsync(new Dictionary<string, string?> { ["Intake:FailedLookupLimit"] = "5" }, _clock);
        _tenant = await _host.CreateTenantAsync("intake");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.intake", "tenant-admin"));
        _desk = _host.Client(_host.Token(_tenant.Slug, "desk.intake", "front-desk"));
        _mood = Key("mood");
        await _admin.PublishedAsync(MoodForm(_mood, "Mood before your visit"));
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _desk.Dispose();
        await _host.DisposeAsync();
    }

    private const string Send = "mutation($input: SendIntakeLinkInput!) { sendIntakeLink(input: $input) { link { " + LinkFields + " } response { id status version formKey } developmentUrl } }";

    private const string LinkFields = "id patientId responseId formKey status email sentBy sentAt expiresAt usedAt revokedAt revokedBy";

    private const string Links = "query($p: ID!) { intakeLinks(patientId: $p) { " + LinkFields + " } }";

    private const string Revoke = "mutation($id: ID!) { revokeIntakeLink(id: $id) { " + LinkFields + " } }";

    [Fact]
    public async Task SendALinkThatFillsInItsResponseAndCompletesItOnce()
    {
        var (patient, email, family) = await PatientAsync();
        var sent = await _desk.DataAsync(Send, "sendIntakeLink", new { input = new { patientId = patient, formKey = _mood } });
        var link = sent["link"]!;
        var responseId = sent["response"]!.Id();
        Assert.Equal(("pending", email, "desk.intake", responseId, "in-progress"), (link["status"]!.GetValue<string>(), link["email"]!.GetValue<string>(),
            link["sentBy"]!.GetValue<string>(), link["responseId"]!.GetValue<string>(), sent["response"]!["status"]!.GetValue<string>()));
        Assert.Null(sent["developmentUrl"]);
        Assert.Equal(TimeSpan.FromHours(72), link["expiresAt"]!.GetValue<DateTimeOffset>() - link["sentAt"]!.GetValue<DateTimeOffset>());

        var (subject, body) = await MailAsync(email);
        Assert.Contains(_tenant.DisplayName, subject, StringComparison.Ordinal);
        foreach (var secret in new[] { "Mood", family, _mood })
        {
            Assert.DoesNotContain(secret, subject + body, StringComparison.OrdinalIgnoreCase);
        }

        var token = TokenIn(body);
        Assert.StartsWith(_tenant.Slug + ".", token, StringComparison.Ordinal);
        await using (var sql = await TenantSqlAsync())
        {
            // Only the token's SHA-256 is kept; the secret itself is nowhere in the row.
            Assert.Equal(1, await sql.CountAsync($"SELECT count(*) FROM intake_links WHERE response_id = '{responseId}' AND token_sha256 = sha256(convert_to('{token}', 'UTF8'))"));
            Assert.Equal(0, await sql.CountAsync($"SELECT count(*) FROM intake_links l WHERE l::text LIKE '%{token[(token.IndexOf('.') + 1)..]}%'"));
        }

        var opened = await OpenAsync(token);
        Assert.True(opened.IsOpen);
        Assert.Equal((responseId, _tenant.DisplayName), (opened.Value!.Response.Response.Id.ToString(), opened.Value.PracticeName));

        var saved = await Services<SaveIntakeForm>().HandleAsync(token, opened.Value.Response.Response.Version,
            Response(Item("mood", Coded("low")), Item("why", Text("Poor sleep"))), Here, default);
        var version = saved.Value!.Response.Response.Version;
        Assert.Equal(2, version);

        var refused = await Assert.ThrowsAsync<EhrException>(() => Services<CompleteIntakeForm>().HandleAsync(token, version, Response(Item("why", Text("No mood given"))), Here, default));
        Assert.Equal(ErrorCodes.ValidationFailed, refused.Code);
        Assert.Contains(refused.FieldErrors, f => (f.Code, f.LinkId) == ("REQUIRED", "mood"));
        Assert.Contains(refused.FieldErrors, f => (f.Code, f.LinkId) == ("ANSWER_ON_DISABLED_ITEM", "why"));
        Assert.Equal("pending", (await LinksAsync(patient))[0]!["status"]!.GetValue<string>());

        var completed = await Services<CompleteIntakeForm>().HandleAsync(token, version, Response(Item("mood", Coded("low")), Item("why", Text("Poor sleep"))), Here, default);
        var linkId = link.Id();
        Assert.Equal(("completed", $"intake-link:{linkId}"), (completed.Value!.Response.Response.Status, completed.Value.Response.Response.CompletedBy));

        Assert.Equal(IntakeRefusal.Used, (await Services<CompleteIntakeForm>().HandleAsync(token, completed.Value.Response.Response.Version, null, Here, default)).Refusal);
        Assert.Equal(IntakeRefusal.Used, (await OpenAsync(token)).Refusal);
        var listed = (await LinksAsync(patient))[0]!;
        Assert.Equal("completed", listed["status"]!.GetValue<string>());
        Assert.NotNull(listed["usedAt"]);

        await using (var sql = await TenantSqlAsync())
        {
            Assert.Equal(1, await sql.CountAsync($"SELECT count(*) FROM domain_events WHERE type = 'form.submitted' AND subject_id = '{responseId}'"));
        }

        // Oldest first: who did what to the response, and to the link (the refused validation left nothing).
        var intake = $"intake-link:{linkId}";
        Assert.Equal([("form.response.start", "desk.intake"), ("form.response.read", intake), ("form.response.save", intake), ("form.response.complete", intake)],
            (await AuditAsync(responseId)).Reverse().Select(e => (e.Action, e.Actor)));
        Assert.Equal([("intake.link.send", "desk.intake", "success"), ("intake.link.use", intake, "success"), ("intake.link.refused", intake, "denied"), ("intake.link.refused", intake, "denied")],
            (await AuditAsync(linkId)).Reverse().Select(e => (e.Action, e.Actor, e.Outcome)));
    }

    [Fact]
    public async Task StopWorkingWhenItExpiresOrIsRevoked()
    {
        var (patient, _, _) = await PatientAsync();
        var shortLived = await _desk.DataAsync(Send, "sendIntakeLink", new { input = new { patientId = patient, formKey = _mood, expiresInHours = 1 } });
        var shortToken = TokenIn((await MailAsync(shortLived["link"]!["email"]!.GetValue<string>())).Body);
        var before = _clock.Now;
        try
        {
            _clock.Advance(TimeSpan.FromMinutes(59));
            Assert.True((await OpenAsync(shortToken)).IsOpen);
            _clock.Advance(TimeSpan.FromMinutes(2));
            Assert.Equal(IntakeRefusal.Expired, (await OpenAsync(shortToken)).Refusal);
            Assert.Equal(IntakeRefusal.Expired, (await Services<SaveIntakeForm>().HandleAsync(shortToken, 1, Response(Item("mood", Coded("good"))), Here, default)).Refusal);
            // (Tokens are checked against real time, the link's expiry against the host's clock.)
            Assert.Equal("expired", (await _desk.DataAsync(Links, "intakeLinks", new { p = patient }))[0]!["status"]!.GetValue<string>());
            Assert.Equal("CONFLICT", (await _desk.GraphQLAsync(Revoke, new { id = shortLived["link"]!.Id() })).Code);
        }
        finally
        {
            _clock.Now = before;
        }

        var sent = await _desk.DataAsync(Send, "sendIntakeLink", new { input = new { patientId = patient, formKey = _mood, email = "someone.else@example.org" } });
        Assert.Equal("someone.else@example.org", sent["link"]!["email"]!.GetValue<string>());
        var token = TokenIn((await MailAsync("someone.else@example.org")).Body);
        var revoked = await _desk.DataAsync(Revoke, "revokeIntakeLink", new { id = sent["link"]!.Id() });
        Assert.Equal(("revoked", "desk.intake"), (revoked["status"]!.GetValue<string>(), revoked["revokedBy"]!.GetValue<string>()));
        Assert.Equal(IntakeRefusal.Revoked, (await OpenAsync(token)).Refusal);
        Assert.Equal(IntakeRefusal.Revoked, (await Services<CompleteIntakeForm>().HandleAsync(token, 1, Response(Item("mood", Coded("good"))), Here, default)).Refusal);
        Assert.Equal("CONFLICT", (await _desk.GraphQLAsync(Revoke, new { id = sent["link"]!.Id() })).Code);
        Assert.Equal("in-progress", (await _desk.DataAsync(GetResponse, "formResponse", new { id = sent["response"]!.Id() }))["status"]!.GetValue<string>());

        // The tenant's default lifetime, within its bounds, and the sender's own.
        const string Settings = "mutation($v: Int!, $h: Int!) { changeIntakeSettings(expectedVersion: $v, lifetimeHours: $h) { lifetimeHours version } }";
        Assert.Equal(72, (await _desk.DataAsync("{ intakeSettings { lifetimeHours version } }", "intakeSettings"))["lifetimeHours"]!.GetValue<int>());
        Assert.Equal("FORBIDDEN", (await _desk.GraphQLAsync(Settings, new { v = 0, h = 24 })).Code);
        Assert.Equal(("VALIDATION_FAILED", "lifetimeHours"), (await _admin.GraphQLAsync(Settings, new { v = 0, h = 721 }) is var tooLong ? (tooLong.Code, tooLong.FieldPaths[0]) : default));
        Assert.Equal(1, (await _admin.DataAsync(Settings, "changeIntakeSettings", new { v = 0, h = 24 }))["version"]!.GetValue<int>());
        Assert.Equal("VERSION_CONFLICT", (await _admin.GraphQLAsync(Settings, new { v = 0, h = 48 })).Code);
        var day = (await _desk.DataAsync(Send, "sendIntakeLink", new { input = new { patientId = patient, formKey = _mood } }))["link"]!;
        Assert.Equal(TimeSpan.FromHours(24), day["expiresAt"]!.GetValue<DateTimeOffset>() - day["sentAt"]!.GetValue<DateTimeOffset>());
        var refused = await _desk.GraphQLAsync(Send, new { input = new { patientId = patient, formKey = _mood, expiresInHours = 0 } });
        Assert.Equal(("VALIDATION_FAILED", "input.expiresInHours"), (refused.Code, refused.FieldPaths[0]));
    }

    [Fact]
    public async Task OpenNothingForAnotherTenantOrAnUnknownTokenAndLimitFailedLookups()
    {
        var (patient, email, _) = await PatientAsync();
        await _desk.DataAsync(Send, "sendIntakeLink", new { input = new { patientId = patient, formKey = _mood } });
        var token = TokenIn((await MailAsync(email)).Body);
        var other = await _host.CreateTenantAsync("intake-other");
        var secret = token[(token.IndexOf('.') + 1)..];
        var scanner = "198.51.100." + Random.Shared.Next(1, 250);

        foreach (var wrong in new[] { $"{other.Slug}.{secret}", $"{_tenant.Slug}.{new string('A', 43)}", "not-a-token", $"{_tenant.Slug}.{secret[..^1]}" })
        {
            Assert.Equal(IntakeRefusal.Unknown, (await Services<OpenIntakeForm>().HandleAsync(wrong, scanner, default)).Refusal);
        }

        await using (var sql = await _host.OpenSqlAsync())
        {
            Assert.Equal(4, await sql.CountAsync($"SELECT count(*) FROM platform.security_events WHERE event = 'intake-link.open' AND client_address = '{scanner}' AND outcome = 'failure'"));
        }

        // The fifth failure reaches the limit: from that address even a good link waits; from another it opens.
        Assert.Equal(IntakeRefusal.Unknown, (await Services<OpenIntakeForm>().HandleAsync("still-not-a-token", scanner, default)).Refusal);
        Assert.Equal(IntakeRefusal.RateLimited, (await Services<OpenIntakeForm>().HandleAsync(token, scanner, default)).Refusal);
        Assert.True((await OpenAsync(token)).IsOpen);
        var before = _clock.Now;
        try
        {
            _clock.Advance(TimeSpan.FromMinutes(16));
            Assert.True((await Services<OpenIntakeForm>().HandleAsync(token, scanner, default)).IsOpen);
        }
        finally
        {
            _clock.Now = before;
        }
    }

    [Fact]
    public async Task GiveTheLinkItsResponseAndNothingElse()
    {
        var (patient, email, family) = await PatientAsync();
        var sent = await _desk.DataAsync(Send, "sendIntakeLink", new { input = new { patientId = patient, formKey = _mood } });
        var token = TokenIn((await MailAsync(email)).Body);
        var otherResponse = await _desk.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = _mood } });

        var opened = (await OpenAsync(token)).Value!;
        Assert.Equal(sent["response"]!.Id(), opened.Response.Response.Id.ToString());
        Assert.DoesNotContain(family, opened.Response.Response.Current.Content, StringComparison.Ordinal);

        var sessions = Services<IntakeLinkSessions>();
        var outcome = await sessions.RunAsync(token, Here, async (services, link, ct) =>
        {
            var actors = services.GetRequiredService<ActorContext>();
            Assert.Equal(($"intake-link:{sent["link"]!.Id()}", "PATRQT"), (actors.Current.Id, actors.Current.Purpose));
            Assert.Equal([Permissions.FormRespond], actors.GrantedPermissions());
            var id = Guid.Parse(patient);
            var refusals = new List<string>();
            foreach (var attempt in new Func<Task>[]
                     {
                         () => services.GetRequiredService<GetPatient>().HandleAsync(id, ct),
                         () => services.GetRequiredService<GetFormResponse>().HandleAsync(Guid.Parse(otherResponse.Id()), ct),
                         () => services.GetRequiredService<ListFormResponses>().HandleAsync(new FormResponseQuery(id), ct),
                         () => services.GetRequiredService<ListIntakeLinks>().HandleAsync(id, ct),
                         () => services.GetRequiredService<FindFormVersions>().SearchAsync(new FormVersionQuery(), ct),
                         () => services.GetRequiredService<SendIntakeLink>().HandleAsync(new SendIntakeLinkInput(id, _mood, null, null, null, null), ct),
                     })
            {
                refusals.Add((await Assert.ThrowsAsync<EhrException>(attempt)).Code);
            }

            return refusals;
        }, default);
        Assert.Equal(Enumerable.Repeat(ErrorCodes.Forbidden, 6), outcome.Value!);

        // A restricted record: the patient is never outside their own care team.
        (await _admin.GraphQLAsync(AccessGraph.Restrict, new { id = patient, v = 1, restriction = "vip", careTeam = SomebodyElse })).DataOrThrow.ToString();
        var completed = await Services<CompleteIntakeForm>().HandleAsync(token, opened.Response.Response.Version, Response(Item("mood", Coded("good"))), Here, default);
        Assert.Equal("completed", completed.Value!.Response.Response.Status);
        await using var sql = await TenantSqlAsync();
        Assert.Equal(1, await sql.CountAsync($"SELECT count(*) FROM form_responses WHERE id = '{otherResponse.Id()}' AND status = 'in-progress' AND version = 1"));
    }

    [Fact]
    public async Task RefuseToSendWithoutAnAddressOrToTheWrongPeopleAndStoreNothing()
    {
        var withoutEmail = (await _desk.RegisterAsync(PatientGraph.Input("No", "Mail" + Guid.NewGuid().ToString("N")[..6])))["id"]!.GetValue<string>();
        foreach (var (input, code, path) in new (object, string, string)[]
                 {
                     (new { patientId = withoutEmail, formKey = _mood }, "VALIDATION_FAILED", "input.email"),
                     (new { patientId = withoutEmail, formKey = _mood, email = "not an address" }, "VALIDATION_FAILED", "input.email"),
                     (new { patientId = withoutEmail, formKey = "no-such-form" }, "VALIDATION_FAILED", "input.formKey"),
                     (new { patientId = Guid.NewGuid().ToString(), formKey = _mood, email = "x@example.org" }, "NOT_FOUND", ""),
                 })
        {
            var result = await _desk.GraphQLAsync(Send, new { input });
            Assert.Equal((code, path), (result.Code, result.FieldPaths.Count > 0 ? result.FieldPaths[0] : ""));
        }

        var (patient, _, _) = await PatientAsync();
        using var own = _host.Client(_host.PatientToken(_tenant.Slug, "patient.intake", Guid.Parse(patient)));
        Assert.Equal("FORBIDDEN", (await own.GraphQLAsync(Send, new { input = new { patientId = patient, formKey = _mood } })).Code);
        using var biller = _host.Client(_host.Token(_tenant.Slug, "biller.intake", "biller"));
        Assert.Equal("FORBIDDEN", (await biller.GraphQLAsync(Send, new { input = new { patientId = patient, formKey = _mood } })).Code);
        (await _admin.GraphQLAsync(AccessGraph.Restrict, new { id = patient, v = 1, restriction = "employee", careTeam = SomebodyElse })).DataOrThrow.ToString();
        Assert.Equal("RESTRICTED_RECORD", (await _desk.GraphQLAsync(Send, new { input = new { patientId = patient, formKey = _mood } })).Code);
        Assert.Equal("RESTRICTED_RECORD", (await _desk.GraphQLAsync(Links, new { p = patient })).Code);

        await using var sql = await TenantSqlAsync();
        Assert.Equal(0, await sql.CountAsync($"SELECT count(*) FROM intake_links WHERE patient_id IN ('{withoutEmail}', '{patient}')"));
        Assert.Equal(0, await sql.CountAsync($"SELECT count(*) FROM form_responses WHERE patient_id IN ('{withoutEmail}', '{patient}')"));
        await using var platform = await _host.OpenSqlAsync();
        Assert.Equal(0, await platform.CountAsync($"SELECT count(*) FROM platform.email_outbox WHERE tenant_id = '{_tenant.Id}' AND to_address IN ('not an address', 'x@example.org')"));
    }

    private T Services<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    private Task<IntakeOutcome<IntakeForm>> OpenAsync(string token) => Services<OpenIntakeForm>().HandleAsync(token, Here, default);

    private async Task<(string Id, string Email, string Family)> PatientAsync()
    {
        var family = "Intake" + Guid.NewGuid().ToString("N")[..6];
        var email = $"{family.ToLowerInvariant()}@example.org";
        var patient = await _desk.RegisterAsync(PatientGraph.Input("Ada", family, telecom: [new { system = "email", value = email }]));
        return (patient.Id(), email, family);
    }

    private async Task<JsonArray> LinksAsync(string patient) => (await _desk.DataAsync(Links, "intakeLinks", new { p = patient })).AsArray();

    private async Task<(string Subject, string Body)> MailAsync(string address)
    {
        await using var sql = await _host.OpenSqlAsync();
        await using var cmd = new NpgsqlCommand("SELECT subject, body FROM platform.email_outbox WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1", sql);
        cmd.Parameters.AddWithValue(address);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no e-mail to " + address);
        return (reader.GetString(0), reader.GetString(1));
    }

    private static string TokenIn(string body) => LinkPattern().Match(body) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException("No link in: " + body);

    [GeneratedRegex(@"/intake/(\S+)")]
    private static partial Regex LinkPattern();

    private async Task<IReadOnlyList<(string Action, string Actor, string Outcome)>> AuditAsync(string resourceId) =>
        (await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id, first: 100) { edges { node { action actorId outcome } } } }", new { id = resourceId }))
        .DataOrThrow["auditLog"]!["edges"]!.AsArray()
        .Select(e => (e!["node"]!["action"]!.GetValue<string>(), e["node"]!["actorId"]!.GetValue<string>(), e["node"]!["outcome"]!.GetValue<string>())).ToList();

    private async Task<NpgsqlConnection> TenantSqlAsync()
    {
        var sql = await _host.OpenSqlAsync();
        await sql.ExecAsync($"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}");
        return sql;
    }
}
