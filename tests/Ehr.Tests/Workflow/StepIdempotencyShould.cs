using Ehr.Workflow.Runtime;
using static Ehr.Tests.Workflow.WorkflowValidationShould;
using static Ehr.Tests.Workflow.Workflows;

namespace Ehr.Tests.Workflow;

/// <summary>
/// What exactly-once resumption rests on: a step is a pure function of its arguments, a bookmark is consumed once and
/// a repeat says so, and the state stays the same size however long an instance lives.
/// </summary>
public sealed class StepIdempotencyShould
{
    private static readonly string Definition = W(
        [Start, Task("review", "\"approve\",\"returnForChanges\"", ""","escalations":[{"after":"P1D","notify":{"to":[{"role":"nurse"}],"template":"overdue"}}]"""),
         Node("wait", "timer", ""","duration":"PT1H" """), End()],
        [E("start", "review"), E("review", "wait", "returnForChanges"), E("wait", "review"), E("review", "done", "approve")]);

    [Fact]
    public void TreatATaskDecidedTwiceAsANoOp()
    {
        var run = new Run(Plan(Definition), Manual());
        var task = run.Task("review");
        run.Apply(new CompleteTask(task, "returnForChanges", "Add the dose.", "u1"));

        var again = run.Step(new CompleteTask(task, "returnForChanges", "Add the dose.", "u1"));

        Assert.Equal((StepStatus.NoOp, StepCodes.BookmarkConsumed), (again.Status, again.Code));
        Assert.Empty(again.Effects);
        Assert.Empty(again.History);
    }

    [Fact]
    public void TreatATimerFiringTwiceAsANoOp()
    {
        var run = new Run(Plan(Definition), Manual());
        run.Apply(new CompleteTask(run.Task("review"), "returnForChanges", "Add the dose.", "u1"));
        var timer = run.Single<ScheduleTimer>().BookmarkId;
        run.Apply(new FireTimer(timer), TimeSpan.FromHours(1));

        var twice = run.Step(new FireTimer(timer));

        Assert.Equal(StepCodes.BookmarkConsumed, twice.Code);
        Assert.Single(run.Tasks("review"));
    }

    [Fact]
    public void RefuseABookmarkTheInstanceNeverHad()
    {
        var run = new Run(Plan(Definition), Manual());

        Assert.Equal((StepStatus.Refused, StepCodes.BookmarkUnknown), (run.Step(new FireTimer("b999")).Status, run.Last.Code));
        Assert.Equal(StepCodes.BookmarkUnknown, run.Step(new FireTimer("t1")).Code);
    }

    [Fact]
    public void RefuseAnInputForAnotherKindOfBookmark()
    {
        var run = new Run(Plan(Definition), Manual());

        Assert.Equal(StepCodes.BookmarkKindMismatch, run.Step(new FireTimer(run.Task("review"))).Code);
        Assert.Equal(StepCodes.BookmarkKindMismatch, run.Step(new CompleteTask(run.Open(BookmarkKind.Escalation, "review").Id, "approve", null, "u1")).Code);
    }

    [Fact]
    public void RefuseAPlanOfAnotherVersion()
    {
        var run = new Run(Plan(Definition), Manual());

        var result = Engine.Step(Plan(Definition), run.State, new CompleteTask(run.Task("review"), "approve", null, "u1"), T0);

        Assert.Equal((StepStatus.Refused, StepCodes.WrongVersion), (result.Status, result.Code));
    }

    [Fact]
    public void GiveTheSameResultForTheSameArguments()
    {
        var plan = Plan(Fixture("intake-review"));
        var e = Event("form.submitted", "fr-1", """{"responseId":"fr-1","formKey":"phq-9","patientId":"p1","flagged":["phq9-suicide-flag"]}""");

        var first = Engine.Start(plan, StartWorkflow.For(Guid.Parse("11111111-0000-4000-8000-000000000000"), e), T0);
        var second = Engine.Start(plan, StartWorkflow.For(Guid.Parse("11111111-0000-4000-8000-000000000000"), e), T0);
        var input = new CompleteTask(first.State!.OpenBookmarks.First(b => b.Bookmark.Kind == BookmarkKind.Task).Bookmark.Id, "approve", null, "nurse-1");
        var next1 = Engine.Step(plan, first.State, input, T0.AddHours(1));
        var next2 = Engine.Step(plan, second.State!, input, T0.AddHours(1));

        Assert.Equal(Serialize(first), Serialize(second));
        Assert.Equal(Serialize(next1), Serialize(next2));
    }

    [Fact]
    public void LeaveTheStateItWasGivenAsItWas()
    {
        var run = new Run(Plan(Definition), Manual());
        var before = InstanceStateJson.Serialize(run.State);
        var state = run.State;

        Engine.Step(Plan(Definition, state.DefinitionVersionId), state, new CompleteTask(run.Task("review"), "approve", null, "u1"), T0);

        Assert.Equal(before, InstanceStateJson.Serialize(state));
    }

    [Fact]
    public void ScheduleTimersUnderTheirBookmarksIds()
    {
        var run = new Run(Plan(Definition), Manual());

        var scheduled = run.Single<ScheduleTimer>();

        Assert.Equal(BookmarkKind.Escalation, run.State.FindBookmark(scheduled.BookmarkId)!.Value.Bookmark.Kind);
        Assert.Matches("^b[0-9]+$", scheduled.BookmarkId);
    }

    [Fact]
    public void WriteEffectsThatReadBackTheSame()
    {
        var run = new Run(Plan(Fixture("note-cosignature")), StartWorkflow.For(Guid.NewGuid(),
            Event("note.signed", "n1", """{"authorRole":"resident","authorId":"res-1","supervisorId":"dr-lee"}""")));
        run.Apply(new ActionCompleted(run.Single<InvokeAction>().BookmarkId, "done"));

        foreach (var effect in run.Effects)
        {
            var json = InstanceStateJson.Serialize(effect);
            Assert.Contains("\"type\":", json, StringComparison.Ordinal);
            Assert.Equal(json, InstanceStateJson.Serialize(InstanceStateJson.DeserializeEffect(json)));
        }
    }

    [Fact]
    public void KeepTheStateTheSameSizeHoweverLongTheInstanceRuns()
    {
        var run = new Run(Plan(Definition), Manual());
        int Size() => InstanceStateJson.Serialize(run.State).Length;
        void Loop()
        {
            run.Apply(new CompleteTask(run.Task("review"), "returnForChanges", "Again.", "u1"));
            run.Apply(new FireTimer(run.Single<ScheduleTimer>().BookmarkId), TimeSpan.FromHours(1));
        }

        Loop();
        var early = Size();
        for (var i = 0; i < 200; i++) Loop();

        // Ids grow by a digit or two; the history (1 600 entries by now) is not in the state.
        Assert.InRange(Size(), early, early + 40);
        Assert.True(run.History.Count > 1000);
    }

    private static string Serialize(StepResult result) =>
        string.Join("\n", new[] { InstanceStateJson.Serialize(result.State!) }
            .Concat(result.Effects.Select(InstanceStateJson.Serialize))
            .Concat(result.History.Select(h => System.Text.Json.JsonSerializer.Serialize(h))));
}
