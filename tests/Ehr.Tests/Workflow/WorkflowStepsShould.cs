using System.Text.Json;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Scripts;
using static Ehr.Tests.Workflow.WorkflowValidationShould;
using static Ehr.Tests.Workflow.Workflows;

namespace Ehr.Tests.Workflow;

/// <summary>Each node kind as the step function runs it: what it changes, what it asks the world to do, and what it records.</summary>
public sealed class WorkflowStepsShould
{
    private static string ManualStart(string inputs) => $$$"""{"id":"start","kind":"start","trigger":{"type":"manual","inputs":{{{inputs}}}}}""";

    [Fact]
    public void StartByHandWithItsInputsAndTheVariablesDefaults()
    {
        var plan = Plan(W([ManualStart("""{"amount":{"type":"number","required":true},"note":{"type":"string","default":"none"}}"""), Task("review"), End()],
            [E("start", "review"), E("review", "done", "approve")], """{"count":{"type":"number","default":0},"unset":{"type":"string"}}"""));

        var run = new Run(plan, Manual("""{"amount":120}"""));

        Assert.Equal(InstanceStatus.Running, run.State.Status);
        Assert.Equal(plan.VersionId, run.State.DefinitionVersionId);
        Assert.Equal(("120", "\"none\"", "0"), (run.Var("amount"), run.Var("note"), run.Var("count")));
        Assert.False(run.State.Variables.ContainsKey("unset"));
        Assert.Equal("review", Assert.Single(run.Emitted<CreateTask>()).NodeId);
        Assert.Equal([HistoryKinds.Started, HistoryKinds.NodePassed, HistoryKinds.TaskCreated], run.History.Select(h => h.What));
        Assert.All(run.History, h => Assert.Equal(1, h.Step));
    }

    [Fact]
    public void RefuseAManualStartWithMissingUnknownOrMistypedInputs()
    {
        var plan = Plan(W([ManualStart("""{"amount":{"type":"number","required":true},"note":{"type":"string"}}"""), End()], [E("start", "done")]));

        var result = Engine.Start(plan, Manual("""{"note":5,"colour":"red"}"""), T0);

        Assert.Equal((StepStatus.Refused, StepCodes.InputInvalid), (result.Status, result.Code));
        Assert.Null(result.State);
        Assert.Empty(result.Effects);
        Assert.Equal(["inputs.amount:REQUIRED", "inputs.colour:UNKNOWN_REFERENCE", "inputs.note:INVALID_FORMAT"],
            result.Problems!.Select(p => $"{p.Path}:{p.Code}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RefuseAStartThatDoesNotMatchTheTrigger()
    {
        var manual = Plan(W([Start, End()], [E("start", "done")]));
        var onEvent = Plan(W(["""{"id":"start","kind":"start","trigger":{"type":"event","event":"note.signed"}}""", End()], [E("start", "done")]));

        Assert.Equal(StepCodes.TriggerMismatch, Engine.Start(manual, StartWorkflow.For(Guid.NewGuid(), Event("note.signed", "n1", "{}")), T0).Code);
        Assert.Equal(StepCodes.TriggerMismatch, Engine.Start(onEvent, Manual(), T0).Code);
        Assert.Equal(StepCodes.TriggerMismatch, Engine.Start(onEvent, StartWorkflow.For(Guid.NewGuid(), Event("form.submitted", "r1", "{}")), T0).Code);
    }

    private static readonly string FilteredStart =
        """{"id":"start","kind":"start","trigger":{"type":"event","event":"note.signed","filter":"event.payload.authorRole === 'resident'"}}""";

    [Fact]
    public void StartOnAnEventOnlyWhenItsFilterIsTrue()
    {
        var plan = Plan(W([FilteredStart, Task("cosign"), End()], [E("start", "cosign"), E("cosign", "done", "approve")]));

        var skipped = Engine.Start(plan, StartWorkflow.For(Guid.NewGuid(), Event("note.signed", "n1", """{"authorRole":"physician"}""")), T0);
        var run = new Run(plan, StartWorkflow.For(Guid.NewGuid(), Event("note.signed", "n2", """{"authorRole":"resident"}""")));

        Assert.Equal((StepStatus.NotStarted, StepCodes.FilterFalse, null), (skipped.Status, skipped.Code, skipped.State));
        Assert.Equal(new WorkflowSubject("Note", "n2", Clinic), run.State.Subject);
        Assert.Equal("note.signed", run.State.Event!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public void HoldAnEventWhoseFilterFailsAsAnIncident()
    {
        var plan = Plan(W([FilteredStart.Replace("event.payload.authorRole === 'resident'", "event.payload.author.role === 'resident'", StringComparison.Ordinal), End()],
            [E("start", "done")]));
        var run = new Run(plan, StartWorkflow.For(Guid.NewGuid(), Event("note.signed", "n1", """{"authorRole":"resident"}""")));

        var incident = run.Single<RaiseIncident>();
        Assert.Equal(("start", ScriptFailureCodes.Error), (incident.NodeId, incident.Code));
        Assert.Equal(InstanceStatus.Running, run.State.Status);

        run.Apply(new RetryIncident(incident.BookmarkId, "admin"));

        Assert.Equal(incident.BookmarkId, run.Single<ResolveIncident>().BookmarkId);
        Assert.NotEqual(incident.BookmarkId, run.Single<RaiseIncident>().BookmarkId);
        run.Apply(new CancelInstance("admin", "filter is broken"));
        Assert.Equal((InstanceStatus.Cancelled, "filter is broken"), (run.State.Status, run.State.Outcome));
    }

    private static string Decision(string cases, string otherwise = "low") =>
        Node("route", "decision", $$""","cases":{{cases}},"otherwise":"{{otherwise}}" """);

    [Theory]
    [InlineData(500, "high")]
    [InlineData(50, "mid")]
    [InlineData(5, "low")]
    public void TakeTheFirstDecisionCaseThatHolds(int amount, string outcome)
    {
        var plan = Plan(W([ManualStart("""{"amount":{"type":"number","required":true}}"""),
                Decision("""[{"when":"vars.amount > 100","outcome":"high"},{"when":"vars.amount > 10","outcome":"mid"},{"when":"vars.amount > 1000","outcome":"high"}]"""),
                End("high"), End("mid"), End("low")],
            [E("start", "route"), E("route", "high", "high"), E("route", "mid", "mid"), E("route", "low", "low")]));

        var run = new Run(plan, Manual($$"""{"amount":{{amount}}}"""));

        Assert.Equal(InstanceStatus.Completed, run.State.Status);
        Assert.Equal(outcome, run.History.Single(h => h.What == HistoryKinds.NodePassed && h.NodeId == "route").Outcome);
        Assert.Empty(run.State.Tokens);
    }

    [Fact]
    public void RaiseAnIncidentForADecisionThatIsNotTrueOrFalse()
    {
        var plan = Plan(W([Start, Decision("""[{"when":"'yes'","outcome":"high"}]"""), End("high"), End("low")],
            [E("start", "route"), E("route", "high", "high"), E("route", "low", "low")]));

        var run = new Run(plan, Manual());

        Assert.Equal(IncidentCodes.DecisionNotBoolean, run.Single<RaiseIncident>().Code);
        Assert.Equal("route", Assert.Single(run.State.Tokens).NodeId);
    }

    [Fact]
    public void SetVariablesAllOrNothing()
    {
        var plan = Plan(W([Start, Task("wait"), Node("calc", "set", ""","assign":{"a":"vars.a + 1","b":"vars.a * 10","c":"vars.fail ? null.x : 'ok'"}"""), Task("after"), End()],
            [E("start", "wait"), E("wait", "calc", "approve"), E("calc", "after"), E("after", "done", "approve")],
            """{"a":{"type":"number","default":1},"b":{"type":"number","default":0},"c":{"type":"string","default":""},"fail":{"type":"boolean","default":true}}"""));
        var run = new Run(plan, Manual());

        run.Apply(new CompleteTask(run.Task("wait"), "approve", null, "u1"));

        Assert.Equal(ScriptFailureCodes.Error, run.Single<RaiseIncident>().Code);
        Assert.Equal(("1", "0", "\"\""), (run.Var("a"), run.Var("b"), run.Var("c")));
    }

    [Fact]
    public void SetVariablesInOrderEachSeeingTheOnesBefore()
    {
        var plan = Plan(W([Start, Node("calc", "set", ""","assign":{"a":"vars.a + 1","b":"vars.a * 10"}"""), Task("after"), End()],
            [E("start", "calc"), E("calc", "after"), E("after", "done", "approve")], """{"a":{"type":"number","default":1},"b":{"type":"number"}}"""));

        var run = new Run(plan, Manual());

        Assert.Equal(("2", "20"), (run.Var("a"), run.Var("b")));
    }

    [Fact]
    public void RefuseToSetAVariableToAValueOfAnotherType()
    {
        var plan = Plan(W([Start, Node("calc", "set", ""","assign":{"n":"'ten'"}"""), End()], [E("start", "calc"), E("calc", "done")],
            """{"n":{"type":"number","default":0}}"""));

        var run = new Run(plan, Manual());

        Assert.Equal(IncidentCodes.ValueType, run.Single<RaiseIncident>().Code);
        Assert.Equal("0", run.Var("n"));
    }

    [Fact]
    public void NeverLetAScriptChangeAVariable()
    {
        var plan = Plan(W([Start, Decision("""[{"when":"(vars.n = 99) && false","outcome":"high"}]"""), Task("after"), End()],
            [E("start", "route"), E("route", "done", "high"), E("route", "after", "low"), E("after", "done", "approve")], """{"n":{"type":"number","default":1}}"""));

        var run = new Run(plan, Manual());

        Assert.Equal("1", run.Var("n"));
    }

    [Fact]
    public void WaitOnATimerUntilItFires()
    {
        var plan = Plan(W([Start, Node("wait", "timer", ""","duration":"PT90M" """), End()], [E("start", "wait"), E("wait", "done")]));
        var run = new Run(plan, Manual());

        var timer = run.Single<ScheduleTimer>();
        Assert.Equal((T0.AddMinutes(90), BookmarkKind.Timer), (timer.DueAt, timer.Purpose));
        Assert.Equal(timer.BookmarkId, run.Open(BookmarkKind.Timer, "wait").Id);

        run.Apply(new FireTimer(timer.BookmarkId), TimeSpan.FromMinutes(90));

        Assert.Equal(InstanceStatus.Completed, run.State.Status);
        Assert.Equal(new CompleteInstance(InstanceStatus.Completed, null), run.Single<CompleteInstance>());
    }

    [Theory]
    [InlineData("new Date(Date.parse(now) + 3 * 86400000).toISOString()", "2026-03-05T09:00:00Z")]
    [InlineData("'2026-04-01T08:30:00+02:00'", "2026-04-01T06:30:00Z")]
    public void WaitUntilTheDateAnExpressionGives(string at, string due)
    {
        var plan = Plan(W([Start, Node("wait", "timer", $$""","at":"{{at}}" """), End()], [E("start", "wait"), E("wait", "done")]));

        var run = new Run(plan, Manual());

        Assert.Equal(DateTimeOffset.Parse(due, System.Globalization.CultureInfo.InvariantCulture), run.Single<ScheduleTimer>().DueAt);
    }

    [Fact]
    public void PassATimerWhoseTimeHasAlreadyCome()
    {
        var plan = Plan(W([Start, Node("wait", "timer", ""","at":"'2020-01-01T00:00:00Z'" """), End()], [E("start", "wait"), E("wait", "done")]));

        var run = new Run(plan, Manual());

        Assert.Equal(InstanceStatus.Completed, run.State.Status);
        Assert.Empty(run.Emitted<ScheduleTimer>());
    }

    [Fact]
    public void RaiseAnIncidentForADateExpressionThatGivesNoDate()
    {
        var plan = Plan(W([Start, Node("wait", "timer", ""","at":"'next tuesday'" """), End()], [E("start", "wait"), E("wait", "done")]));

        Assert.Equal(IncidentCodes.DateInvalid, new Run(plan, Manual()).Single<RaiseIncident>().Code);
    }

    [Fact]
    public void NotifyEachRecipientWithTheTemplatesData()
    {
        var plan = Plan(W([Start, Node("tell", "notify", """
            ,"to":[{"role":"nurse","atSubjectLocation":true},{"user":"u7"},{"patient":"subject.id"},{"expression":"'u' + (1 + 1)"}],
             "template":"refill-approved","data":{"medication":"'lisinopril'","count":"vars.n * 2"}
            """), End()], [E("start", "tell"), E("tell", "done")], """{"n":{"type":"number","default":15}}"""));

        var sent = new Run(plan, Manual()).Effects.OfType<SendNotification>().Single();

        Assert.Equal(
            [new NotificationRecipient("nurse", null, Clinic, null), new NotificationRecipient(null, "u7", null, null),
             new NotificationRecipient(null, null, null, "p1"), new NotificationRecipient(null, "u2", null, null)],
            sent.Recipients);
        Assert.Equal(("refill-approved", "inbox", """{"medication":"lisinopril","count":30}"""), (sent.Template, sent.Channel, sent.Data.GetRawText()));
        Assert.Matches("^n[0-9]+$", sent.NotificationId);
    }

    private static readonly string Flag =
        Node("flag", "action", ""","action":"patient.flag","inputs":{"patientId":"subject.id","flag":"'fall-risk'"},"output":"flagged" """);

    [Fact]
    public void InvokeAnActionAndGoOnByTheOutcomeItReports()
    {
        var plan = Plan(W([Start, Flag, End()], [E("start", "flag"), E("flag", "done", "done")], """{"flagged":{"type":"object"}}"""));
        var run = new Run(plan, Manual());

        var invoke = run.Single<InvokeAction>();
        Assert.Equal(("patient.flag", """{"patientId":"p1","flag":"fall-risk"}"""), (invoke.Action, invoke.Inputs.GetRawText()));

        run.Apply(new ActionCompleted(invoke.BookmarkId, "done", J("""{"flagId":"f9"}""")));

        Assert.Equal(InstanceStatus.Completed, run.State.Status);
        Assert.Equal("""{"flagId":"f9"}""", run.Var("flagged"));
    }

    [Fact]
    public void RefuseAnActionResultWithAnOutcomeTheActionDoesNotHave()
    {
        var plan = Plan(W([Start, Flag, End()], [E("start", "flag"), E("flag", "done", "done")], """{"flagged":{"type":"object"}}"""));
        var run = new Run(plan, Manual());

        var result = run.Step(new ActionCompleted(run.Single<InvokeAction>().BookmarkId, "exploded"));

        Assert.Equal((StepStatus.Refused, StepCodes.OutcomeNotAllowed), (result.Status, result.Code));
    }

    [Fact]
    public void HoldAFailedActionAsAnIncidentAndInvokeItAgainOnRetry()
    {
        var plan = Plan(W([Start, Flag, End()], [E("start", "flag"), E("flag", "done", "done")], """{"flagged":{"type":"object"}}"""));
        var run = new Run(plan, Manual());
        var first = run.Single<InvokeAction>();

        run.Apply(new ActionFailed(first.BookmarkId, "CHART_LOCKED", "The chart is locked for merging."));
        var incident = run.Single<RaiseIncident>();
        run.Apply(new RetryIncident(incident.BookmarkId, "admin"));

        Assert.Equal(IncidentCodes.ActionFailed, incident.Code);
        Assert.Contains("CHART_LOCKED", incident.Message, StringComparison.Ordinal);
        var again = run.Single<InvokeAction>();
        Assert.NotEqual(first.BookmarkId, again.BookmarkId);
        Assert.Equal(first.Inputs.GetRawText(), again.Inputs.GetRawText());
        Assert.Equal(StepCodes.BookmarkConsumed, run.Step(new ActionCompleted(first.BookmarkId, "done")).Code);
    }

    [Fact]
    public void RaiseAnIncidentForAnActionInputOfTheWrongType()
    {
        var plan = Plan(W([Start, Node("add", "action", ""","action":"counter.add","inputs":{"value":"'seven'"}"""), End()], [E("start", "add"), E("add", "done", "done")]));

        Assert.Equal(IncidentCodes.ValueType, new Run(plan, Manual()).Single<RaiseIncident>().Code);
    }

    [Fact]
    public void CompleteAtAnEndAndIgnoreWhatComesAfter()
    {
        var plan = Plan(W([Start, Task("review"), """{"id":"done","kind":"end","outcome":"approved"}"""], [E("start", "review"), E("review", "done", "approve")]));
        var run = new Run(plan, Manual());
        var task = run.Task("review");

        run.Apply(new CompleteTask(task, "approve", null, "u1"));
        var again = run.Step(new CompleteTask(task, "approve", null, "u1"));

        Assert.Equal((InstanceStatus.Completed, "approved"), (run.State.Status, run.State.Outcome));
        Assert.Equal((StepStatus.NoOp, StepCodes.InstanceClosed), (again.Status, again.Code));
    }

    [Fact]
    public void CancelEverythingOpenWhenAnAdminCancels()
    {
        var plan = Plan(W([Start, Node("both", "split"), Task("review"), Node("wait", "timer", ""","duration":"P1D" """), Node("join", "join", ""","mode":"all" """), End()],
            [E("start", "both"), E("both", "review"), E("both", "wait"), E("review", "join", "approve"), E("wait", "join"), E("join", "done")]));
        var run = new Run(plan, Manual());
        var task = run.Task("review");
        var timer = run.Open(BookmarkKind.Timer, "wait").Id;

        run.Apply(new CancelInstance("admin", "duplicate request"));

        Assert.Equal((InstanceStatus.Cancelled, "duplicate request"), (run.State.Status, run.State.Outcome));
        Assert.Equal(task, run.Single<CancelTask>().BookmarkId);
        Assert.Equal(timer, run.Single<CancelTimer>().BookmarkId);
        Assert.Equal(new CompleteInstance(InstanceStatus.Cancelled, "duplicate request"), run.Single<CompleteInstance>());
        Assert.Empty(run.State.Tokens);
        Assert.Equal("admin", run.History.Single(h => h.What == HistoryKinds.Cancelled).ActorId);
    }

    [Fact]
    public void KeepATimelineOfWhoDidWhatWhenAndWhy()
    {
        var plan = Plan(W([Start, Task("review", "\"approve\",\"reject\""), End()], [E("start", "review"), E("review", "done", "approve"), E("review", "done", "reject")]));
        var run = new Run(plan, Manual());

        run.Apply(new CompleteTask(run.Task("review"), "reject", "Dose too high for her renal function.", "dr-lee"), TimeSpan.FromHours(3));

        var decided = run.History.Single(h => h.What == HistoryKinds.TaskCompleted);
        Assert.Equal((2, T0.AddHours(3), "dr-lee", "reject", "Dose too high for her renal function."), (decided.Step, decided.At, decided.ActorId, decided.Outcome, decided.Comment));
        Assert.Equal(HistoryKinds.Completed, run.History[^1].What);
        Assert.Equal(Enumerable.Range(0, run.Last.History.Count), run.Last.History.Select(h => h.Index));
    }

    [Fact]
    public void StopAStepThatWouldPassTooManyNodes()
    {
        // Publishing refuses a loop that never waits; built past the validator, it still cannot spin for ever.
        var definition = Parse(W([Start, Node("count", "set", ""","assign":{"n":"vars.n + 1"}"""), Decision("""[{"when":"true","outcome":"high"}]"""), End()],
            [E("start", "count"), E("count", "route"), E("route", "count", "high"), E("route", "done", "low")], """{"n":{"type":"number","default":0}}"""));
        Assert.Contains(Definitions.Validator.Validate(definition), p => p.Code == Ehr.Workflow.Definitions.WorkflowProblemCodes.CycleWithoutWait);
        var unchecked_ = new Ehr.Workflow.Definitions.WorkflowPlan(Guid.NewGuid(), definition, Catalog,
            new Ehr.Workflow.Definitions.GraphFacts(new Dictionary<string, string>(), new Dictionary<string, int>()));

        var run = new Run(unchecked_, Manual());

        Assert.Equal(IncidentCodes.StepLimit, run.Single<RaiseIncident>().Code);
        Assert.True(JsonSerializer.Deserialize<int>(run.Var("n")) < 1000);
    }
}
