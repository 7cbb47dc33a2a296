using System.Net;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Identity;

/// <summary>A tenant admin's API clients: client credentials, scopes, secrets shown once, rotation, revocation, rate limits.</summary>
public sealed class ApiClientsShould : IAsyncLifetime
{
    private const string Create = """
        mutation($input: ApiClientInput!) {
          createApiClient(input: $input) { secret client { clientId name scopes rateLimitPerMinute status secretHint } }
        }
        """;

    private static readonly string[] ReadOnly = ["patient.read"];
    private const string PatientsQuery = "{ patients(first: 1) { nodes { id } } }";
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private Tenant _other = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("apic");
        _other = await _host.CreateTenantAsync("apic-other");
        _admin = _host.Client(_host.Token(_tenant.Slug, "admin", "tenant-admin"));
    }

    public Task DisposeAsync()
    {
        _admin.Dispose();
        return Task.CompletedTask;
    }

    private async Task<(string ClientId, string Secret)> CreateClientAsync(string[] scopes, int? limit = null)
    {
        var result = await _admin.GraphQLAsync(Create, new { input = new { name = "Startup back end", scopes, rateLimitPerMinute = limit } });
        var created = result.DataOrThrow["createApiClient"]!;
        return (created["client"]!["clientId"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    [Fact]
    public async Task IssueATokenForTheClientsTenantWithItsScopes()
    {
        var (clientId, secret) = await CreateClientAsync(["patient.read"]);
        using var anonymous = _host.Client();

        var token = await anonymous.ClientCredentialsAsync(clientId, secret);
        using var api = _host.Client().WithBearer(token.AccessToken);
        var viewer = await api.GraphQLAsync("{ viewer { id tenant roles } }");
        var patients = await api.GraphQLAsync(PatientsQuery);

        Assert.Equal(200, token.Status);
        Assert.Equal("Bearer", token.Body["token_type"]!.GetValue<string>());
        Assert.Null(token.RefreshToken);
        Assert.Equal(clientId, viewer.DataOrThrow["viewer"]!["id"]!.GetValue<string>());
        Assert.Equal(_tenant.Slug, viewer.DataOrThrow["viewer"]!["tenant"]!.GetValue<string>());
        Assert.Null(patients.Errors);
    }

    [Fact]
    public async Task HoldOnlyTheGrantedPermissions()
    {
        var (clientId, secret) = await CreateClientAsync(["patient.read"]);
        using var api = _host.Client().WithBearer((await _host.Client().ClientCredentialsAsync(clientId, secret)).AccessToken);

        var write = await api.GraphQLAsync("""
            mutation { registerPatient(input: { name: { given: "A", family: "B" }, birthDate: "1980-01-01", administrativeSex: "female" }) { id } }
            """);
        var audit = await api.GraphQLAsync("{ auditLog(first: 1) { edges { cursor } } }");

        Assert.Equal("FORBIDDEN", write.Code);
        Assert.Equal("FORBIDDEN", audit.Code);
    }

    [Fact]
    public async Task RefuseScopesBeyondTheClientsGrant()
    {
        var (clientId, secret) = await CreateClientAsync(["patient.read"]);

        var token = await _host.Client().ClientCredentialsAsync(clientId, secret, "patient.read patient.write");

        // OpenIddict answers invalid_request (not invalid_scope) for a registered scope the client may not use.
        Assert.Equal(400, token.Status);
        Assert.Equal("invalid_request", token.Error);
        Assert.Null(token.Body["access_token"]);
    }

    [Fact]
    public async Task ShowTheSecretOnceAndKeepOnlyAHint()
    {
        var (clientId, secret) = await CreateClientAsync(["patient.read"]);

        var list = await _admin.GraphQLAsync("{ apiClients { clientId secretHint status } }");
        var listed = list.DataOrThrow["apiClients"]!.AsArray().Single(c => c!["clientId"]!.GetValue<string>() == clientId)!;

        Assert.StartsWith("ehrs_", secret, StringComparison.Ordinal);
        Assert.Equal(secret[^4..], listed["secretHint"]!.GetValue<string>());
        Assert.DoesNotContain(secret, list.Data!.ToJsonString(), StringComparison.Ordinal);
        await using var sql = await _host.OpenSqlAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT client_secret FROM platform.oidc_applications WHERE client_id = $1", sql);
        cmd.Parameters.AddWithValue(clientId);
        var stored = (string)(await cmd.ExecuteScalarAsync())!;
        Assert.NotEqual(secret, stored);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopTheOldSecretWhenRotated()
    {
        var (clientId, oldSecret) = await CreateClientAsync(["patient.read"]);

        var rotated = await _admin.GraphQLAsync("mutation($id: String!) { rotateApiClientSecret(clientId: $id) { secret } }", new { id = clientId });
        var newSecret = rotated.DataOrThrow["rotateApiClientSecret"]!["secret"]!.GetValue<string>();

        Assert.Equal("invalid_client", (await _host.Client().ClientCredentialsAsync(clientId, oldSecret)).Error);
        Assert.Equal(200, (await _host.Client().ClientCredentialsAsync(clientId, newSecret)).Status);
    }

    [Fact]
    public async Task RefuseARevokedClientsTokensOnTheNextRequest()
    {
        var (clientId, secret) = await CreateClientAsync(["patient.read"]);
        using var api = _host.Client().WithBearer((await _host.Client().ClientCredentialsAsync(clientId, secret)).AccessToken);
        Assert.Null((await api.GraphQLAsync(PatientsQuery)).Errors);

        var revoked = await _admin.GraphQLAsync("mutation($id: String!) { revokeApiClient(clientId: $id) { status revokedAt } }", new { id = clientId });
        var after = await api.GraphQLAsync(PatientsQuery);

        Assert.Equal("revoked", revoked.DataOrThrow["revokeApiClient"]!["status"]!.GetValue<string>());
        Assert.Equal(401, after.Status);
        Assert.Equal("ACCESS_REVOKED", after.Code);
        Assert.Equal("invalid_client", (await _host.Client().ClientCredentialsAsync(clientId, secret)).Error);
    }

    [Fact]
    public async Task RefuseItsTokenOnAnotherTenant()
    {
        var (clientId, secret) = await CreateClientAsync(["patient.read"]);
        using var api = _host.Client().WithBearer((await _host.Client().ClientCredentialsAsync(clientId, secret)).AccessToken);

        var result = await api.GraphQLAsync(PatientsQuery, configure: r => r.Headers.Add("X-Tenant", _other.Slug));

        Assert.Equal(403, result.Status);
        Assert.Equal("TENANT_MISMATCH", result.Code);
    }

    [Fact]
    public async Task AnswerTooManyRequestsWithRetryAfterPastItsLimit()
    {
        var (clientId, secret) = await CreateClientAsync(["patient.read"], limit: 3);
        using var api = _host.Client().WithBearer((await _host.Client().ClientCredentialsAsync(clientId, secret)).AccessToken);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null((await api.GraphQLAsync(PatientsQuery)).Errors);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { query = PatientsQuery }),
        };
        using var refused = await api.SendAsync(request);
        var body = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("RATE_LIMITED", body["errors"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task RecordIssuanceAndManagementInTheAuditChain()
    {
        var (clientId, secret) = await CreateClientAsync(["patient.read"]);
        await _host.Client().ClientCredentialsAsync(clientId, secret);

        var log = await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action actorId } } } }", new { id = clientId });
        var actions = log.DataOrThrow["auditLog"]!["edges"]!.AsArray().Select(e => e!["node"]!["action"]!.GetValue<string>()).ToList();

        Assert.Contains("apiclient.create", actions);
        Assert.Contains("auth.token_issued", actions);
    }

    private const string ChangeLimit = """
        mutation($id: String!, $limit: Int!, $v: Int!) {
          changeApiClientRateLimit(clientId: $id, rateLimitPerMinute: $limit, expectedVersion: $v) { rateLimitPerMinute version }
        }
        """;

    private async Task<JsonNode> ListedAsync(string clientId) =>
        (await _admin.GraphQLAsync("{ apiClients { clientId rateLimitPerMinute version status } }")).DataOrThrow["apiClients"]!.AsArray()
        .Single(c => c!["clientId"]!.GetValue<string>() == clientId)!;

    [Fact]
    public async Task ChangeItsLimitAndRecordTheChange()
    {
        var (clientId, _) = await CreateClientAsync(["patient.read"], limit: 50);

        var changed = await _admin.GraphQLAsync(ChangeLimit, new { id = clientId, limit = 70, v = 1 });
        var log = await _admin.GraphQLAsync("query($id: String) { auditLog(resourceId: $id) { edges { node { action } } } }", new { id = clientId });

        Assert.Equal(70, changed.DataOrThrow["changeApiClientRateLimit"]!["rateLimitPerMinute"]!.GetValue<int>());
        Assert.Equal(2, changed.DataOrThrow["changeApiClientRateLimit"]!["version"]!.GetValue<int>());
        Assert.Equal(70, (await ListedAsync(clientId))["rateLimitPerMinute"]!.GetValue<int>());
        Assert.Contains(log.DataOrThrow["auditLog"]!["edges"]!.AsArray(), e => e!["node"]!["action"]!.GetValue<string>() == "apiclient.rate_limit");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public async Task RefuseALimitOutOfRangeAndKeepTheOldOne(int limit)
    {
        var (clientId, _) = await CreateClientAsync(["patient.read"], limit: 50);

        var result = await _admin.GraphQLAsync(ChangeLimit, new { id = clientId, limit, v = 1 });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        Assert.Equal(["rateLimitPerMinute"], result.FieldPaths);
        var listed = await ListedAsync(clientId);
        Assert.Equal(50, listed["rateLimitPerMinute"]!.GetValue<int>());
        Assert.Equal(1, listed["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task RefuseALimitChangeOnAStaleVersion()
    {
        var (clientId, _) = await CreateClientAsync(["patient.read"], limit: 50);
        await _admin.GraphQLAsync(ChangeLimit, new { id = clientId, limit = 60, v = 1 });

        var stale = await _admin.GraphQLAsync(ChangeLimit, new { id = clientId, limit = 10, v = 1 });

        Assert.Equal("VERSION_CONFLICT", stale.Code);
        Assert.Equal(60, (await ListedAsync(clientId))["rateLimitPerMinute"]!.GetValue<int>());
    }

    [Fact]
    public async Task RefuseALimitChangeOnARevokedClient()
    {
        var (clientId, _) = await CreateClientAsync(["patient.read"], limit: 50);
        await _admin.GraphQLAsync("mutation($id: String!) { revokeApiClient(clientId: $id) { status } }", new { id = clientId });

        var result = await _admin.GraphQLAsync(ChangeLimit, new { id = clientId, limit = 60, v = 2 });

        Assert.Equal("CONFLICT", result.Code);
        Assert.Equal(50, (await ListedAsync(clientId))["rateLimitPerMinute"]!.GetValue<int>());
    }

    [Fact]
    public async Task NotChangeAnotherTenantsClient()
    {
        var (clientId, _) = await CreateClientAsync(["patient.read"], limit: 50);
        using var otherAdmin = _host.Client(_host.Token(_other.Slug, "admin", "tenant-admin"));

        var result = await otherAdmin.GraphQLAsync(ChangeLimit, new { id = clientId, limit = 60, v = 1 });

        Assert.Equal("NOT_FOUND", result.Code);
        Assert.Equal(50, (await ListedAsync(clientId))["rateLimitPerMinute"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("", "patient.read", 600, "input.name", "REQUIRED")]
    [InlineData("x", "tenant.admin", 600, "input.scopes[0]", "INVALID_FORMAT")]
    [InlineData("x", "no.such", 600, "input.scopes[0]", "INVALID_FORMAT")]
    [InlineData("x", "patient.read", 0, "input.rateLimitPerMinute", "OUT_OF_RANGE")]
    public async Task RefuseBadInputAndStoreNothing(string name, string scope, int limit, string path, string code)
    {
        var before = (await _admin.GraphQLAsync("{ apiClients { clientId } }")).DataOrThrow["apiClients"]!.AsArray().Count;

        var result = await _admin.GraphQLAsync(Create, new { input = new { name, scopes = new[] { scope }, rateLimitPerMinute = limit } });

        Assert.Equal("VALIDATION_FAILED", result.Code);
        var field = result.Errors![0]!["extensions"]!["fields"]!.AsArray().Single(f => f!["path"]!.GetValue<string>() == path)!;
        Assert.Equal(code, field["code"]!.GetValue<string>());
        Assert.Equal(before, (await _admin.GraphQLAsync("{ apiClients { clientId } }")).DataOrThrow["apiClients"]!.AsArray().Count);
    }

    [Fact]
    public async Task BeManagedOnlyByTenantAdmins()
    {
        using var physician = _host.Client(_host.Token(_tenant.Slug, "dr.x", "physician"));

        var result = await physician.GraphQLAsync(Create, new { input = new { name = "x", scopes = ReadOnly } });

        Assert.Equal("FORBIDDEN", result.Code);
    }
}
