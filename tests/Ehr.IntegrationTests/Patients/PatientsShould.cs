using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Tenancy.ProvisioningShould;

namespace Ehr.IntegrationTests.Patients;

public sealed class PatientsShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("patients", "dermatology");
        _client = _host.Client(_host.Token(_tenant.Slug, "dr.house", "physician"));
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RegisterAPatientWithASystemAssignedMrnAndNormalisedContacts()
    {
        var created = await _client.RegisterAsync(PatientGraph.Input("Ada", "Lovelace", telecom:
        [
            new { system = "phone", value = "(312) 555-0142", use = "mobile" },
            new { system = "email", value = "Ada@Example.org" },
        ]));

        Assert.Matches("^[0-9]{8,}$", created["mrn"]!.GetValue<string>());
        Assert.Equal(1, created["version"]!.GetValue<int>());
        Assert.Equal("+13125550142", created["telecom"]![0]!["value"]!.GetValue<string>());
        Assert.Equal("ada@example.org", created["telecom"]![1]!["value"]!.GetValue<string>());
        var read = (await _client.GraphQLAsync(PatientGraph.Get, new { id = created["id"]!.GetValue<string>() })).DataOrThrow["patient"]!;
        Assert.Equal(created.ToJsonString(), read.ToJsonString());
    }

    [Theory]
    [InlineData("missing-name", "input.name")]
    [InlineData("blank-family", "input.name.family")]
    [InlineData("future-birth", "input.birthDate")]
    [InlineData("impossible-birth", "input.birthDate")]
    [InlineData("bad-sex", "input.administrativeSex")]
    [InlineData("bad-phone", "input.telecom[0].value")]
    [InlineData("bad-email", "input.telecom[1].value")]
    [InlineData("unknown-location", "input.homeLocationId")]
    [InlineData("oversize-given", "input.name.given")]
    [InlineData("control-chars", "input.name.family")]
    public async Task RefuseInvalidInputNamingTheFieldAndStoreNothing(string problem, string path)
    {
        var before = await CountAsync();
        object input = problem switch
        {
            "missing-name" => new { birthDate = "1980-01-01", administrativeSex = "female" },
            "blank-family" => PatientGraph.Input("Ada", "   "),
            "future-birth" => PatientGraph.Input("Ada", "Future", birthDate: DateTime.UtcNow.AddDays(3).ToString("yyyy-MM-dd")),
            "impossible-birth" => PatientGraph.Input("Ada", "Leap", birthDate: "2023-02-30"),
            "bad-sex" => PatientGraph.Input("Ada", "Sex", sex: "f"),
            "bad-phone" => PatientGraph.Input("Ada", "Phone", telecom: [new { system = "phone", value = "12" }]),
            "bad-email" => PatientGraph.Input("Ada", "Mail", telecom: [new { system = "phone", value = "+13125550100" }, new { system = "email", value = "ada@@example" }]),
            "unknown-location" => PatientGraph.Input("Ada", "Where", homeLocationId: Guid.NewGuid().ToString()),
            "oversize-given" => PatientGraph.Input(new string('x', 101), "Long"),
            "control-chars" => PatientGraph.Input("Ada", "Bell\u0007"),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var result = await _client.GraphQLAsync(PatientGraph.Register, new { input });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Contains(path, result.FieldPaths);
        Assert.Equal(before, await CountAsync());
    }

    [Fact]
    public async Task ReportEveryInvalidFieldAtOnce()
    {
        var result = await _client.GraphQLAsync(PatientGraph.Register, new
        {
            input = new { name = new { given = "", family = "" }, birthDate = "yesterday", administrativeSex = "" },
        });

        Assert.Equal(["input.name.given", "input.name.family", "input.birthDate", "input.administrativeSex"], result.FieldPaths);
    }

    [Fact]
    public async Task UpdateWithTheCurrentVersionAndRefuseAStaleOne()
    {
        var created = await _client.RegisterAsync(PatientGraph.Input("Grace", "Hopper"));
        var id = created["id"]!.GetValue<string>();

        var updated = await _client.GraphQLAsync(PatientGraph.Update, new { id, v = 1, input = PatientGraph.Input("Grace", "Murray Hopper") });
        var stale = await _client.GraphQLAsync(PatientGraph.Update, new { id, v = 1, input = PatientGraph.Input("Grace", "Overwritten") });

        Assert.Equal(2, updated.DataOrThrow["updatePatient"]!["version"]!.GetValue<int>());
        Assert.Equal("VERSION_CONFLICT", stale.Code);
        var read = (await _client.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow["patient"]!;
        Assert.Equal(("Murray Hopper", 2), (read["name"]!["family"]!.GetValue<string>(), read["version"]!.GetValue<int>()));
    }

    [Fact]
    public async Task LetExactlyOneOfTwoConcurrentEditsOfTheSameVersionWin()
    {
        var created = await _client.RegisterAsync(PatientGraph.Input("Race", "Condition"));
        var id = created["id"]!.GetValue<string>();

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            _client.GraphQLAsync(PatientGraph.Update, new { id, v = 1, input = PatientGraph.Input("Race", "Edit" + i) })));

        Assert.Single(results, r => r.Errors is null);
        Assert.All(results.Where(r => r.Errors is not null), r => Assert.Equal("VERSION_CONFLICT", r.Code));
        var read = (await _client.GraphQLAsync(PatientGraph.Get, new { id })).DataOrThrow["patient"]!;
        Assert.Equal(2, read["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task FindPatientsByNamePrefixTypoBirthDateMrnAndPhone()
    {
        var family = "Quixotez" + Guid.NewGuid().ToString("N")[..4];
        var created = await _client.RegisterAsync(PatientGraph.Input("Dulcinea", family, birthDate: "1961-07-04",
            telecom: [new { system = "phone", value = "+1 (312) 555-0177" }]));
        var id = created["id"]!.GetValue<string>();
        var mrn = created["mrn"]!.GetValue<string>();
        var typo = "Quixtoez" + family[8..];

        Assert.Contains(await _client.SearchAsync(new { name = family[..5] }), n => n["id"]!.GetValue<string>() == id);
        Assert.Contains(await _client.SearchAsync(new { name = "dulc " + family[..4] }), n => n["id"]!.GetValue<string>() == id);
        Assert.Contains(await _client.SearchAsync(new { name = typo }), n => n["id"]!.GetValue<string>() == id);
        Assert.Contains(await _client.SearchAsync(new { birthDate = "1961-07-04" }), n => n["id"]!.GetValue<string>() == id);
        Assert.Equal(id, Assert.Single(await _client.SearchAsync(new { mrn }))["id"]!.GetValue<string>());
        Assert.Contains(await _client.SearchAsync(new { phone = "312.555.0177" }), n => n["id"]!.GetValue<string>() == id);
        Assert.Empty(await _client.SearchAsync(new { name = family, birthDate = "1961-07-05" }));
    }

    [Fact]
    public async Task RankExactPrefixesFirstThenTheClosestTypos()
    {
        var smith = (await _client.RegisterAsync(PatientGraph.Input("Ezra", "Smith")))["id"]!.GetValue<string>();
        var smythe = (await _client.RegisterAsync(PatientGraph.Input("Ezra", "Smythe")))["id"]!.GetValue<string>();

        var typo = await _client.SearchAsync(new { name = "smtih ezra" });
        var prefix = await _client.SearchAsync(new { name = "smy" });

        Assert.Equal(smith, typo[0]["id"]!.GetValue<string>());
        Assert.Contains(typo, n => n["id"]!.GetValue<string>() == smith);
        Assert.Equal(smythe, prefix[0]["id"]!.GetValue<string>());
        Assert.DoesNotContain(prefix, n => n["id"]!.GetValue<string>() == smith);
    }

    [Fact]
    public async Task PageThroughResultsInAStableOrderWithoutGapsOrRepeats()
    {
        var everyone = await _client.SearchAsync(new { first = 100 });
        var paged = new List<JsonNode>();
        string? after = null;
        do
        {
            var page = (await _client.GraphQLAsync(PatientGraph.Search, new { first = 4, after })).DataOrThrow["patients"]!;
            paged.AddRange(page["edges"]!.AsArray().Select(e => e!["node"]!));
            after = page["pageInfo"]!["hasNextPage"]!.GetValue<bool>() ? page["pageInfo"]!["endCursor"]!.GetValue<string>() : null;
        }
        while (after is not null);

        Assert.True(everyone.Count >= 15);
        Assert.Equal(everyone.Select(n => n["id"]!.GetValue<string>()), paged.Select(n => n["id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("not-a-cursor", "after")]
    [InlineData(null, "first")]
    public async Task RefuseBadPagingArguments(string? after, string path)
    {
        var result = await _client.GraphQLAsync(PatientGraph.Search, new { after, first = after is null ? 101 : 5 });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal([path], result.FieldPaths);
    }

    [Fact]
    public async Task RefuseACursorFromADifferentSearch()
    {
        var page = (await _client.GraphQLAsync(PatientGraph.Search, new { first = 1 })).DataOrThrow["patients"]!;
        var cursor = page["pageInfo"]!["endCursor"]!.GetValue<string>();

        var result = await _client.GraphQLAsync(PatientGraph.Search, new { first = 1, after = cursor, name = "smith" });

        Assert.Equal("VALIDATION_FAILED", result.Code);
    }

    [Fact]
    public async Task RefuseWritesToARoleWithoutPatientWrite()
    {
        using var auditor = _host.Client(_host.Token(_tenant.Slug, "auditor.one", "auditor"));

        var result = await auditor.GraphQLAsync(PatientGraph.Register, new { input = PatientGraph.Input("No", "Access") });

        Assert.Equal("FORBIDDEN", result.Code);
    }

    private async Task<long> CountAsync()
    {
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_tenant.SchemaName}");
        return await Scalar<long>(sql, $"SELECT count(*) FROM {_tenant.SchemaName}.patients");
    }
}
