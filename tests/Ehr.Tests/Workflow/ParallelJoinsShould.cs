using Ehr.Workflow.Runtime;
using static Ehr.Tests.Workflow.WorkflowValidationShould;
using static Ehr.Tests.Workflow.Workflows;

namespace Ehr.Tests.Workflow;

/// <summary>Parallel branches and their joins: all, any, n of m, nesting, loops, and what happens to the branches a join no longer needs.</summary>
public sealed class ParallelJoinsShould
{
    private static Run ThreeBranches(string join) =>
        new(Plan(W([Start, Node("fan", "split"), Task("a"), Task("b"), Node("c", "timer", ""","duration":"P1D" """), Node("join", "join", join), Task("after"), End()],
            [E("start", "fan"), E("fan", "a"), E("fan", "b"), E("fan", "c"), E("a", "join", "approve"), E("b", "join", "approve"), E("c", "join"),
             E("join", "after"), E("after", "done", "approve")])), Manual());

    [Fact]
    public void StartEveryBranchAtOnce()
    {
        var run = ThreeBranches(""","mode":"all" """);

        Assert.Equal(["a", "b"], run.Emitted<CreateTask>().Select(t => t.NodeId));
        Assert.Single(run.Emitted<ScheduleTimer>());
        Assert.Equal(3, run.State.Tokens.Count);
        Assert.Single(run.State.Tokens.SelectMany(t => t.Forks).Select(f => f.ActivationId).Distinct());
    }

    [Fact]
    public void WaitForEveryBranchOfAnAllJoin()
    {
        var run = ThreeBranches(""","mode":"all" """);
        var timer = run.Open(BookmarkKind.Timer, "c").Id;

        run.Apply(new CompleteTask(run.Task("a"), "approve", null, "u1"));
        run.Apply(new FireTimer(timer), TimeSpan.FromDays(1));
        Assert.Empty(run.Tasks("after"));
        Assert.Single(run.State.Joins);

        run.Apply(new CompleteTask(run.Task("b"), "approve", null, "u2"));

        Assert.Single(run.Tasks("after"));
        Assert.Empty(run.State.Joins);
        Assert.Empty(Assert.Single(run.State.Tokens).Forks);
        Assert.Empty(run.Effects.OfType<CancelTask>());
    }

    [Fact]
    public void GoOnWithTheFirstBranchOfAnAnyJoinAndCancelTheOthers()
    {
        var run = ThreeBranches(""","mode":"any" """);
        var (a, b, timer) = (run.Task("a"), run.Task("b"), run.Open(BookmarkKind.Timer, "c").Id);

        run.Apply(new CompleteTask(b, "approve", null, "u2"));

        Assert.Single(run.Tasks("after"));
        Assert.Equal(a, run.Single<CancelTask>().BookmarkId);
        Assert.Equal(timer, run.Single<CancelTimer>().BookmarkId);
        Assert.Single(run.State.Tokens);
        Assert.Equal(2, run.Last.History.Count(h => h.What == HistoryKinds.BranchCancelled));
    }

    [Fact]
    public void GoOnAfterNOfMBranchesAndCancelTheRest()
    {
        var run = ThreeBranches(""","mode":"nOfM","count":2""");
        var (a, b, timer) = (run.Task("a"), run.Task("b"), run.Open(BookmarkKind.Timer, "c").Id);

        run.Apply(new FireTimer(timer), TimeSpan.FromDays(1));
        Assert.Empty(run.Tasks("after"));
        run.Apply(new CompleteTask(a, "approve", null, "u1"));

        Assert.Single(run.Tasks("after"));
        Assert.Equal(b, run.Single<CancelTask>().BookmarkId);
    }

    [Fact]
    public void IgnoreWhatArrivesForABranchThatWasCancelled()
    {
        var plan = Plan(W([Start, Node("fan", "split"), Task("a"), Node("b", "action", ""","action":"counter.add","inputs":{"value":"1"}"""),
                Node("join", "join", ""","mode":"any" """), Task("after"), End()],
            [E("start", "fan"), E("fan", "a"), E("fan", "b"), E("a", "join", "approve"), E("b", "join", "done"), E("join", "after"), E("after", "done", "approve")]));
        var run = new Run(plan, Manual());
        var action = run.Single<InvokeAction>().BookmarkId;

        run.Apply(new CompleteTask(run.Task("a"), "approve", null, "u1"));
        var late = run.Step(new ActionCompleted(action, "done"));

        Assert.Equal((StepStatus.NoOp, StepCodes.BookmarkConsumed), (late.Status, late.Code));
        Assert.Single(run.Tasks("after"));
    }

    [Fact]
    public void JoinNestedBranchesInsideOut()
    {
        var plan = Plan(W([Start, Node("outer", "split"), Node("inner", "split"), Task("a"), Task("b"), Task("c"), Node("innerJoin", "join", ""","mode":"any" """),
                Node("outerJoin", "join", ""","mode":"all" """), Task("after"), End()],
            [E("start", "outer"), E("outer", "inner"), E("outer", "c"), E("inner", "a"), E("inner", "b"), E("a", "innerJoin", "approve"),
             E("b", "innerJoin", "approve"), E("innerJoin", "outerJoin"), E("c", "outerJoin", "approve"), E("outerJoin", "after"), E("after", "done", "approve")]));
        var run = new Run(plan, Manual());
        Assert.Equal(2, run.State.Tokens.Single(t => t.NodeId == "a").Forks.Count);

        run.Apply(new CompleteTask(run.Task("a"), "approve", null, "u1"));
        Assert.Empty(run.Tasks("b"));
        Assert.Empty(run.Tasks("after"));
        run.Apply(new CompleteTask(run.Task("c"), "approve", null, "u3"));

        Assert.Single(run.Tasks("after"));
        Assert.Empty(run.State.Joins);
    }

    [Fact]
    public void CancelANestedJoinsWaitWhenItsBranchIsCancelled()
    {
        var plan = Plan(W([Start, Node("outer", "split"), Node("inner", "split"), Task("a"), Task("b"), Task("c"), Node("innerJoin", "join", ""","mode":"all" """),
                Node("outerJoin", "join", ""","mode":"any" """), Task("after"), End()],
            [E("start", "outer"), E("outer", "inner"), E("outer", "c"), E("inner", "a"), E("inner", "b"), E("a", "innerJoin", "approve"),
             E("b", "innerJoin", "approve"), E("innerJoin", "outerJoin"), E("c", "outerJoin", "approve"), E("outerJoin", "after"), E("after", "done", "approve")]));
        var run = new Run(plan, Manual());
        run.Apply(new CompleteTask(run.Task("a"), "approve", null, "u1"));
        Assert.Single(run.State.Joins);

        run.Apply(new CompleteTask(run.Task("c"), "approve", null, "u3"));

        Assert.Empty(run.State.Joins);
        Assert.Single(run.Emitted<CancelTask>());
        Assert.Single(run.Tasks("after"));
    }

    [Fact]
    public void CountEachPassThroughASplitOnItsOwn()
    {
        var plan = Plan(W([Start, Node("fan", "split"), Task("a"), Task("b"), Node("join", "join", ""","mode":"all" """),
                Task("check", "\"approve\",\"returnForChanges\""), End()],
            [E("start", "fan"), E("fan", "a"), E("fan", "b"), E("a", "join", "approve"), E("b", "join", "approve"), E("join", "check"),
             E("check", "fan", "returnForChanges"), E("check", "done", "approve")]));
        var run = new Run(plan, Manual());
        var first = run.State.Tokens[0].Forks[0].ActivationId;

        run.Apply(new CompleteTask(run.Task("a"), "approve", null, "u1"));
        run.Apply(new CompleteTask(run.Task("b"), "approve", null, "u2"));
        run.Apply(new CompleteTask(run.Task("check"), "returnForChanges", "Again.", "u3"));
        var second = run.State.Tokens[0].Forks[0].ActivationId;
        run.Apply(new CompleteTask(run.Task("a"), "approve", null, "u1"));
        Assert.Empty(run.Tasks("check"));
        run.Apply(new CompleteTask(run.Task("b"), "approve", null, "u2"));

        Assert.NotEqual(first, second);
        Assert.Single(run.Tasks("check"));
    }

    [Fact]
    public void JoinBranchesThatArriveInTheSameStep()
    {
        var plan = Plan(W([Start, Node("fan", "split"), Node("tell", "notify", ""","to":[{"user":"u1"}],"template":"started" """),
                Node("calc", "set", ""","assign":{"n":"1"}"""), Node("join", "join", ""","mode":"all" """), Task("after"), End()],
            [E("start", "fan"), E("fan", "tell"), E("fan", "calc"), E("tell", "join"), E("calc", "join"), E("join", "after"), E("after", "done", "approve")],
            """{"n":{"type":"number"}}"""));

        var run = new Run(plan, Manual());

        Assert.Single(run.Tasks("after"));
        Assert.Empty(run.State.Joins);
    }

    [Fact]
    public void EndTheWholeInstanceWhenOneBranchReachesAnEnd()
    {
        var plan = Plan(W([Start, Node("fan", "split"), Task("a"), Task("b", "\"approve\",\"reject\""), Node("join", "join", ""","mode":"all" """), End(), End("stopped")],
            [E("start", "fan"), E("fan", "a"), E("fan", "b"), E("a", "join", "approve"), E("b", "join", "approve"), E("b", "stopped", "reject"), E("join", "done")]));
        var run = new Run(plan, Manual());
        var a = run.Task("a");

        run.Apply(new CompleteTask(run.Task("b"), "reject", "Not indicated.", "u2"));

        Assert.Equal(InstanceStatus.Completed, run.State.Status);
        Assert.Equal(a, run.Single<CancelTask>().BookmarkId);
        Assert.Empty(run.State.Tokens);
    }
}
