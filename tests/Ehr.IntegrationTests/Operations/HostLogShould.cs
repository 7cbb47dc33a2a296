using Ehr.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ehr.IntegrationTests.Operations;

/// <summary>Hosts side by side in one process (tests, benchmarks) each write their log to their own sinks.</summary>
public sealed class HostLogShould
{
    [Fact]
    public async Task GoToTheHostThatLoggedItWhenAnotherHostStartedLater()
    {
        await using var first = await TestHost.StartAsync();
        await using var second = await TestHost.StartAsync();
        var marker = Guid.NewGuid().ToString("N");

        first.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ehr.Tests.HostLog").LogWarning("first host {Marker}", marker);

        Assert.Contains(marker, await first.ReadLogAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(marker, await second.ReadLogAsync(), StringComparison.Ordinal);
    }
}
