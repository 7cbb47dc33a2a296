using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Identity;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ehr.IntegrationTests.Identity;

/// <summary>Forged, altered, expired and misdirected tokens: every one is refused before it reaches any data.</summary>
public sealed class TokenAttacksShould : IAsyncLifetime
{
    private const string Query = "{ patients(first: 1) { nodes { id } } }";
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private Tenant _other = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("atk");
        _other = await _host.CreateTenantAsync("atk-other");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<GraphQLResult> CallAsync(string token, string? tenantHeader = null)
    {
        using var client = _host.Client(token);
        return await client.GraphQLAsync(Query, configure: r =>
        {
            if (tenantHeader is not null)
            {
                r.Headers.Add("X-Tenant", tenantHeader);
            }
        });
    }

    private static string B64(string json) => Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public async Task AcceptTheGenuineTokenItself()
    {
        var result = await CallAsync(_host.Token(_tenant.Slug, "dr.a", "physician"));

        Assert.Null(result.Errors);
    }

    [Fact]
    public async Task RefuseAnExpiredToken()
    {
        var issuer = new DevTokenIssuer(_host.Services.GetRequiredService<LocalSigningKey>(), new TestClock(DateTimeOffset.UtcNow.AddHours(-3)));
        var expired = issuer.Issue(_tenant.Slug, "dr.a", ["physician"], minutes: 60);

        var result = await CallAsync(expired);

        Assert.Equal(401, result.Status);
        Assert.Equal("UNAUTHENTICATED", result.Code);
    }

    [Fact]
    public async Task RefuseATokenWhosePayloadWasAltered()
    {
        var parts = _host.Token(_tenant.Slug, "front.desk", "front-desk").Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!;
        payload["role"] = "tenant-admin";

        var result = await CallAsync($"{parts[0]}.{B64(payload.ToJsonString())}.{parts[2]}");

        Assert.Equal(401, result.Status);
    }

    [Fact]
    public async Task RefuseAnUnsignedAlgNoneToken()
    {
        var parts = _host.Token(_tenant.Slug, "dr.a", "physician").Split('.');

        var result = await CallAsync($"{B64("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.");

        Assert.Equal(401, result.Status);
    }

    [Fact]
    public async Task RefuseATokenSignedWithAnotherKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var genuineKid = _host.Services.GetRequiredService<LocalSigningKey>().Key.KeyId;
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = LocalSigningKey.Issuer,
            Audience = LocalSigningKey.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["tenant"] = _tenant.Slug, ["role"] = "tenant-admin" },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = genuineKid }, SecurityAlgorithms.EcdsaSha256),
        });

        var result = await CallAsync(forged);

        Assert.Equal(401, result.Status);
    }

    [Fact]
    public async Task RefuseAnHmacTokenKeyedWithThePublicKey()
    {
        // Algorithm confusion: an HS256 token whose secret is the server's public key.
        var publicKey = _host.Services.GetRequiredService<LocalSigningKey>().Key.ECDsa.ExportSubjectPublicKeyInfo();
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = LocalSigningKey.Issuer,
            Audience = LocalSigningKey.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = "mallory", ["tenant"] = _tenant.Slug, ["role"] = "tenant-admin" },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(publicKey), SecurityAlgorithms.HmacSha256),
        });

        var result = await CallAsync(forged);

        Assert.Equal(401, result.Status);
    }

    [Fact]
    public async Task RefuseATamperedServerToken()
    {
        var token = await ServerTokenAsync();
        var chars = token.ToCharArray();
        var i = token.Length / 2;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';

        var result = await CallAsync(new string(chars));

        Assert.Equal(401, result.Status);
    }

    [Fact]
    public async Task RefuseAServerTokenOnAnotherTenant()
    {
        var result = await CallAsync(await ServerTokenAsync(), tenantHeader: _other.Slug);

        Assert.Equal(403, result.Status);
        Assert.Equal("TENANT_MISMATCH", result.Code);
    }

    [Fact]
    public async Task RefuseADevelopmentTokenWhenTheyAreTurnedOff()
    {
        await using var production = await TestHost.StartAsync(new Dictionary<string, string?> { ["Identity:DevelopmentTokens"] = "false" });
        var token = production.Token(_tenant.Slug, "dr.a", "physician");
        using var client = production.Client(token);

        var result = await client.GraphQLAsync(Query);

        Assert.Equal(401, result.Status);
    }

    private async Task<string> ServerTokenAsync()
    {
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin", "tenant-admin"));
        var created = (await admin.GraphQLAsync(
            "mutation { createApiClient(input: { name: \"probe\", scopes: [\"patient.read\"] }) { secret client { clientId } } }"))
            .DataOrThrow["createApiClient"]!;
        var answer = await _host.Client().ClientCredentialsAsync(created["client"]!["clientId"]!.GetValue<string>(), created["secret"]!.GetValue<string>());
        Assert.Null((await CallAsync(answer.AccessToken)).Errors);
        return answer.AccessToken;
    }
}
