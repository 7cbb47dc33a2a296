using System.Text.Json.Nodes;
using Ehr.Clinical.Observations;
using Ehr.IntegrationTests.Access;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.IntegrationTests.Observations;

/// <summary>Observations in the chart: recorded, listed as trends, corrected by entered-in-error, never deleted, access-checked and audited.</summary>
public sealed class ObservationsShould : IAsyncLifetime
{
    private const string Loinc = "http://loinc.org";
    private static readonly string[] CareTeam = ["dr.obs"];
    private const string Fields = "id patientId status code { system code display } value { type valueQuantity { value unit code } valueInteger valueString valueBoolean valueCoding { system code } valueDateTime } effectiveAt derivedFrom recordedBy errorReason version";
    private const string Record = "mutation($input: ObservationInput!) { recordObservation(input: $input) { " + Fields + " } }";
    private const string List = "query($p: ID!, $system: String, $code: String, $all: Boolean, $first: Int, $after: String) { observations(patientId: $p, codeSystem: $system, code: $code, includeEnteredInError: $all, first: $first, after: $after) { nodes { " + Fields + " } pageInfo { hasNextPage endCursor } } }";
    private const string MarkError = "mutation($id: ID!, $v: Int!, $reason: String!) { markObservationEnteredInError(id: $id, expectedVersion: $v, reason: $reason) { " + Fields + " } }";

    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _doctor = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("obs");
        _doctor = _host.Client(_host.Token(_tenant.Slug, "dr.obs", "physician"));
    }

    public Task DisposeAsync()
    {
        _doctor.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RecordTypedValuesAndListThemNewestFirstByCode()
    {
        var patient = await PatientAsync();
        var now = DateTimeOffset.UtcNow;
        await RecordAsync(patient, "8480-6", new { valueQuantity = new { value = 128.5m, unit = "mmHg", code = "mm[Hg]" } }, now.AddHours(-3));
        await RecordAsync(patient, "44261-6", new { valueInteger = 9 }, now.AddHours(-2));
        await RecordAsync(patient, "8480-6", new { valueQuantity = new { value = 121m, unit = "mmHg", code = "mm[Hg]" } }, now.AddHours(-1));
        var smoking = await RecordAsync(patient, "72166-2", new { valueCoding = new { system = "http://snomed.info/sct", code = "8517006" } }, now);

        var all = await ListAsync(new { p = patient });
        Assert.Equal(["72166-2", "8480-6", "44261-6", "8480-6"], all.Select(o => o["code"]!["code"]!.GetValue<string>()));
        Assert.Equal("coding", smoking["value"]!["type"]!.GetValue<string>());
        Assert.Equal("8517006", smoking["value"]!["valueCoding"]!["code"]!.GetValue<string>());
        Assert.Equal("dr.obs", smoking["recordedBy"]!.GetValue<string>());

        var systolic = await ListAsync(new { p = patient, system = Loinc, code = "8480-6" });
        Assert.Equal([121m, 128.5m], systolic.Select(o => o["value"]!["valueQuantity"]!["value"]!.GetValue<decimal>()));
        Assert.All(systolic, o => Assert.Equal("mm[Hg]", o["value"]!["valueQuantity"]!["code"]!.GetValue<string>()));
        Assert.Equal(9, all[2]["value"]!["valueInteger"]!.GetValue<int>());
    }

    [Fact]
    public async Task PageWithAKeysetCursor()
    {
        var patient = await PatientAsync();
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        for (var i = 0; i < 5; i++)
        {
            await RecordAsync(patient, "29463-7", new { valueQuantity = new { value = 70m + i, unit = "kg", code = "kg" } }, start.AddHours(i));
        }

        var seen = new List<decimal>();
        string? after = null;
        for (var page = 0; page < 3; page++)
        {
            var result = (await _doctor.GraphQLAsync(List, new { p = patient, first = 2, after })).DataOrThrow["observations"]!;
            seen.AddRange(result["nodes"]!.AsArray().Select(o => o!["value"]!["valueQuantity"]!["value"]!.GetValue<decimal>()));
            after = result["pageInfo"]!["endCursor"]?.GetValue<string>();
            Assert.Equal(page < 2, result["pageInfo"]!["hasNextPage"]!.GetValue<bool>());
        }

        Assert.Equal([74m, 73m, 72m, 71m, 70m], seen);
        var bad = await _doctor.GraphQLAsync(List, new { p = patient, after = "not-a-cursor" });
        Assert.Equal("VALIDATION_FAILED", bad.Code);
        Assert.Equal(["after"], bad.FieldPaths);
    }

    [Theory]
    [InlineData("no-code")]
    [InlineData("bad-system")]
    [InlineData("no-value")]
    [InlineData("two-values")]
    [InlineData("quantity-without-number")]
    [InlineData("future")]
    [InlineData("empty-string")]
    public async Task RefuseABadObservationWithItsFieldPathAndStoreNothing(string problem)
    {
        var patient = await PatientAsync();
        var code = new { system = Loinc, code = "8480-6" };
        object input = problem switch
        {
            "no-code" => new { patientId = patient, value = new { valueInteger = 1 } },
            "bad-system" => new { patientId = patient, code = new { system = "loinc", code = "8480-6" }, value = new { valueInteger = 1 } },
            "no-value" => new { patientId = patient, code },
            "two-values" => new { patientId = patient, code, value = new { valueInteger = 1, valueString = "one" } },
            "quantity-without-number" => new { patientId = patient, code, value = new { valueQuantity = new { unit = "mmHg" } } },
            "future" => new { patientId = patient, code, value = new { valueInteger = 1 }, effectiveAt = DateTimeOffset.UtcNow.AddHours(2) },
            _ => new { patientId = patient, code, value = new { valueString = "   " } },
        };
        string expectedPath = problem switch
        {
            "no-code" => "input.code",
            "bad-system" => "input.code.system",
            "no-value" or "two-values" => "input.value",
            "quantity-without-number" => "input.value.valueQuantity.value",
            "future" => "input.effectiveAt",
            _ => "input.value.valueString",
        };

        var result = await _doctor.GraphQLAsync(Record, new { input });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal([expectedPath], result.FieldPaths);
        Assert.Empty(await ListAsync(new { p = patient, all = true }));
    }

    [Fact]
    public async Task RefuseAnUnknownPatient()
    {
        var result = await _doctor.GraphQLAsync(Record, new { input = new { patientId = Guid.NewGuid(), code = new { system = Loinc, code = "8480-6" }, value = new { valueInteger = 1 } } });
        Assert.Equal("NOT_FOUND", result.Code);
    }

    [Fact]
    public async Task LeaveChartWritingToClinicians()
    {
        var patient = await PatientAsync();
        var input = new { patientId = patient, code = new { system = Loinc, code = "8480-6" }, value = new { valueInteger = 1 } };
        using var frontDesk = _host.Client(_host.Token(_tenant.Slug, "desk.obs", "front-desk"));
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.obs", "tenant-admin"));
        using var self = _host.Client(_host.PatientToken(_tenant.Slug, "patient.obs", Guid.Parse(patient)));

        Assert.Equal("FORBIDDEN", (await frontDesk.GraphQLAsync(Record, new { input })).Code);
        Assert.Equal("FORBIDDEN", (await admin.GraphQLAsync(Record, new { input })).Code);
        Assert.Equal("FORBIDDEN", (await self.GraphQLAsync(Record, new { input })).Code);
        using var nurse = _host.Client(_host.Token(_tenant.Slug, "nurse.obs", "nurse"));
        Assert.Null((await nurse.GraphQLAsync(Record, new { input })).Code);
    }

    [Fact]
    public async Task LetAPatientReadOnlyTheirOwnObservations()
    {
        var mine = await PatientAsync();
        var other = await PatientAsync();
        await RecordAsync(mine, "8302-2", new { valueQuantity = new { value = 172m, unit = "cm", code = "cm" } }, DateTimeOffset.UtcNow);
        await RecordAsync(other, "8302-2", new { valueQuantity = new { value = 180m, unit = "cm", code = "cm" } }, DateTimeOffset.UtcNow);
        using var self = _host.Client(_host.PatientToken(_tenant.Slug, "patient.own", Guid.Parse(mine)));

        var own = (await self.GraphQLAsync(List, new { p = mine })).DataOrThrow["observations"]!["nodes"]!.AsArray();
        Assert.Equal(172m, Assert.Single(own)!["value"]!["valueQuantity"]!["value"]!.GetValue<decimal>());
        Assert.Equal("NOT_FOUND", (await self.GraphQLAsync(List, new { p = other })).Code);
    }

    [Fact]
    public async Task KeepAnObservationMarkedEnteredInErrorWithItsReason()
    {
        var patient = await PatientAsync();
        var wrong = await RecordAsync(patient, "8310-5", new { valueQuantity = new { value = 73.9m, unit = "Cel", code = "Cel" } }, DateTimeOffset.UtcNow);
        var id = wrong["id"]!.GetValue<string>();

        Assert.Equal("VALIDATION_FAILED", (await _doctor.GraphQLAsync(MarkError, new { id, v = 1, reason = "x" })).Code);
        Assert.Equal("VERSION_CONFLICT", (await _doctor.GraphQLAsync(MarkError, new { id, v = 7, reason = "Typed Fahrenheit into Celsius" })).Code);
        var marked = (await _doctor.GraphQLAsync(MarkError, new { id, v = 1, reason = "Typed Fahrenheit into Celsius" })).DataOrThrow["markObservationEnteredInError"]!;
        Assert.Equal("entered-in-error", marked["status"]!.GetValue<string>());
        Assert.Equal(2, marked["version"]!.GetValue<int>());
        Assert.Equal("CONFLICT", (await _doctor.GraphQLAsync(MarkError, new { id, v = 2, reason = "Typed Fahrenheit into Celsius" })).Code);

        Assert.Empty(await ListAsync(new { p = patient }));
        var kept = Assert.Single(await ListAsync(new { p = patient, all = true }));
        Assert.Equal("Typed Fahrenheit into Celsius", kept["errorReason"]!.GetValue<string>());

        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.obs", "tenant-admin"));
        var audit = (await admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action actorId } } } }", new { id }))
            .DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(["observation.entered-in-error", "observation.create"], audit);

        // The database itself refuses to delete a chart fact, whatever the application does.
        await using var sql = await _host.OpenSqlAsync();
        await using (var role = new Npgsql.NpgsqlCommand($"SET ROLE {_tenant.SchemaName}", sql))
        {
            await role.ExecuteNonQueryAsync();
        }

        await using var delete = new Npgsql.NpgsqlCommand($"DELETE FROM {_tenant.SchemaName}.observations WHERE id = '{id}'", sql);
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => delete.ExecuteNonQueryAsync());
        Assert.Equal(Npgsql.PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task RefuseARestrictedPatientsChartOutsideTheCareTeam()
    {
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.obs", "tenant-admin"));
        var patient = await PatientAsync();
        await RecordAsync(patient, "8302-2", new { valueQuantity = new { value = 160m, unit = "cm", code = "cm" } }, DateTimeOffset.UtcNow);
        (await admin.GraphQLAsync(AccessGraph.Restrict, new { id = patient, v = 1, restriction = "vip", careTeam = CareTeam })).DataOrThrow.ToString();
        using var outsider = _host.Client(_host.Token(_tenant.Slug, "dr.outside", "physician"));

        Assert.Equal("RESTRICTED_RECORD", (await outsider.GraphQLAsync(List, new { p = patient })).Code);
        Assert.Equal("RESTRICTED_RECORD", (await outsider.GraphQLAsync(Record, new { input = new { patientId = patient, code = new { system = Loinc, code = "8302-2" }, value = new { valueInteger = 1 } } })).Code);
        Assert.Single(await ListAsync(new { p = patient }));
    }

    [Fact]
    public async Task AddDerivedObservationsInTheCallersTransaction()
    {
        var patient = Guid.Parse(await PatientAsync());
        var derived = new DerivedObservation(
            new ObservationInput(patient, new CodingInput(Loinc, "44261-6", "PHQ-9 total score"), new ObservationValueInput(ValueInteger: 12)),
            "QuestionnaireResponse/" + Guid.NewGuid(), "phq9-total");

        // The caller's transaction fails after the extraction: nothing of it stays.
        await Assert.ThrowsAsync<InvalidOperationException>(() => AsPatientAsync(patient, async (db, record) =>
            await db.InTransactionAsync<int>(async ct =>
            {
                await record.RecordDerivedAsync([derived], ct);
                throw new InvalidOperationException("the response could not be stored");
            }, CancellationToken.None)));
        Assert.Empty(await ListAsync(new { p = patient }));

        // A patient adds what their own form produced, and nothing to anyone else's chart.
        await AsPatientAsync(patient, async (db, record) => await db.InTransactionAsync(async ct => await record.RecordDerivedAsync([derived], ct), CancellationToken.None));
        var stored = Assert.Single(await ListAsync(new { p = patient }));
        Assert.Equal(derived.DerivedFrom, stored["derivedFrom"]!.GetValue<string>());
        var other = Guid.Parse(await PatientAsync());
        await Assert.ThrowsAsync<Ehr.Platform.Errors.EhrException>(() => AsPatientAsync(patient, (_, record) =>
            record.RecordDerivedAsync([derived with { Input = derived.Input with { PatientId = other } }], CancellationToken.None)));
    }

    private async Task<T> AsPatientAsync<T>(Guid patient, Func<TenantDbContext, RecordObservation, Task<T>> work)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(_tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(
            new Actor("patient.derived", _tenant.Slug, [Permissions.PatientRole], "127.0.0.1", PurposeOfUse.Treatment) { PatientIds = [patient] });
        return await work(scope.ServiceProvider.GetRequiredService<TenantDbContext>(), scope.ServiceProvider.GetRequiredService<RecordObservation>());
    }

    private async Task<string> PatientAsync() =>
        (await _doctor.RegisterAsync(PatientGraph.Input("Obs", "Patient" + Guid.NewGuid().ToString("N")[..6])))["id"]!.GetValue<string>();

    private async Task<JsonNode> RecordAsync(object patient, string code, object value, DateTimeOffset effectiveAt) =>
        (await _doctor.GraphQLAsync(Record, new { input = new { patientId = patient, code = new { system = Loinc, code }, value, effectiveAt } }))
        .DataOrThrow["recordObservation"]!;

    private async Task<List<JsonNode>> ListAsync(object variables) =>
        (await _doctor.GraphQLAsync(List, variables)).DataOrThrow["observations"]!["nodes"]!.AsArray().Select(n => n!).ToList();
}
