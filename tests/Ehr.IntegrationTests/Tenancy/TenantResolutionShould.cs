using System.Net;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.IntegrationTests.Tenancy;

public sealed class TenantResolutionShould : IAsyncLifetime
{
    private const string WhoAmI = "{ tenant { slug } viewer { id tenant } }";
    private TestHost _host = null!;
    private Tenant _a = null!;
    private Tenant _b = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _a = await _host.CreateTenantAsync("res-a", "dermatology");
        _b = await _host.CreateTenantAsync("res-b", "dermatology");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task UseTheTenantOfTheToken()
    {
        using var client = _host.Client(_host.Token(_a.Slug, "dr.a", "physician"));

        var result = await client.GraphQLAsync(WhoAmI);

        Assert.Equal(_a.Slug, result.DataOrThrow["tenant"]!["slug"]!.GetValue<string>());
    }

    [Fact]
    public async Task AcceptAHostNameOrHeaderThatAgreesWithTheToken()
    {
        using var client = _host.Client(_host.Token(_a.Slug, "dr.a", "physician"));

        var byHost = await client.GraphQLAsync(WhoAmI, configure: r => r.Headers.Host = $"{_a.Slug}.ehr.localhost");
        var byHeader = await client.GraphQLAsync(WhoAmI, configure: r => r.Headers.Add("X-Tenant", _a.Slug));

        Assert.Equal(_a.Slug, byHost.DataOrThrow["tenant"]!["slug"]!.GetValue<string>());
        Assert.Equal(_a.Slug, byHeader.DataOrThrow["tenant"]!["slug"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("header")]
    [InlineData("host")]
    public async Task RefuseATokenForAnotherTenant(string via)
    {
        using var client = _host.Client(_host.Token(_a.Slug, "dr.a", "physician"));

        var result = await client.GraphQLAsync(WhoAmI, configure: r =>
        {
            if (via == "host")
            {
                r.Headers.Host = $"{_b.Slug}.ehr.localhost";
            }
            else
            {
                r.Headers.Add("X-Tenant", _b.Slug);
            }
        });

        Assert.Equal((403, "TENANT_MISMATCH"), (result.Status, result.Code));
    }

    [Fact]
    public async Task RefuseAHostAndHeaderThatDisagree()
    {
        using var client = _host.Client(_host.Token(null, "ops", "platform-admin"));

        var result = await client.GraphQLAsync(WhoAmI, configure: r =>
        {
            r.Headers.Host = $"{_a.Slug}.ehr.localhost";
            r.Headers.Add("X-Tenant", _b.Slug);
        });

        Assert.Equal((403, "TENANT_MISMATCH"), (result.Status, result.Code));
    }

    [Fact]
    public async Task AnswerAnUnknownTenantWith404()
    {
        using var client = _host.Client(_host.Token("ghost-" + Guid.NewGuid().ToString("N")[..6], "dr.a", "physician"));

        var result = await client.GraphQLAsync(WhoAmI);

        Assert.Equal((404, "TENANT_NOT_FOUND"), (result.Status, result.Code));
    }

    [Fact]
    public async Task AnswerASuspendedTenantWith403UntilItResumes()
    {
        var tenant = await _host.CreateTenantAsync("res-susp", "dermatology");
        var catalog = _host.Services.GetRequiredService<TenantCatalog>();
        using var client = _host.Client(_host.Token(tenant.Slug, "dr.a", "physician"));

        await catalog.SetStatusAsync(tenant.Slug, TenantStatus.Suspended, PlatformAdministration.Operator("tests"));
        var suspended = await client.GraphQLAsync(WhoAmI);
        await catalog.SetStatusAsync(tenant.Slug, TenantStatus.Active, PlatformAdministration.Operator("tests"));
        var resumed = await client.GraphQLAsync(WhoAmI);

        Assert.Equal((403, "TENANT_SUSPENDED"), (suspended.Status, suspended.Code));
        Assert.Equal(200, resumed.Status);
    }

    [Fact]
    public async Task RequireABearerToken()
    {
        using var client = _host.Client();

        var result = await client.GraphQLAsync(WhoAmI, configure: r => r.Headers.Add("X-Tenant", _a.Slug));

        Assert.Equal((401, "UNAUTHENTICATED"), (result.Status, result.Code));
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("alg-none")]
    [InlineData("foreign-key")]
    public async Task RefuseTokensThatWereNotSignedByUs(string kind)
    {
        var good = _host.Token(_a.Slug, "dr.a", "physician");
        var parts = good.Split('.');
        var token = kind switch
        {
            "tampered" => parts[0] + "." + parts[1][..^2] + (parts[1][^2] == 'A' ? "BB" : "AA") + "." + parts[2],
            "alg-none" => "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + ".",
            _ => await ForeignTokenAsync(),
        };
        using var client = _host.Client(token);

        var result = await client.GraphQLAsync(WhoAmI);

        Assert.Equal((401, "UNAUTHENTICATED"), (result.Status, result.Code));
    }

    [Fact]
    public async Task GiveAPlatformTokenNoAccessToTenantData()
    {
        using var client = _host.Client(_host.Token(null, "ops", "platform-admin"));

        var result = await client.GraphQLAsync("{ patients(first: 1) { edges { cursor } } }", configure: r => r.Headers.Add("X-Tenant", _a.Slug));

        Assert.Equal("FORBIDDEN", result.Code);
    }

    private async Task<string> ForeignTokenAsync()
    {
        // Another installation's key: same issuer and claims, different signature.
        await using var other = await TestHost.StartAsync();
        return other.Token(_a.Slug, "dr.a", "physician");
    }

    [Fact]
    public async Task ServeHealthWithoutATenant()
    {
        // Ready means every tenant is migrated, as `serve` does at start.
        await _host.Services.GetRequiredService<Ehr.Platform.Schema.SchemaMigrator>().MigrateTenantsAsync();
        using var client = _host.Client();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }
}
