using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using static Ehr.IntegrationTests.Tenancy.ProvisioningShould;

namespace Ehr.IntegrationTests.GraphQL;

public sealed class GraphQLOverHttpShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private string _token = "";

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("http", "dermatology");
        _token = _host.Token(_tenant.Slug, "dr.http", "physician");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task PassEveryGraphQLHttpAudit()
    {
        var dir = Path.Combine(TestDatabase.RepoRoot, "tests", "graphql-audit");
        if (!Directory.Exists(Path.Combine(dir, "node_modules")))
        {
            var install = await RunAsync("npm", dir, "ci", "--no-audit", "--no-fund");
            Assert.True(install.Exit == 0, "npm ci failed:\n" + install.Output);
        }

        var audit = await RunAsync("node", dir, "audit.mjs", new Uri(_host.Address, "/graphql").ToString(), _token);

        Assert.True(audit.Exit == 0, audit.Output);
        Assert.Matches(@"(\d+) of \1 audits passed", audit.Output);
    }

    [Fact]
    public async Task AnswerGetQueriesAndRefuseGetMutationsWith405()
    {
        using var client = _host.Client(_token);

        var query = await client.GetAsync("/graphql?query=" + Uri.EscapeDataString("{ viewer { id } }"));
        var mutation = await client.GetAsync("/graphql?query=" + Uri.EscapeDataString("mutation { registerPatient(input: {}) { id } }"));

        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, mutation.StatusCode);
        Assert.Contains("POST", mutation.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("text/plain", "{\"query\":\"{ viewer { id } }\"}", null, 415)]
    [InlineData("application/json", "{\"query\":", null, 400)]
    [InlineData("application/json", "[]", null, 400)]
    [InlineData("application/json", "{\"query\": 42}", null, 400)]
    [InlineData("application/json", "{\"query\":\"{ viewer { id } }\", \"variables\": [1]}", null, 400)]
    [InlineData("application/json", "{\"query\":\"{ viewer { id } }\"}", "text/html", 406)]
    public async Task RefuseMalformedRequestsWithTheRightStatus(string contentType, string body, string? accept, int status)
    {
        using var client = _host.Client(_token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.False(string.IsNullOrEmpty(json["errors"]![0]!["extensions"]!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RefuseABodyOverTheLimitWith413()
    {
        using var client = _host.Client(_token);
        var huge = "{\"query\":\"{ viewer { id } }\",\"variables\":{\"pad\":\"" + new string('x', 1_100_000) + "\"}}";

        using var response = await client.PostAsync("/graphql", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task UseStatus400ForInvalidDocumentsOnlyWithGraphQLResponseJson()
    {
        using var client = _host.Client(_token);

        var modern = await client.GraphQLAsync("{ noSuchField }");
        var legacy = await client.GraphQLAsync("{ noSuchField }", configure: r =>
        {
            r.Headers.Accept.Clear();
            r.Headers.Accept.ParseAdd("application/json");
        });
        var parse = await client.GraphQLAsync("{ viewer { id }");

        Assert.Equal((400, "GRAPHQL_VALIDATION_FAILED"), (modern.Status, modern.Code));
        Assert.Equal((200, "GRAPHQL_VALIDATION_FAILED"), (legacy.Status, legacy.Code));
        Assert.Equal((400, "GRAPHQL_PARSE_FAILED"), (parse.Status, parse.Code));
    }

    [Fact]
    public async Task RefuseQueriesThatAreTooDeepOrTooComplex()
    {
        using var client = _host.Client(_token);
        // Introspection types nest without end: 20 levels of ofType is past the limit of 15.
        var deep = "{ __type(name: \"Patient\") { fields { type { " + string.Concat(Enumerable.Repeat("ofType { ", 20)) + "name" +
                   string.Concat(Enumerable.Repeat(" }", 20)) + " } } } }";
        var wide = "{ " + string.Join(' ', Enumerable.Range(0, 30).Select(i => $"p{i}: patients(first: 100) {{ edges {{ node {{ id mrn name {{ given family }} }} }} }}")) + " }";

        var tooDeep = await client.GraphQLAsync(deep);
        var tooComplex = await client.GraphQLAsync(wide);

        Assert.Equal((400, "QUERY_TOO_DEEP"), (tooDeep.Status, tooDeep.Code));
        Assert.Equal((400, "QUERY_TOO_COMPLEX"), (tooComplex.Status, tooComplex.Code));
    }

    [Fact]
    public async Task CheckComplexityAndVariablesOfADocumentItHasAlreadyValidated()
    {
        using var client = _host.Client(_token);
        // Thirty connections whose size comes from a variable: small, it passes (and the document is kept as
        // validated); the same document asking for 100 each is past the complexity limit, a string is no Int.
        var query = "query($n: Int) { " + string.Join(' ', Enumerable.Range(0, 30).Select(i => $"p{i}: patients(first: $n) {{ edges {{ node {{ id mrn name {{ given family }} }} }} }}")) + " }";

        var small = await client.GraphQLAsync(query, new { n = 1 });
        var again = await client.GraphQLAsync(query, new { n = 1 });
        var tooComplex = await client.GraphQLAsync(query, new { n = 100 });
        var notAnInt = await client.GraphQLAsync(query, new { n = "many" });

        Assert.Null(small.Errors);
        Assert.Null(again.Errors);
        Assert.Equal((400, "QUERY_TOO_COMPLEX"), (tooComplex.Status, tooComplex.Code));
        Assert.Equal(400, notAnInt.Status);
        Assert.NotNull(notAnInt.Errors);
        Assert.Null(notAnInt.Data?["p0"]);
    }

    [Fact]
    public async Task HideInternalFailuresBehindAStableCode()
    {
        var broken = await _host.CreateTenantAsync("http-broken", "dermatology");
        await using (var sql = await _host.OpenSqlAsync())
        {
            await Exec(sql, $"SET ROLE ehr_owner; DROP TABLE {broken.SchemaName}.patients CASCADE");
        }

        using var client = _host.Client(_host.Token(broken.Slug, "dr.http", "physician"));
        using var response = await client.PostAsync("/graphql", new StringContent("{\"query\":\"{ patients { edges { cursor } } }\"}", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        var error = JsonNode.Parse(body)!["errors"]![0]!;
        Assert.Equal("INTERNAL", error["extensions"]!["code"]!.GetValue<string>());
        Assert.DoesNotContain("Npgsql", body, StringComparison.Ordinal);
        Assert.DoesNotContain("patients\" does not exist", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopARequestThatRunsPastTheTimeout()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["GraphQL:Timeout"] = "00:00:00.000001" });
        using var client = host.Client(host.Token(_tenant.Slug, "dr.http", "physician"));

        var result = await client.GraphQLAsync("{ patients(first: 100) { edges { node { id name { given family } } } } }");

        Assert.Equal("TIMEOUT", result.Code);
    }

    [Fact]
    public async Task KeepIntrospectionForAuthenticatedCallers()
    {
        using var anonymous = _host.Client();
        using var signedIn = _host.Client(_token);

        var refused = await anonymous.GraphQLAsync("{ __schema { queryType { name } } }");
        var allowed = await signedIn.GraphQLAsync("{ __schema { queryType { name } } }");

        Assert.Equal((401, "UNAUTHENTICATED"), (refused.Status, refused.Code));
        Assert.Equal("Query", allowed.DataOrThrow["__schema"]!["queryType"]!["name"]!.GetValue<string>());
    }

    internal static async Task<(int Exit, string Output)> RunAsync(string file, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"'{file}' is not installed: ./ehr test installs Node.js (apt-get install -y nodejs npm).", e);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output + await error);
        }
    }
}
