using System.Reflection;

namespace Ehr.Tests.Architecture;

/// <summary>ARCHITECTURE.md: modules never reference the API layers or the host; the platform references no module.</summary>
public sealed class ModuleBoundariesShould
{
    private static readonly string[] ApiLayers = ["Ehr.GraphQL", "Ehr.Interop", "Ehr.Console", "Ehr.Host"];
    private static readonly string[] Modules = ["Ehr.Forms", "Ehr.Workflow", "Ehr.Clinical", "Ehr.Scheduling", "Ehr.Billing"];

    [Theory]
    [InlineData("Ehr.Platform")]
    [InlineData("Ehr.Clinical")]
    [InlineData("Ehr.Forms")]
    [InlineData("Ehr.Workflow")]
    public void KeepModulesAwayFromApiLayersAndHost(string module)
    {
        var references = References(module);

        Assert.Empty(references.Intersect(ApiLayers));
    }

    [Fact]
    public void KeepThePlatformFreeOfModules() =>
        Assert.Empty(References("Ehr.Platform").Intersect(Modules));

    [Theory]
    [InlineData("Ehr.Forms")]
    [InlineData("Ehr.Clinical")]
    [InlineData("Ehr.Workflow")]
    public void KeepModulesOffEachOther(string module) =>
        Assert.Empty(References(module).Intersect(Modules.Where(m => m != module)));

    [Fact]
    public void KeepTheGraphQLLayerOffTheHost() =>
        Assert.DoesNotContain("Ehr.Host", References("Ehr.GraphQL"));

    private static IReadOnlyList<string> References(string assembly) =>
        Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToList();
}
