using Ehr.Workflow.Definitions;
using Ehr.Workflow.Store;
using static Ehr.Tests.Workflow.Workflows;

namespace Ehr.Tests.Workflow;

/// <summary>
/// The runtime's cache of runnable plans, keyed by tenant and published version id: a resume reuses the plan of its
/// version instead of reading, parsing and checking the definition again; a new version (a new id) gets its own plan;
/// the cache never holds more than its capacity.
/// </summary>
public sealed class WorkflowPlansShould
{
    private static readonly string V1 = Def(
        """[{"id":"start","kind":"start","trigger":{"type":"manual","inputs":{}}},{"id":"end","kind":"end","outcome":"first"}]""",
        """[{"from":"start","to":"end"}]""");

    private static readonly string V2 = Def(
        """[{"id":"start","kind":"start","trigger":{"type":"manual","inputs":{}}},{"id":"end","kind":"end","outcome":"second"}]""",
        """[{"from":"start","to":"end"}]""");

    private static Func<Task<WorkflowPlan>> Loading(string json, Guid version, List<Guid> loads) => () =>
    {
        loads.Add(version);
        return Task.FromResult(Plan(json, version));
    };

    [Fact]
    public async Task BuildAVersionsPlanOnceAndServeItAfterwards()
    {
        var plans = new WorkflowPlans(Definitions);
        var (tenant, version) = (Guid.NewGuid(), Guid.NewGuid());
        var loads = new List<Guid>();

        var first = await plans.GetOrLoadAsync(tenant, version, Loading(V1, version, loads));
        var second = await plans.GetOrLoadAsync(tenant, version, Loading(V1, version, loads));

        Assert.Same(first, second);
        Assert.Equal([version], loads);
    }

    [Fact]
    public async Task ServeANewVersionItsOwnPlanNotThePreviousOne()
    {
        var plans = new WorkflowPlans(Definitions);
        var tenant = Guid.NewGuid();
        var (v1, v2) = (Guid.NewGuid(), Guid.NewGuid());
        var loads = new List<Guid>();

        var old = await plans.GetOrLoadAsync(tenant, v1, Loading(V1, v1, loads));
        var current = await plans.GetOrLoadAsync(tenant, v2, Loading(V2, v2, loads));

        Assert.Equal(v1, old.VersionId);
        Assert.Equal(v2, current.VersionId);
        Assert.Equal("second", Assert.Single(current.Definition.Nodes, n => n.Id == "end").Outcome);
        Assert.Equal([v1, v2], loads);
    }

    [Fact]
    public async Task KeepTenantsApartForTheSameVersionId()
    {
        var plans = new WorkflowPlans(Definitions);
        var version = Guid.NewGuid();
        var loads = new List<Guid>();

        await plans.GetOrLoadAsync(Guid.NewGuid(), version, Loading(V1, version, loads));
        await plans.GetOrLoadAsync(Guid.NewGuid(), version, Loading(V1, version, loads));

        Assert.Equal(2, loads.Count);
    }

    [Fact]
    public async Task HoldNoMoreThanItsCapacityAndBuildAnEvictedPlanAgain()
    {
        var plans = new WorkflowPlans(Definitions, capacity: 3);
        var tenant = Guid.NewGuid();
        var versions = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToList();
        var loads = new List<Guid>();

        foreach (var version in versions)
        {
            await plans.GetOrLoadAsync(tenant, version, Loading(V1, version, loads));
            Assert.InRange(plans.Count, 1, 3);
        }

        // The oldest went first; the newest are still served from the cache.
        await plans.GetOrLoadAsync(tenant, versions[^1], Loading(V1, versions[^1], loads));
        Assert.Equal(10, loads.Count);
        await plans.GetOrLoadAsync(tenant, versions[0], Loading(V1, versions[0], loads));
        Assert.Equal(11, loads.Count);
        Assert.Equal(3, plans.Count);
    }

    [Fact]
    public async Task NotCacheAFailedLoad()
    {
        var plans = new WorkflowPlans(Definitions);
        var (tenant, version) = (Guid.NewGuid(), Guid.NewGuid());
        var loads = new List<Guid>();

        await Assert.ThrowsAsync<InvalidOperationException>(() => plans.GetOrLoadAsync(tenant, version, () => throw new InvalidOperationException("module gone")));
        var plan = await plans.GetOrLoadAsync(tenant, version, Loading(V1, version, loads));

        Assert.Equal(version, plan.VersionId);
        Assert.Single(loads);
    }
}
