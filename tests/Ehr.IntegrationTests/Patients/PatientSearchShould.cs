using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Tenancy;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Patients;

/// <summary>
/// Name search order and paging across its two steps: exact word prefixes (read in name order, alone when they fill
/// the page) and typo-tolerant matches (ranked by closeness after them). Names are made up so the starter pack's demo
/// patients never match.
/// </summary>
public sealed class PatientSearchShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("search", "dermatology");
        _client = _host.Client(_host.Token(_tenant.Slug, "dr.search", "physician"));
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task PageFromExactPrefixesInNameOrderIntoTyposClosestFirstWithoutGapsOrRepeats()
    {
        // Registered out of order, so the order below comes from the search.
        var names = new (string Given, string Family)[]
        {
            ("Fay", "Wexbirdge"), ("Eve", "Wexbridge"), ("Gus", "Wexbridgeton"), ("Bea", "Wexbridge"), ("Hal", "Wexbrigde"),
            ("Ann", "Wexbridge"), ("Ivy", "Wexbrdge"), ("Dee", "Wexbridge"), ("Cy", "Wexbridge"),
        };
        foreach (var (given, family) in names)
        {
            await _client.RegisterAsync(PatientGraph.Input(given, family));
        }

        // Exact prefixes by family then given name; then the typos by word similarity: wexbrigde 0.6, wexbrdge 0.58,
        // wexbirdge 0.43 (all above the 0.40 threshold of a nine-letter word).
        string[] expected = ["Ann", "Bea", "Cy", "Dee", "Eve", "Gus", "Hal", "Ivy", "Fay"];

        var whole = await _client.SearchAsync(new { name = "wexbridge", first = 100 });
        var paged = new List<JsonNode>();
        string? after = null;
        var pages = 0;
        do
        {
            // Pages of two: the first ones are all exact prefixes, the third straddles them and the typos.
            var page = (await _client.GraphQLAsync(PatientGraph.Search, new { name = "wexbridge", first = 2, after })).DataOrThrow["patients"]!;
            paged.AddRange(page["edges"]!.AsArray().Select(e => e!["node"]!));
            after = page["pageInfo"]!["hasNextPage"]!.GetValue<bool>() ? page["pageInfo"]!["endCursor"]!.GetValue<string>() : null;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(expected, whole.Select(Given));
        Assert.Equal(expected, paged.Select(Given));
        Assert.Equal(5, pages);
    }

    [Fact]
    public async Task MatchAPrefixOfAnyNameWordAndListInFamilyNameOrder()
    {
        await _client.RegisterAsync(PatientGraph.Input("Otto", "Zed Xyquist"));
        await _client.RegisterAsync(PatientGraph.Input("Bob", "Xyquist"));
        await _client.RegisterAsync(PatientGraph.Input("Xyqa", "Adler"));
        await _client.RegisterAsync(PatientGraph.Input("Bob", "Adler"));

        // Three letters: prefixes only, no typo tolerance; the given name and a second family word count too.
        var found = await _client.SearchAsync(new { name = "xyq" });
        var twoWords = await _client.SearchAsync(new { name = "bob xyq" });

        Assert.Equal(["Adler/Xyqa", "Xyquist/Bob", "Zed Xyquist/Otto"], found.Select(FamilyGiven));
        Assert.Equal(["Xyquist/Bob"], twoWords.Select(FamilyGiven));
    }

    [Fact]
    public async Task PageThroughATwoWordPrefixSearchInNameOrder()
    {
        foreach (var given in new[] { "Kent", "Kell", "Jon", "Kes", "Kemp", "Ken" })
        {
            await _client.RegisterAsync(PatientGraph.Input(given, "Yarrowby"));
        }

        await _client.RegisterAsync(PatientGraph.Input("Kerr", "Yarrowbyson"));

        var paged = new List<JsonNode>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = (await _client.GraphQLAsync(PatientGraph.Search, new { name = "ke yarr", first = 2, after })).DataOrThrow["patients"]!;
            paged.AddRange(page["edges"]!.AsArray().Select(e => e!["node"]!));
            after = page["pageInfo"]!["hasNextPage"]!.GetValue<bool>() ? page["pageInfo"]!["endCursor"]!.GetValue<string>() : null;
            pages++;
        }
        while (after is not null && pages < 10);

        Assert.Equal(["Kell", "Kemp", "Ken", "Kent", "Kes", "Kerr"], paged.Select(Given));
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task FollowARenameAndADeactivationAtOnce()
    {
        var created = await _client.RegisterAsync(PatientGraph.Input("Uma", "Plovdivska"));
        var id = created["id"]!.GetValue<string>();

        var renamed = await _client.GraphQLAsync(PatientGraph.Update, new { id, v = 1, input = PatientGraph.Input("Uma", "Trnavska") });
        var byNewName = await _client.SearchAsync(new { name = "trn uma" });
        var byOldName = await _client.SearchAsync(new { name = "plov" });
        var deactivated = await _client.GraphQLAsync(PatientGraph.Update, new
        {
            id, v = 2,
            input = new { name = new { given = "Uma", family = "Trnavska" }, birthDate = "1980-05-17", administrativeSex = "female", active = false },
        });
        var activeOnly = await _client.SearchAsync(new { name = "trn" });
        var withInactive = await _client.SearchAsync(new { name = "trn", inactive = true });

        Assert.Null(renamed.Errors);
        Assert.Null(deactivated.Errors);
        Assert.Contains(id, Ids(byNewName));
        Assert.DoesNotContain(id, Ids(byOldName));
        Assert.DoesNotContain(id, Ids(activeOnly));
        Assert.Contains(id, Ids(withInactive));
    }

    [Fact]
    public async Task KeepTheNameIndexOutOfTheTenantRolesReachAndInStepWithDeletes()
    {
        var created = await _client.RegisterAsync(PatientGraph.Input("Vera", "Ostrava"));
        await using var sql = await _host.OpenSqlAsync();
        await ProvisioningShould.Exec(sql, $"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}, ext");

        // Readable (the search reads it as the tenant role), but only the patients trigger writes it.
        Assert.Equal(2, await ProvisioningShould.Scalar<long>(sql,
            $"SELECT count(*) FROM patient_name_words WHERE patient_id = '{created["id"]!.GetValue<string>()}'"));
        var insert = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => ProvisioningShould.Exec(sql,
            $"INSERT INTO patient_name_words VALUES ('{created["id"]!.GetValue<string>()}', 'mallory', 'mallory', true)"));
        var delete = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => ProvisioningShould.Exec(sql, "DELETE FROM patient_name_words"));

        // A patient row deleted by hand takes its words with it.
        await ProvisioningShould.Exec(sql, $"DELETE FROM patients WHERE id = '{created["id"]!.GetValue<string>()}'");
        var left = await ProvisioningShould.Scalar<long>(sql,
            $"SELECT count(*) FROM patient_name_words WHERE patient_id = '{created["id"]!.GetValue<string>()}'");

        Assert.Equal("42501", insert.SqlState);
        Assert.Equal("42501", delete.SqlState);
        Assert.Equal(0, left);
    }

    private static IEnumerable<string> Ids(IEnumerable<JsonNode> nodes) => nodes.Select(n => n["id"]!.GetValue<string>());

    private static string Given(JsonNode node) => node["name"]!["given"]!.GetValue<string>();

    private static string FamilyGiven(JsonNode node) => node["name"]!["family"]!.GetValue<string>() + "/" + Given(node);
}
