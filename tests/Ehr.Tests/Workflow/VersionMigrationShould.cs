using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using static Ehr.Tests.Workflow.WorkflowValidationShould;
using static Ehr.Tests.Workflow.Workflows;

namespace Ehr.Tests.Workflow;

/// <summary>
/// Instances stay on the version they started with; moving one is explicit, and allowed only while everything it
/// waits for means the same in both versions. Every reason it is refused is given.
/// </summary>
public sealed class VersionMigrationShould
{
    private static readonly WorkflowPlan V1 = Plan(W([Start, Task("review", "\"approve\",\"reject\""), End()],
        [E("start", "review"), E("review", "done", "approve"), E("review", "done", "reject")]));

    private static Run Waiting() => new(V1, Manual());

    [Fact]
    public void MoveAWaitingInstanceAndGoOnByTheNewVersion()
    {
        var v2 = Plan(W([Start, Task("review", "\"approve\",\"reject\""), Node("tell", "notify", ""","to":[{"user":"u9"}],"template":"approved" """), End()],
            [E("start", "review"), E("review", "tell", "approve"), E("review", "done", "reject"), E("tell", "done")], """{"channel":{"type":"string","default":"portal"}}"""));
        var run = Waiting();
        var task = run.Task("review");

        var check = WorkflowEngine.CheckMigration(run.State, V1, v2);
        var moved = WorkflowEngine.Migrate(run.State, V1, v2, "admin", T0.AddHours(1));
        var next = Engine.Step(v2, moved.State!, new CompleteTask(task, "approve", null, "dr-lee"), T0.AddHours(2));

        Assert.True(check.Allowed);
        Assert.Equal((StepStatus.Applied, v2.VersionId), (moved.Status, moved.State!.DefinitionVersionId));
        Assert.Equal("\"portal\"", moved.State.Variables["channel"].GetRawText());
        Assert.Equal((HistoryKinds.Migrated, "admin"), (moved.History.Single().What, moved.History.Single().ActorId));
        Assert.Empty(moved.Effects);
        Assert.Equal("approved", next.Effects.OfType<SendNotification>().Single().Template);
        Assert.Equal(StepCodes.WrongVersion, Engine.Step(V1, moved.State, new CompleteTask(task, "approve", null, "dr-lee"), T0).Code);
    }

    [Fact]
    public void RefuseWhileWaitingAtANodeTheNewVersionDropped()
    {
        var v2 = Plan(W([Start, Task("triage", "\"approve\",\"reject\""), End()], [E("start", "triage"), E("triage", "done", "approve"), E("triage", "done", "reject")]));

        var reason = Assert.Single(WorkflowEngine.CheckMigration(Waiting().State, V1, v2).Reasons);

        Assert.Equal(("review", MigrationCodes.NodeMissing), (reason.NodeId, reason.Code));
    }

    [Fact]
    public void RefuseWhileWaitingAtANodeThatChangedKind()
    {
        var v2 = Plan(W([Start, Node("review", "timer", ""","duration":"P1D" """), End()], [E("start", "review"), E("review", "done")]));

        var reason = Assert.Single(WorkflowEngine.CheckMigration(Waiting().State, V1, v2).Reasons);

        Assert.Equal(("review", MigrationCodes.NodeKindChanged), (reason.NodeId, reason.Code));
    }

    [Fact]
    public void RefuseWhenAnOpenTaskWouldOfferOtherOutcomes()
    {
        var v2 = Plan(W([Start, Task("review", "\"approve\",\"returnForChanges\""), End()],
            [E("start", "review"), E("review", "done", "approve"), E("review", "done", "returnForChanges")]));

        Assert.Equal(MigrationCodes.OutcomesChanged, Assert.Single(WorkflowEngine.CheckMigration(Waiting().State, V1, v2).Reasons).Code);
    }

    [Fact]
    public void RefuseInsideBranchesWhoseSplitChanged()
    {
        static WorkflowPlan Fan(int branches) => Plan(W(
            [Start, Node("fan", "split"), .. Enumerable.Range(0, branches).Select(i => Task($"t{i}")), Node("join", "join", ""","mode":"all" """), End()],
            [E("start", "fan"), .. Enumerable.Range(0, branches).SelectMany(i => new[] { E("fan", $"t{i}"), E($"t{i}", "join", "approve") }), E("join", "done")]));
        var v1 = Fan(2);
        var run = new Run(v1, Manual());
        run.Apply(new CompleteTask(run.Task("t0"), "approve", null, "u1"));

        var reasons = WorkflowEngine.CheckMigration(run.State, v1, Fan(3)).Reasons;

        Assert.Equal([("fan", MigrationCodes.JoinChanged)], reasons.Select(r => (r.NodeId, r.Code)));
        Assert.True(WorkflowEngine.CheckMigration(run.State, v1, Fan(2)).Allowed);
    }

    [Fact]
    public void RefuseAVariableTheNewVersionTypesDifferently()
    {
        var v1 = Plan(W([Start, Task("review"), End()], [E("start", "review"), E("review", "done", "approve")], """{"n":{"type":"number","default":3}}"""));
        var v2 = Plan(W([Start, Task("review"), End()], [E("start", "review"), E("review", "done", "approve")], """{"n":{"type":"string"}}"""));

        Assert.Equal(MigrationCodes.VariableTypeChanged, Assert.Single(WorkflowEngine.CheckMigration(new Run(v1, Manual()).State, v1, v2).Reasons).Code);
    }

    [Fact]
    public void GiveEveryReasonAtOnceAndChangeNothing()
    {
        var run = Waiting();
        run.Apply(new CompleteTask(run.Task("review"), "approve", null, "u1"));
        var v2 = Plan(W([Start, End()], [E("start", "done")]));

        var moved = WorkflowEngine.Migrate(run.State, V1, v2, "admin", T0);

        Assert.Equal((StepStatus.Refused, StepCodes.MigrationRefused), (moved.Status, moved.Code));
        Assert.Same(run.State, moved.State);
        Assert.Equal([MigrationCodes.NotRunning], WorkflowEngine.CheckMigration(run.State, V1, v2).Reasons.Select(r => r.Code));
        Assert.Equal([MigrationCodes.SameVersion], WorkflowEngine.CheckMigration(Waiting().State, V1, V1).Reasons.Select(r => r.Code));
        Assert.Contains(MigrationCodes.WrongSource, WorkflowEngine.CheckMigration(Waiting().State, v2, V1).Reasons.Select(r => r.Code));
    }
}
