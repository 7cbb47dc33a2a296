using System.Net;
using Ehr.IntegrationTests.Infrastructure;

namespace Ehr.IntegrationTests.Operations;

public sealed class JobsDashboardShould : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task OpenOnlyForPlatformAdmins()
    {
        using var anonymous = _host.Client();
        using var physician = _host.Client(_host.Token(null, "dr.a", "physician"));
        using var admin = _host.Client(_host.Token(null, "ops", "platform-admin"));

        var none = await anonymous.GetAsync("/jobs");
        var wrongRole = await physician.GetAsync("/jobs/recurring");
        var allowed = await admin.GetAsync("/jobs/recurring");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongRole.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("Ehr.Saas jobs", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
