using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.IntegrationTests.Identity;

/// <summary>Discovery, keys, introspection, revocation and key rotation of the OAuth2/OIDC server.</summary>
public sealed class AuthorizationServerShould : IAsyncLifetime
{
    private const string Query = "{ patients(first: 1) { nodes { id } } }";
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private (string Id, string Secret) _client;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("oidc");
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin", "tenant-admin"));
        var created = (await admin.GraphQLAsync(
            "mutation { createApiClient(input: { name: \"backend\", scopes: [\"patient.read\"] }) { secret client { clientId } } }"))
            .DataOrThrow["createApiClient"]!;
        _client = (created["client"]!["clientId"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var client = _host.Client();
        return JsonNode.Parse(await client.GetStringAsync(path))!;
    }

    [Fact]
    public async Task PublishItsConfigurationForDiscovery()
    {
        var config = await GetJsonAsync("/.well-known/openid-configuration");
        var issuer = config["issuer"]!.GetValue<string>().TrimEnd('/');

        Assert.Equal(_host.Address.ToString().TrimEnd('/'), issuer);
        Assert.Equal(issuer + "/connect/authorize", config["authorization_endpoint"]!.GetValue<string>());
        Assert.Equal(issuer + "/connect/token", config["token_endpoint"]!.GetValue<string>());
        Assert.Equal(issuer + "/connect/revoke", config["revocation_endpoint"]!.GetValue<string>());
        Assert.Equal(issuer + "/connect/introspect", config["introspection_endpoint"]!.GetValue<string>());
        Assert.NotNull(config["jwks_uri"]);
        var grants = config["grant_types_supported"]!.AsArray().Select(g => g!.GetValue<string>()).ToList();
        Assert.Equal(["authorization_code", "client_credentials", "refresh_token"], grants.Order(StringComparer.Ordinal));
        Assert.Contains("S256", config["code_challenge_methods_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.DoesNotContain("plain", config["code_challenge_methods_supported"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Contains("patient.read", config["scopes_supported"]!.AsArray().Select(s => s!.GetValue<string>()));
    }

    [Fact]
    public async Task PublishOnlyPublicKeys()
    {
        var config = await GetJsonAsync("/.well-known/openid-configuration");
        using var client = _host.Client();
        var jwks = JsonNode.Parse(await client.GetStringAsync(config["jwks_uri"]!.GetValue<string>()))!;
        var keys = jwks["keys"]!.AsArray();

        Assert.NotEmpty(keys);
        Assert.All(keys, k =>
        {
            Assert.Equal("RSA", k!["kty"]!.GetValue<string>());
            Assert.NotNull(k["kid"]);
            Assert.Null(k["d"]);
            Assert.Null(k["p"]);
        });
    }

    [Fact]
    public async Task IntrospectAndRevokeAccessTokens()
    {
        using var anonymous = _host.Client();
        var token = (await anonymous.ClientCredentialsAsync(_client.Id, _client.Secret)).AccessToken;

        var before = await IntrospectAsync(token);
        using var revoke = await anonymous.PostAsync("/connect/revoke",
            Form(("token", token), ("client_id", _client.Id), ("client_secret", _client.Secret)));
        var after = await IntrospectAsync(token);
        using var api = _host.Client(token);
        var call = await api.GraphQLAsync(Query);

        Assert.True(before["active"]!.GetValue<bool>());
        Assert.Equal(_client.Id, before["client_id"]!.GetValue<string>());
        Assert.True(revoke.IsSuccessStatusCode);
        Assert.False(after["active"]!.GetValue<bool>());
        Assert.Equal(401, call.Status);
        Assert.Equal("ACCESS_REVOKED", call.Code);
    }

    [Fact]
    public async Task RotateKeysWithoutInvalidatingAnyToken()
    {
        using var anonymous = _host.Client();
        var before = (await anonymous.ClientCredentialsAsync(_client.Id, _client.Secret)).AccessToken;
        var ring = _host.Services.GetRequiredService<KeyRing>();

        var newKids = ring.Rotate(activateIn: TimeSpan.Zero);
        // The running host notices the rotation (its refresher does so every minute); a host started after it (as
        // after a deploy) loads the new keys at once. Both then sign with the new keys and accept the old tokens.
        _host.Services.GetRequiredService<KeyRingRefresher>().RefreshNow();
        await using var restarted = await TestHost.StartAsync(new Dictionary<string, string?> { ["Identity:Issuer"] = _host.Address.ToString() });
        using var there = restarted.Client();
        var after = (await there.ClientCredentialsAsync(_client.Id, _client.Secret)).AccessToken;
        var fromRunningHost = (await anonymous.ClientCredentialsAsync(_client.Id, _client.Secret)).AccessToken;

        using (var oldTokenOnNewHost = restarted.Client(before))
        using (var newTokenOnOldHost = _host.Client(after))
        {
            Assert.Null((await oldTokenOnNewHost.GraphQLAsync(Query)).Errors);
            Assert.Null((await newTokenOnOldHost.GraphQLAsync(Query)).Errors);
        }

        Assert.Equal(newKids[0], KeyId(after));
        Assert.Equal(newKids[0], KeyId(fromRunningHost));
        Assert.NotEqual(newKids[0], KeyId(before));
    }

    [Fact]
    public async Task PublishAWaitingKeyBeforeUsingIt()
    {
        var ring = _host.Services.GetRequiredService<KeyRing>();

        var waiting = ring.Rotate(activateIn: TimeSpan.FromHours(1));
        await using var restarted = await TestHost.StartAsync(new Dictionary<string, string?> { ["Identity:Issuer"] = _host.Address.ToString() });
        using var client = restarted.Client();
        var jwks = JsonNode.Parse(await client.GetStringAsync("/.well-known/jwks"))!["keys"]!.AsArray()
            .Select(k => k!["kid"]!.GetValue<string>()).ToList();
        var token = (await client.ClientCredentialsAsync(_client.Id, _client.Secret)).AccessToken;

        Assert.Contains(waiting[0], jwks);
        Assert.NotEqual(waiting[0], KeyId(token));
    }

    /// <summary>The <c>kid</c> in an access token's header: the signing key the server used.</summary>
    private static string KeyId(string jwt) =>
        JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(jwt.Split('.')[0]))!["kid"]!.GetValue<string>();

    private async Task<JsonNode> IntrospectAsync(string token)
    {
        using var client = _host.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(_client.Id)}:{Uri.EscapeDataString(_client.Secret)}")));
        using var response = await client.PostAsync("/connect/introspect", Form(("token", token)));
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] pairs) =>
        new(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));
}
