using Ehr.Workflow.Runtime;
using static Ehr.Tests.Workflow.WorkflowValidationShould;
using static Ehr.Tests.Workflow.Workflows;

namespace Ehr.Tests.Workflow;

/// <summary>Human tasks: who gets them, what a decision needs, parallel approvals with a quorum, and escalation.</summary>
public sealed class HumanTasksShould
{
    private static string Review(string assignee = """{"role":"physician","atSubjectLocation":true}""", string outcomes = "\"approve\",\"reject\",\"returnForChanges\"", string extra = "") =>
        $$"""{"id":"review","kind":"task","title":"Review refill","instructions":"Check the labs.","priority":"urgent","assignee":{{assignee}},"outcomes":[{{outcomes}}],"due":"PT72H","output":"review"{{extra}}}""";

    private static readonly string[] Edges =
        [E("start", "review"), E("review", "approved", "approve"), E("review", "rejected", "reject"), E("review", "returned", "returnForChanges")];

    private static string[] Nodes(string review) => [Start, review, End("approved"), End("rejected"), End("returned")];

    private static Run Begin(string review, StartWorkflow? start = null) =>
        new(Plan(W(Nodes(review), Edges, """{"review":{"type":"object"}}""")), start ?? Manual());

    [Fact]
    public void PutATaskInTheInboxOfARoleAtTheSubjectsLocation()
    {
        var run = Begin(Review(extra: ""","form":"refill-review" """));

        var task = run.Single<CreateTask>();

        Assert.Equal(new TaskAssignee("physician", null, Clinic), task.Assignee);
        Assert.Equal(("review", "Review refill", "Check the labs.", "urgent", "refill-review", T0.AddHours(72), 0, 1),
            (task.NodeId, task.Title, task.Instructions, task.Priority, task.FormKey, task.DueAt, task.Slot, task.Slots));
        Assert.Equal(["approve", "reject", "returnForChanges"], task.Outcomes);
        Assert.Equal(task.BookmarkId, run.Task("review"));
    }

    [Theory]
    [InlineData("""{"role":"front-desk"}""", "front-desk", null, false)]
    [InlineData("""{"user":"dr-lee"}""", null, "dr-lee", false)]
    [InlineData("""{"expression":"'dr-' + subject.id"}""", null, "dr-p1", false)]
    [InlineData("""{"expression":"({ user: 'dr-kim' })"}""", null, "dr-kim", false)]
    [InlineData("""{"expression":"({ role: 'nurse', atSubjectLocation: true })"}""", "nurse", null, true)]
    public void AssignByRoleByUserOrByExpression(string assignee, string? role, string? user, bool atLocation) =>
        Assert.Equal(new TaskAssignee(role, user, atLocation ? Clinic : null), Begin(Review(assignee)).Single<CreateTask>().Assignee);

    [Fact]
    public void NeverWidenALocationBoundTaskWhenTheSubjectHasNoLocation()
    {
        var start = Manual() with { Subject = new WorkflowSubject("Patient", "p1") };
        var run = Begin(Review(), start);

        Assert.Equal(IncidentCodes.NoSubjectLocation, run.Single<RaiseIncident>().Code);
        Assert.Empty(run.Emitted<CreateTask>());
    }

    [Fact]
    public void RaiseAnIncidentForAnAssigneeExpressionThatNamesNoOne() =>
        Assert.Equal(IncidentCodes.AssigneeInvalid, Begin(Review("""{"expression":"42"}""")).Single<RaiseIncident>().Code);

    [Theory]
    [InlineData("reject", null, StepCodes.CommentRequired)]
    [InlineData("returnForChanges", "  ", StepCodes.CommentRequired)]
    [InlineData("escalate", "why not", StepCodes.OutcomeNotAllowed)]
    public void RefuseADecisionWithoutWhatItNeeds(string outcome, string? comment, string code)
    {
        var run = Begin(Review());

        var result = run.Step(new CompleteTask(run.Task("review"), outcome, comment, "dr-lee"));

        Assert.Equal((StepStatus.Refused, code), (result.Status, result.Code));
        Assert.Empty(result.Effects);
        Assert.Single(run.Tasks("review"));
    }

    [Fact]
    public void RefuseADecisionByNoOne()
    {
        var run = Begin(Review());
        Assert.Equal(StepCodes.ActorRequired, run.Step(new CompleteTask(run.Task("review"), "approve", null, "")).Code);
    }

    [Fact]
    public void AskForTheFormUnlessTheTaskIsReturned()
    {
        var run = Begin(Review(extra: ""","form":"refill-review" """));
        var task = run.Task("review");

        Assert.Equal(StepCodes.FormResponseRequired, run.Step(new CompleteTask(task, "approve", null, "dr-lee")).Code);
        run.Apply(new CompleteTask(task, "returnForChanges", "Which pharmacy?", "dr-lee"));
        Assert.Equal("returned", run.History.Single(h => h.What == HistoryKinds.NodePassed && h.NodeId == "returned").NodeId);
    }

    [Fact]
    public void KeepTheDecisionForLaterScripts()
    {
        var run = Begin(Review(extra: ""","form":"refill-review" """));

        run.Apply(new CompleteTask(run.Task("review"), "reject", "Needs a visit first.", "dr-lee", "QuestionnaireResponse/qr1"), TimeSpan.FromHours(2));

        using var review = System.Text.Json.JsonDocument.Parse(run.Var("review"));
        var r = review.RootElement;
        Assert.Equal(("reject", "Needs a visit first.", "dr-lee", "QuestionnaireResponse/qr1"),
            (r.GetProperty("outcome").GetString(), r.GetProperty("comment").GetString(), r.GetProperty("actorId").GetString(), r.GetProperty("formResponseId").GetString()));
        Assert.Equal(T0.AddHours(2), r.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(1, r.GetProperty("votes").GetArrayLength());
        Assert.Equal((InstanceStatus.Completed, null), (run.State.Status, run.State.Outcome));
    }

    private static Run Quorum() => Begin(Review(extra: ""","quorum":{"approvers":3,"required":2}"""));

    [Fact]
    public void OfferAQuorumTaskToEachApprover()
    {
        var run = Quorum();

        var slots = run.Emitted<CreateTask>().ToList();

        Assert.Equal([0, 1, 2], slots.Select(s => s.Slot));
        Assert.All(slots, s => Assert.Equal(3, s.Slots));
        Assert.Equal(3, slots.Select(s => s.BookmarkId).Distinct().Count());
    }

    [Fact]
    public void ApproveOnceTheRequiredApprovalsAreIn()
    {
        var run = Quorum();
        var slots = run.Tasks("review");

        run.Apply(new CompleteTask(slots[0].Id, "approve", null, "dr-lee"));
        Assert.Equal(2, run.Tasks("review").Count);
        Assert.Empty(run.Emitted<CancelTask>());

        run.Apply(new CompleteTask(slots[2].Id, "approve", "Fine by me.", "dr-kim"));

        Assert.Equal(slots[1].Id, run.Single<CancelTask>().BookmarkId);
        Assert.Equal(InstanceStatus.Completed, run.State.Status);
        Assert.Equal("approve", run.History.Single(h => h.What == HistoryKinds.TaskCompleted).Outcome);
        Assert.Contains("dr-kim", run.Var("review"), StringComparison.Ordinal);
    }

    [Fact]
    public void RefuseTheSameApproverTwice()
    {
        var run = Quorum();
        var slots = run.Tasks("review");
        run.Apply(new CompleteTask(slots[0].Id, "approve", null, "dr-lee"));

        var again = run.Step(new CompleteTask(slots[1].Id, "approve", null, "dr-lee"));

        Assert.Equal((StepStatus.Refused, StepCodes.ActorAlreadyDecided), (again.Status, again.Code));
    }

    [Fact]
    public void RejectAsSoonAsTheQuorumCanNoLongerBeMet()
    {
        var run = Quorum();
        var slots = run.Tasks("review");

        run.Apply(new CompleteTask(slots[0].Id, "reject", "Interaction with warfarin.", "dr-lee"));
        Assert.Equal(InstanceStatus.Running, run.State.Status);
        run.Apply(new CompleteTask(slots[1].Id, "reject", "Agree.", "dr-kim"));

        Assert.Equal(slots[2].Id, run.Single<CancelTask>().BookmarkId);
        Assert.Equal("reject", run.History.Single(h => h.What == HistoryKinds.TaskCompleted).Outcome);
    }

    [Fact]
    public void ReturnForChangesAtTheFirstApproverWhoAsks()
    {
        var run = Quorum();
        var slots = run.Tasks("review");
        run.Apply(new CompleteTask(slots[0].Id, "approve", null, "dr-lee"));

        run.Apply(new CompleteTask(slots[1].Id, "returnForChanges", "Wrong dose unit.", "dr-kim"));

        Assert.Equal(slots[2].Id, run.Single<CancelTask>().BookmarkId);
        Assert.Equal("returnForChanges", run.History.Single(h => h.What == HistoryKinds.TaskCompleted).Outcome);
    }

    private static Run Escalating(string escalations) => Begin(Review(extra: $$""","escalations":{{escalations}}"""));

    [Fact]
    public void ScheduleTheFirstEscalationWithTheTask()
    {
        var run = Escalating("""[{"after":"PT72H","reassign":{"role":"medical-director"}},{"after":"P5D","outcome":"reject"}]""");

        var timer = run.Single<ScheduleTimer>();

        Assert.Equal((T0.AddHours(72), BookmarkKind.Escalation), (timer.DueAt, timer.Purpose));
        Assert.Equal(timer.BookmarkId, run.Open(BookmarkKind.Escalation, "review").Id);
    }

    [Fact]
    public void ReassignAnOverdueTaskAndScheduleTheNextEscalation()
    {
        var run = Escalating("""[{"after":"PT72H","reassign":{"role":"medical-director"}},{"after":"P5D","outcome":"reject"}]""");
        var task = run.Task("review");

        run.Apply(new FireTimer(run.Single<ScheduleTimer>().BookmarkId), TimeSpan.FromHours(72));

        var reassigned = run.Single<ReassignTask>();
        Assert.Equal((task, new TaskAssignee("medical-director", null, null)), (reassigned.BookmarkId, reassigned.Assignee));
        Assert.Equal(T0.AddDays(5), run.Single<ScheduleTimer>().DueAt);
        Assert.Equal(task, run.Task("review"));
        Assert.Equal("medical-director", Assert.Single(run.State.Tokens).Task!.Assignee.Role);
    }

    [Fact]
    public void DecideATaskNobodyDecidedWithTheEscalationsOutcome()
    {
        var run = Escalating("""[{"after":"PT72H","notify":{"to":[{"role":"medical-director"}],"template":"overdue"}},{"after":"P5D","outcome":"reject","comment":"Expired unreviewed."}]""");

        run.Apply(new FireTimer(run.Single<ScheduleTimer>().BookmarkId), TimeSpan.FromHours(72));
        Assert.Equal("overdue", run.Single<SendNotification>().Template);
        run.Apply(new FireTimer(run.Single<ScheduleTimer>().BookmarkId), TimeSpan.FromHours(48));

        var completed = run.History.Single(h => h.What == HistoryKinds.TaskCompleted);
        Assert.Equal(("reject", "system:escalation", "Expired unreviewed."), (completed.Outcome, completed.ActorId, completed.Comment));
        Assert.Single(run.Emitted<CancelTask>());
        Assert.Equal(InstanceStatus.Completed, run.State.Status);
    }

    [Fact]
    public void KeepTheTaskOpenWhenItsEscalationFails()
    {
        var run = Escalating("""[{"after":"PT72H","reassign":{"expression":"event.payload.director"}}]""");
        var task = run.Task("review");

        run.Apply(new FireTimer(run.Single<ScheduleTimer>().BookmarkId), TimeSpan.FromHours(72));
        var incident = run.Single<RaiseIncident>();
        Assert.Equal(task, run.Task("review"));

        run.Apply(new RetryIncident(incident.BookmarkId, "admin"));
        Assert.Equal(incident.BookmarkId, run.Single<ResolveIncident>().BookmarkId);
        var again = run.Single<RaiseIncident>();
        Assert.Equal(task, run.Task("review"));

        run.Apply(new CompleteTask(task, "approve", null, "dr-lee"));
        Assert.Equal(again.BookmarkId, run.Single<ResolveIncident>().BookmarkId);
        Assert.Equal(InstanceStatus.Completed, run.State.Status);
    }

    [Fact]
    public void WithdrawThePendingEscalationWhenTheTaskIsDecided()
    {
        var run = Escalating("""[{"after":"PT72H","reassign":{"role":"medical-director"}}]""");
        var escalation = run.Single<ScheduleTimer>().BookmarkId;

        run.Apply(new CompleteTask(run.Task("review"), "approve", null, "dr-lee"), TimeSpan.FromHours(1));
        var late = run.Step(new FireTimer(escalation), TimeSpan.FromHours(71));

        Assert.Equal(escalation, Assert.Single(run.Effects.OfType<CancelTimer>()).BookmarkId);
        Assert.Equal((StepStatus.NoOp, StepCodes.InstanceClosed), (late.Status, late.Code));
    }

    [Fact]
    public void OfferANewTaskEachTimeAWorkflowLoopsBack()
    {
        var plan = Plan(W([Start, Task("draft"), Task("review", "\"approve\",\"returnForChanges\""), End()],
            [E("start", "draft"), E("draft", "review", "approve"), E("review", "draft", "returnForChanges"), E("review", "done", "approve")]));
        var run = new Run(plan, Manual());
        var ids = new List<string>();

        for (var round = 0; round < 3; round++)
        {
            ids.Add(run.Task("draft"));
            run.Apply(new CompleteTask(ids[^1], "approve", null, "np-ray"));
            ids.Add(run.Task("review"));
            run.Apply(new CompleteTask(ids[^1], "returnForChanges", $"Round {round}: fix the plan.", "dr-lee"));
        }

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal("Round 2: fix the plan.", run.State.Tokens.Single().LastTask!.Value.GetProperty("comment").GetString());
    }
}
