using System.Net;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;

namespace Ehr.IntegrationTests.Tenancy;

/// <summary>
/// Behind a TLS-terminating proxy the host believes X-Forwarded-For / X-Forwarded-Proto from the configured proxies
/// only: the audit log records the real client, plain HTTP from the proxy counts as HTTPS, and anyone else's
/// forwarded headers change nothing.
/// </summary>
public sealed class TrustedProxiesShould : IAsyncLifetime
{
    private const string Log = "query($id: String) { auditLog(resourceId: $id, first: 1) { edges { node { clientAddress } } } }";

    private TestHost _behindProxy = null!;

    public async Task InitializeAsync() =>
        _behindProxy = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Network:TrustedProxies"] = "127.0.0.1, 10.0.0.0/8",
            ["Identity:RequireHttps"] = "true",
            ["Identity:Issuer"] = "https://ehr.proxy.test/",
        });

    public async Task DisposeAsync() => await _behindProxy.DisposeAsync();

    [Fact]
    public async Task RecordTheForwardedClientAddressFromATrustedProxy()
    {
        Assert.Equal("203.0.113.7", await ClientAddressRecordedAsync(_behindProxy, "203.0.113.7"));
    }

    [Fact]
    public async Task IgnoreForwardedHeadersFromAnyoneElse()
    {
        Assert.Equal("127.0.0.1", await ClientAddressRecordedAsync(await TestHost.SharedAsync(), "203.0.113.7"));
    }

    [Fact]
    public async Task TreatPlainHttpFromTheProxyAsHttpsOnlyWhenItSaysSo()
    {
        using var plain = _behindProxy.Client();
        using var refused = await plain.GetAsync("/.well-known/openid-configuration");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var forwarded = await plain.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
    }

    [Fact]
    public async Task RefuseToStartRequiringHttpsWithAPlainHttpIssuer()
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => TestHost.StartAsync(
            new Dictionary<string, string?> { ["Identity:RequireHttps"] = "true", ["Identity:Issuer"] = "http://ehr.proxy.test/" }));
        Assert.Contains("Identity:Issuer", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("10.0.0.0/99")]
    public async Task RefuseToStartWithAProxyThatIsNotAnAddress(string setting)
    {
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            TestHost.StartAsync(new Dictionary<string, string?> { ["Network:TrustedProxies"] = setting }));
        Assert.Contains("Network:TrustedProxies", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ClientAddressRecordedAsync(TestHost host, string forwardedFor)
    {
        var tenant = await host.CreateTenantAsync("proxy");
        using var nurse = host.Client(host.Token(tenant.Slug, "nurse.proxy", "nurse"));
        nurse.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        var id = (await nurse.RegisterAsync(PatientGraph.Input("Proxy", "Patient")))["id"]!.GetValue<string>();

        using var admin = host.Client(host.Token(tenant.Slug, "admin.proxy", "tenant-admin"));
        return (await admin.GraphQLAsync(Log, new { id })).DataOrThrow["auditLog"]!["edges"]![0]!["node"]!["clientAddress"]!.GetValue<string>();
    }
}
