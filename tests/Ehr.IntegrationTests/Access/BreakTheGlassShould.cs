using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Tenancy.ProvisioningShould;

namespace Ehr.IntegrationTests.Access;

/// <summary>Restricted records: the care team reads them; anyone else breaks the glass, on the record.</summary>
public sealed class BreakTheGlassShould : IAsyncLifetime
{
    private const string Reason = "Unconscious in the emergency department, no care team reachable";

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _admin = null!;
    private HttpClient _auditor = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("glass", "dermatology");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin.glass", "tenant-admin"));
        _auditor = _host.Client(_host.Token(_tenant.Slug, "auditor.glass", "auditor"));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        _auditor.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task LetOnlyTheCareTeamReadARestrictedRecord()
    {
        var (id, _) = await RestrictedPatientAsync("dr.team");
        using var team = _host.Client(_host.Token(_tenant.Slug, "dr.team", "physician"));
        using var outsider = _host.Client(_host.Token(_tenant.Slug, "dr.outside", "physician"));

        var byTeam = await team.GraphQLAsync(PatientGraph.Get, new { id });
        var byOutsider = await outsider.GraphQLAsync(PatientGraph.Get, new { id });
        var updateByOutsider = await outsider.GraphQLAsync(PatientGraph.Update, new { id, v = 2, input = PatientGraph.Input("Vip", "Changed") });

        Assert.Equal(id, byTeam.DataOrThrow["patient"]!.Id());
        Assert.Equal("RESTRICTED_RECORD", byOutsider.Code);
        Assert.Null(byOutsider.Data?["patient"]);
        Assert.Equal("RESTRICTED_RECORD", updateByOutsider.Code);
        var refused = await AuditAsync(id, "patient.read");
        Assert.Contains(refused, e => e["actorId"]!.GetValue<string>() == "dr.outside" && e["outcome"]!.GetValue<string>() == "restricted");
    }

    [Fact]
    public async Task ShowRestrictedSearchMatchesAsIdsWithoutDetails()
    {
        var (id, family) = await RestrictedPatientAsync("dr.team");
        var open = (await _admin.RegisterAsync(PatientGraph.Input("Open", family))).Id();
        using var outsider = _host.Client(_host.Token(_tenant.Slug, "dr.search", "physician"));
        using var team = _host.Client(_host.Token(_tenant.Slug, "dr.team", "physician"));

        var asOutsider = (await outsider.GraphQLAsync(AccessGraph.SearchWithRestricted, new { name = family })).DataOrThrow["patients"]!;
        var asTeam = (await team.GraphQLAsync(AccessGraph.SearchWithRestricted, new { name = family })).DataOrThrow["patients"]!;

        Assert.Equal([open], asOutsider["nodes"]!.AsArray().Select(n => n!.Id()));
        Assert.Equal([id], asOutsider["restrictedMatches"]!.AsArray().Select(n => n!.GetValue<string>()));
        // The restricted patient appears once, as a bare id: no node, no name.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(asOutsider.ToJsonString(), id));
        Assert.Equal(2, asTeam["nodes"]!.AsArray().Count);
        Assert.Empty(asTeam["restrictedMatches"]!.AsArray());
    }

    [Fact]
    public async Task GrantTimeLimitedAccessAndFlagTheAuditEntry()
    {
        var (id, _) = await RestrictedPatientAsync("dr.team");
        using var er = _host.Client(_host.Token(_tenant.Slug, "dr.er", "physician"));

        var grant = (await er.GraphQLAsync(AccessGraph.BreakGlass, new { id, reason = Reason })).DataOrThrow["breakGlass"]!;
        var read = await er.GraphQLAsync(PatientGraph.Get, new { id });

        var lifetime = grant["expiresAt"]!.GetValue<DateTimeOffset>() - grant["grantedAt"]!.GetValue<DateTimeOffset>();
        Assert.Equal(TimeSpan.FromMinutes(60), lifetime);
        Assert.Equal(id, read.DataOrThrow["patient"]!.Id());
        var flagged = Assert.Single(await AuditAsync(id, "patient.break_glass"));
        var details = JsonNode.Parse(flagged["details"]!.GetValue<string>())!;
        Assert.Equal("dr.er", flagged["actorId"]!.GetValue<string>());
        Assert.True(details["flagged"]!.GetValue<bool>());
        Assert.Equal(Reason, details["reason"]!.GetValue<string>());
        Assert.Equal(grant.Id(), details["grantId"]!.GetValue<string>());
        var underGrant = (await AuditAsync(id, "patient.read")).Where(e => e["actorId"]!.GetValue<string>() == "dr.er").ToList();
        Assert.Equal(grant.Id(), JsonNode.Parse(Assert.Single(underGrant)["details"]!.GetValue<string>())!["breakGlassGrant"]!.GetValue<string>());
    }

    [Fact]
    public async Task LetThePatientReadTheirOwnRestrictedRecord()
    {
        var (id, _) = await RestrictedPatientAsync("dr.team");
        using var portal = _host.Client(_host.PatientToken(_tenant.Slug, "vip.self", Guid.Parse(id)));

        var own = await portal.GraphQLAsync(PatientGraph.Get, new { id });

        Assert.Equal(id, own.DataOrThrow["patient"]!.Id());
    }

    [Fact]
    public async Task ShowTheRecordInSearchResultsUnderAGrant()
    {
        var (id, family) = await RestrictedPatientAsync("dr.team");
        using var er = _host.Client(_host.Token(_tenant.Slug, "dr.er.search", "physician"));
        var before = (await er.GraphQLAsync(AccessGraph.SearchWithRestricted, new { name = family })).DataOrThrow["patients"]!;
        (await er.GraphQLAsync(AccessGraph.BreakGlass, new { id, reason = Reason })).DataOrThrow.ToString();

        var after = (await er.GraphQLAsync(AccessGraph.SearchWithRestricted, new { name = family })).DataOrThrow["patients"]!;

        Assert.Empty(before["nodes"]!.AsArray());
        Assert.Equal([id], after["nodes"]!.AsArray().Select(n => n!.Id()));
        Assert.Empty(after["restrictedMatches"]!.AsArray());
    }

    [Fact]
    public async Task NotifyTheAuditorsWhoMarkTheAlertRead()
    {
        var (id, _) = await RestrictedPatientAsync("dr.team");
        using var er = _host.Client(_host.Token(_tenant.Slug, "dr.notify", "nurse"));
        var grant = (await er.GraphQLAsync(AccessGraph.BreakGlass, new { id, reason = Reason, minutes = 15 })).DataOrThrow["breakGlass"]!;

        var alerts = (await _auditor.GraphQLAsync(AccessGraph.Notifications, new { unread = true })).DataOrThrow["notifications"]!.AsArray();
        var alert = alerts.Single(n => JsonNode.Parse(n!["payload"]!.GetValue<string>())!["grantId"]!.GetValue<string>() == grant.Id())!;
        var marked = (await _auditor.GraphQLAsync(AccessGraph.MarkRead, new { id = alert.Id() })).DataOrThrow["markNotificationRead"]!;
        var unreadAfter = (await _auditor.GraphQLAsync(AccessGraph.Notifications, new { unread = true })).DataOrThrow["notifications"]!.AsArray();
        var byNurse = await er.GraphQLAsync(AccessGraph.Notifications, new { unread = true });

        Assert.Equal(("auditor", "break_glass"), (alert["recipientRole"]!.GetValue<string>(), alert["kind"]!.GetValue<string>()));
        var payload = JsonNode.Parse(alert["payload"]!.GetValue<string>())!;
        Assert.Equal(("dr.notify", id, Reason), (payload["actorId"]!.GetValue<string>(), payload["patientId"]!.GetValue<string>(), payload["reason"]!.GetValue<string>()));
        Assert.Equal("auditor.glass", marked["readBy"]!.GetValue<string>());
        Assert.DoesNotContain(unreadAfter, n => n!.Id() == alert.Id());
        Assert.Equal("FORBIDDEN", byNurse.Code);
    }

    [Fact]
    public async Task RefuseAnExpiredGrant()
    {
        var (id, _) = await RestrictedPatientAsync("dr.team");
        using var er = _host.Client(_host.Token(_tenant.Slug, "dr.expired", "physician"));
        var grant = (await er.GraphQLAsync(AccessGraph.BreakGlass, new { id, reason = Reason, minutes = 5 })).DataOrThrow["breakGlass"]!;
        Assert.Null((await er.GraphQLAsync(PatientGraph.Get, new { id })).Errors);

        // Time passing, without waiting: the owner moves the grant into the past (the tenant role cannot change grants).
        await using (var sql = await _host.OpenSqlAsync())
        {
            await Exec(sql, $"SET ROLE ehr_owner; UPDATE {_tenant.SchemaName}.break_glass_grants SET granted_at = now() - interval '2 hours', expires_at = now() - interval '1 hour' WHERE id = '{grant.Id()}'");
        }

        var afterExpiry = await er.GraphQLAsync(PatientGraph.Get, new { id });

        Assert.Equal("RESTRICTED_RECORD", afterExpiry.Code);
    }

    [Fact]
    public async Task NotLetTheTenantRoleExtendOrRemoveAGrant()
    {
        var (id, _) = await RestrictedPatientAsync("dr.team");
        using var er = _host.Client(_host.Token(_tenant.Slug, "dr.tamper", "physician"));
        var grant = (await er.GraphQLAsync(AccessGraph.BreakGlass, new { id, reason = Reason })).DataOrThrow["breakGlass"]!;
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_tenant.SchemaName}");

        var extend = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            Exec(sql, $"UPDATE {_tenant.SchemaName}.break_glass_grants SET expires_at = expires_at + interval '1 day' WHERE id = '{grant.Id()}'"));
        var remove = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            Exec(sql, $"DELETE FROM {_tenant.SchemaName}.break_glass_grants WHERE id = '{grant.Id()}'"));

        Assert.Equal("42501", extend.SqlState);
        Assert.Equal("42501", remove.SqlState);
    }

    [Theory]
    [InlineData("too short", 60, "reason")]
    [InlineData("   padded    ", 60, "reason")]
    [InlineData(null, 60, "reason")]
    [InlineData(Reason, 0, "minutes")]
    [InlineData(Reason, 241, "minutes")]
    public async Task RefuseABadReasonOrLifetimeAndWriteNothing(string? reason, int minutes, string path)
    {
        var (id, _) = await RestrictedPatientAsync("dr.team");
        using var er = _host.Client(_host.Token(_tenant.Slug, "dr.bad", "physician"));
        var before = await CountAsync("break_glass_grants") + await CountAsync("notifications");

        var result = await er.GraphQLAsync(AccessGraph.BreakGlass, new { id, reason = reason ?? new string('x', 501), minutes });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal([path], result.FieldPaths);
        Assert.Equal(before, await CountAsync("break_glass_grants") + await CountAsync("notifications"));
        Assert.Equal("RESTRICTED_RECORD", (await er.GraphQLAsync(PatientGraph.Get, new { id })).Code);
    }

    [Fact]
    public async Task NotBreakTheGlassOnAnotherTenantsPatient()
    {
        var other = await _host.CreateTenantAsync("glass-b", "dermatology");
        using var otherDoctor = _host.Client(_host.Token(other.Slug, "dr.b", "physician"));
        var (id, _) = await RestrictedPatientAsync("dr.team");

        var result = await otherDoctor.GraphQLAsync(AccessGraph.BreakGlass, new { id, reason = Reason });

        Assert.Equal("NOT_FOUND", result.Code);
    }

    [Fact]
    public async Task ManageRestrictionsOnlyWithPatientRestrictAndTheCurrentVersion()
    {
        var id = (await _admin.RegisterAsync(PatientGraph.Input("Emp", "Loyee" + Guid.NewGuid().ToString("N")[..6]))).Id();
        using var nurse = _host.Client(_host.Token(_tenant.Slug, "nurse.restrict", "nurse"));

        var byNurse = await nurse.GraphQLAsync(AccessGraph.Restrict, new { id, v = 1, restriction = "employee", careTeam = Team("nurse.restrict") });
        var bad = await _admin.GraphQLAsync(AccessGraph.Restrict, new { id, v = 1, restriction = "celebrity", careTeam = Team("dr.a", "dr.a") });
        var ok = await _admin.GraphQLAsync(AccessGraph.Restrict, new { id, v = 1, restriction = "employee", careTeam = Team("dr.a") });
        var stale = await _admin.GraphQLAsync(AccessGraph.Restrict, new { id, v = 1, restriction = (string?)null, careTeam = Array.Empty<string>() });

        Assert.Equal("FORBIDDEN", byNurse.Code);
        Assert.Equal(["restriction", "careTeam[1]"], bad.FieldPaths);
        Assert.Equal(("employee", 2), (ok.DataOrThrow["setPatientRestriction"]!["restriction"]!.GetValue<string>(), ok.DataOrThrow["setPatientRestriction"]!["version"]!.GetValue<int>()));
        Assert.Equal("VERSION_CONFLICT", stale.Code);
        var audit = Assert.Single(await AuditAsync(id, "patient.restrict"));
        Assert.Contains("dr.a", audit["details"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("RESTRICTED_RECORD", (await nurse.GraphQLAsync(PatientGraph.Get, new { id })).Code);
    }

    private static string[] Team(params string[] members) => members;

    private async Task<(string Id, string Family)> RestrictedPatientAsync(params string[] careTeam)
    {
        var family = "Vip" + Guid.NewGuid().ToString("N")[..8];
        var id = (await _admin.RegisterAsync(PatientGraph.Input("Vip", family))).Id();
        (await _admin.GraphQLAsync(AccessGraph.Restrict, new { id, v = 1, restriction = "vip", careTeam })).DataOrThrow.ToString();
        return (id, family);
    }

    private async Task<List<JsonNode>> AuditAsync(string id, string action) =>
        (await _admin.GraphQLAsync("query($id: String, $action: String) { auditLog(resourceId: $id, action: $action, first: 200) { edges { node { action actorId outcome details } } } }", new { id, action }))
        .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();

    private async Task<long> CountAsync(string table)
    {
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_tenant.SchemaName}");
        return await Scalar<long>(sql, $"SELECT count(*) FROM {_tenant.SchemaName}.{table}");
    }
}
