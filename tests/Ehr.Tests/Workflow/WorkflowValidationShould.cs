using Ehr.Workflow.Definitions;
using static Ehr.Tests.Workflow.Workflows;
using static Ehr.Workflow.Definitions.WorkflowProblemCodes;

namespace Ehr.Tests.Workflow;

/// <summary>Publishing checks the whole graph: each problem with its node id, a stable code, a message and a path.</summary>
public sealed class WorkflowValidationShould
{
    internal const string Start = """{"id":"start","kind":"start","trigger":{"type":"manual"}}""";

    internal static string End(string id = "done") => $$"""{"id":"{{id}}","kind":"end"}""";

    internal static string Task(string id, string outcomes = "\"approve\"", string extra = "") =>
        $$"""{"id":"{{id}}","kind":"task","title":"{{id}}","assignee":{"role":"physician"},"outcomes":[{{outcomes}}]{{extra}}}""";

    internal static string Node(string id, string kind, string extra = "") => $$"""{"id":"{{id}}","kind":"{{kind}}"{{extra}}}""";

    internal static string E(string from, string to, string? outcome = null) =>
        outcome is null ? $$"""{"from":"{{from}}","to":"{{to}}"}""" : $$"""{"from":"{{from}}","to":"{{to}}","outcome":"{{outcome}}"}""";

    internal static string W(string[] nodes, string[] edges, string variables = "{}") =>
        Def($"[{string.Join(",", nodes)}]", $"[{string.Join(",", edges)}]", variables);

    private static IReadOnlyList<WorkflowProblem> Problems(string[] nodes, string[] edges, string variables = "{}") =>
        Validate(W(nodes, edges, variables));

    /// <summary>Exactly these problems, as node:code, in any order.</summary>
    private static void Expect(string[] expected, string[] nodes, string[] edges, string variables = "{}")
    {
        var problems = Problems(nodes, edges, variables);
        Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
        Assert.Equal(expected.Order(StringComparer.Ordinal), problems.Select(p => $"{p.NodeId}:{p.Code}").Order(StringComparer.Ordinal));
    }

    private static WorkflowProblem One(string[] nodes, string[] edges, string variables = "{}")
    {
        var problems = Problems(nodes, edges, variables);
        Assert.True(problems.Count == 1, $"expected one problem, got: {Codes(problems)}\n{string.Join("\n", problems)}");
        return problems[0];
    }

    [Fact]
    public void AcceptASmallApprovalWorkflow() =>
        Expect([], [Start, Task("review", "\"approve\",\"reject\""), End()], [E("start", "review"), E("review", "done", "approve"), E("review", "done", "reject")]);

    [Fact]
    public void ReportADuplicateNodeId() =>
        Expect(["done:NODE_ID_DUPLICATE"], [Start, End(), End()], [E("start", "done")]);

    [Fact]
    public void ReportAWorkflowWithoutAStart()
    {
        var problem = One([Task("review"), End()], [E("review", "done", "approve")]);
        Assert.Equal((null, StartCount, "nodes"), (problem.NodeId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportASecondStart() =>
        Expect(["again:START_COUNT"],
            [Start, Node("again", "start", ""","trigger":{"type":"manual"}"""), End()], [E("start", "done"), E("again", "done")]);

    [Fact]
    public void ReportADanglingEdgeOnTheNodeItLeaves()
    {
        var problem = One([Start, Task("review"), End()], [E("start", "review"), E("review", "nowhere", "approve")]);
        Assert.Equal(("review", EdgeUnknownNode, "edges[1].to"), (problem.NodeId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportAnEdgeFromANodeThatDoesNotExist() =>
        Expect([":EDGE_UNKNOWN_NODE"], [Start, End()], [E("start", "done"), E("ghost", "done")]);

    [Fact]
    public void ReportAnEdgeFromAnOutcomeTheNodeDoesNotHave()
    {
        var problems = Problems([Start, Task("review"), End()], [E("start", "review"), E("review", "done", "approve"), E("review", "done", "reject")]);
        var problem = Assert.Single(problems);
        Assert.Equal(("review", EdgeUnknownOutcome, "edges[2].outcome"), (problem.NodeId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportAnOutcomeWithoutAnEdge()
    {
        var problem = One([Start, Task("review", "\"approve\",\"reject\""), End()], [E("start", "review"), E("review", "done", "approve")]);
        Assert.Equal(("review", OutcomeWithoutEdge), (problem.NodeId, problem.Code));
        Assert.Contains("reject", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportTwoEdgesFromOneOutcome() =>
        Expect(["review:EDGE_DUPLICATE_OUTCOME"], [Start, Task("review"), End(), End("other")],
            [E("start", "review"), E("review", "done", "approve"), E("review", "other", "approve")]);

    [Fact]
    public void ReportAnEdgeBackIntoTheStart() =>
        Expect(["review:EDGE_INTO_START"], [Start, Task("review", "\"approve\",\"reject\""), End()],
            [E("start", "review"), E("review", "done", "approve"), E("review", "start", "reject")]);

    [Fact]
    public void ReportAnEdgeOutOfAnEnd() =>
        Expect(["done:EDGE_FROM_END"], [Start, End(), End("other")], [E("start", "done"), E("done", "other")]);

    [Fact]
    public void CheckTheWholeGraphOnlyOnceItsEdgesAreSound() =>
        Expect(["review:EDGE_UNKNOWN_OUTCOME"], [Start, Task("review"), Task("island"), End()],
            [E("start", "review"), E("review", "done", "approve"), E("review", "done", "maybe"), E("island", "done", "approve")]);

    [Fact]
    public void ReportAnUnreachableNode() =>
        Expect(["island:NODE_UNREACHABLE"], [Start, Task("island"), End()], [E("start", "done"), E("island", "done", "approve")]);

    [Fact]
    public void ReportAWorkflowWithoutAnEnd() =>
        Expect([":NO_END"], [Start, Task("review", "\"approve\",\"reject\"")], [E("start", "review"), E("review", "review", "approve"), E("review", "review", "reject")]);

    [Fact]
    public void ReportNodesFromWhichNoEndCanBeReached() =>
        Expect(["stuck:END_UNREACHABLE"], [Start, Node("route", "decision", ""","cases":[{"when":"true","outcome":"a"}],"otherwise":"b" """), Task("stuck"), End()],
            [E("start", "route"), E("route", "done", "a"), E("route", "stuck", "b"), E("stuck", "stuck", "approve")]);

    [Fact]
    public void ReportALoopThatNeverWaits()
    {
        var problem = One(
            [Start, Node("count", "set", ""","assign":{"n":"vars.n + 1"}"""), Node("again", "decision", ""","cases":[{"when":"vars.n < 10","outcome":"more"}],"otherwise":"enough" """), End()],
            [E("start", "count"), E("count", "again"), E("again", "count", "more"), E("again", "done", "enough")],
            """{"n":{"type":"number","default":0}}""");
        Assert.Equal(("count", CycleWithoutWait), (problem.NodeId, problem.Code));
        Assert.Contains("again", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AcceptALoopThroughAHumanTask() =>
        Expect([], [Start, Task("draft"), Task("review", "\"approve\",\"returnForChanges\""), End()],
            [E("start", "draft"), E("draft", "review", "approve"), E("review", "draft", "returnForChanges"), E("review", "done", "approve")]);

    [Fact]
    public void ReportASplitWithOneBranch() =>
        Expect(["both:SPLIT_TOO_FEW_BRANCHES"], [Start, Node("both", "split"), End()], [E("start", "both"), E("both", "done")]);

    private static readonly string[] Diamond = [Start, Node("both", "split"), Task("a"), Task("b"), Node("join", "join", ""","mode":"all" """), End()];
    private static readonly string[] DiamondEdges = [E("start", "both"), E("both", "a"), E("both", "b"), E("a", "join", "approve"), E("b", "join", "approve"), E("join", "done")];

    [Fact]
    public void AcceptASplitClosedByAJoin() => Expect([], Diamond, DiamondEdges);

    [Fact]
    public void ReportAJoinWithoutASplit() =>
        Expect(["join:JOIN_WITHOUT_SPLIT"], [Start, Task("review"), Node("join", "join", ""","mode":"any" """), End()],
            [E("start", "review"), E("review", "join", "approve"), E("join", "done")]);

    [Fact]
    public void ReportAJoinWaitingForMoreBranchesThanItsSplitHas() =>
        Expect(["join:JOIN_COUNT_INVALID", "join:JOIN_BRANCHES_MISSING"],
            Diamond.Select(n => n.Replace("\"mode\":\"all\"", "\"mode\":\"nOfM\",\"count\":3", StringComparison.Ordinal)).ToArray(), DiamondEdges);

    [Fact]
    public void ReportANOfMJoinWithoutItsCount() =>
        Expect(["join:REQUIRED"], Diamond.Select(n => n.Replace("\"mode\":\"all\"", "\"mode\":\"nOfM\"", StringComparison.Ordinal)).ToArray(), DiamondEdges);

    [Fact]
    public void ReportACountOnAJoinThatIsNotNOfM() =>
        Expect(["join:JOIN_COUNT_INVALID"], Diamond.Select(n => n.Replace("\"mode\":\"all\"", "\"mode\":\"all\",\"count\":2", StringComparison.Ordinal)).ToArray(), DiamondEdges);

    [Fact]
    public void ReportAJoinThatOneBranchCanNeverReach() =>
        Expect(["join:JOIN_BRANCHES_MISSING"], Diamond.Append(End("early")).ToArray(),
            [E("start", "both"), E("both", "a"), E("both", "b"), E("a", "join", "approve"), E("b", "early", "approve"), E("join", "done")]);

    [Fact]
    public void ReportAnEdgeIntoTheBranchesFromAfterTheirJoin()
    {
        var problem = One(Diamond.Append(Task("after", "\"approve\",\"reject\"")).ToArray(),
            [E("start", "both"), E("both", "a"), E("both", "b"), E("a", "join", "approve"), E("b", "join", "approve"), E("join", "after"),
             E("after", "done", "approve"), E("after", "a", "reject")]);
        Assert.Equal(("after", JoinRegionEntered), (problem.NodeId, problem.Code));
    }

    [Fact]
    public void ReportASplitInsideBranchesThatIsNotJoinedInsideThem() =>
        Expect(["inner:JOIN_NOT_NESTED"],
            [Start, Node("outer", "split"), Node("inner", "split"), Task("a"), Task("b"), Task("c"), Node("join", "join", ""","mode":"all" """), End()],
            [E("start", "outer"), E("outer", "inner"), E("outer", "c"), E("inner", "a"), E("inner", "b"),
             E("a", "join", "approve"), E("b", "join", "approve"), E("c", "join", "approve"), E("join", "done")]);

    [Fact]
    public void AcceptNestedSplitsJoinedInOrder() =>
        Expect([],
            [Start, Node("outer", "split"), Node("inner", "split"), Task("a"), Task("b"), Task("c"), Node("innerJoin", "join", ""","mode":"any" """),
             Node("outerJoin", "join", ""","mode":"all" """), End()],
            [E("start", "outer"), E("outer", "inner"), E("outer", "c"), E("inner", "a"), E("inner", "b"), E("a", "innerJoin", "approve"),
             E("b", "innerJoin", "approve"), E("innerJoin", "outerJoin"), E("c", "outerJoin", "approve"), E("outerJoin", "done")]);

    [Fact]
    public void AcceptSequentialSplitsEachWithItsJoin() =>
        Expect([],
            [Start, Node("s1", "split"), Task("a"), Task("b"), Node("j1", "join", ""","mode":"all" """), Node("s2", "split"), Task("c"), Task("d"),
             Node("j2", "join", ""","mode":"all" """), End()],
            [E("start", "s1"), E("s1", "a"), E("s1", "b"), E("a", "j1", "approve"), E("b", "j1", "approve"), E("j1", "s2"), E("s2", "c"), E("s2", "d"),
             E("c", "j2", "approve"), E("d", "j2", "approve"), E("j2", "done")]);

    [Fact]
    public void ReportAScriptThatDoesNotCompileAtItsPath()
    {
        var problem = One([Start, Node("route", "decision", ""","cases":[{"when":"vars.n >","outcome":"a"}],"otherwise":"b" """), End()],
            [E("start", "route"), E("route", "done", "a"), E("route", "done", "b")], """{"n":{"type":"number","default":1}}""");
        Assert.Equal(("route", ScriptInvalid, "nodes[1].cases[0].when"), (problem.NodeId, problem.Code, problem.Path));
    }

    [Theory]
    [InlineData("System.IO.File", "System")]
    [InlineData("importNamespace('System.IO')", "importNamespace")]
    [InlineData("varz.n > 1", "varz")]
    [InlineData("require('fs')", "require")]
    [InlineData("Math.random() > 0.5 || ArrayBuffer", "ArrayBuffer")]
    public void ReportNamesAScriptCannotReach(string script, string name)
    {
        var problem = One([Start, Node("route", "decision", $$""","cases":[{"when":"{{script}}","outcome":"a"}],"otherwise":"b" """), End()],
            [E("start", "route"), E("route", "done", "a"), E("route", "done", "b")]);
        Assert.Equal(("route", ScriptUnknownName), (problem.NodeId, problem.Code));
        Assert.Contains(name, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportAnUnknownEvent()
    {
        var problem = One(["""{"id":"start","kind":"start","trigger":{"type":"event","event":"note.burned"}}""", End()], [E("start", "done")]);
        Assert.Equal(("start", EventUnknown, "nodes[0].trigger.event"), (problem.NodeId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportAnUnknownAction()
    {
        var problem = One([Start, Node("act", "action", ""","action":"note.burn" """), End()], [E("start", "act"), E("act", "done", "done")]);
        Assert.Equal(("act", ActionUnknown, "nodes[1].action"), (problem.NodeId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportActionInputsTheActionDoesNotTakeOrNeeds() =>
        Expect(["act:ACTION_INPUT_UNKNOWN", "act:ACTION_INPUT_MISSING"],
            [Start, Node("act", "action", ""","action":"note.sign","inputs":{"noteId":"'n1'","colour":"'red'"}"""), End()],
            [E("start", "act"), E("act", "done", "signed"), E("act", "done", "refused")]);

    [Fact]
    public void ReportEdgesFromOutcomesTheActionDoesNotHave() =>
        Expect(["act:EDGE_UNKNOWN_OUTCOME", "act:OUTCOME_WITHOUT_EDGE"],
            [Start, Node("act", "action", ""","action":"appointment.confirm","inputs":{"appointmentId":"'a1'"}"""), End()],
            [E("start", "act"), E("act", "done", "confirmed"), E("act", "done", "cancelled")]);

    [Fact]
    public void ReportWritingAnUndeclaredVariable() =>
        Expect(["note:VARIABLE_UNDECLARED"], [Start, Node("note", "set", ""","assign":{"x":"1"}"""), End()], [E("start", "note"), E("note", "done")]);

    [Fact]
    public void ReportReadingAnUndeclaredVariable() =>
        Expect(["route:VARIABLE_UNDECLARED"], [Start, Node("route", "decision", ""","cases":[{"when":"vars.missing","outcome":"a"}],"otherwise":"b" """), End()],
            [E("start", "route"), E("route", "done", "a"), E("route", "done", "b")]);

    [Fact]
    public void ReportAVariableReadBeforeAnyPathWritesIt()
    {
        var problem = One([Start, Node("route", "decision", ""","cases":[{"when":"vars.review.outcome === 'approve'","outcome":"a"}],"otherwise":"b" """), End()],
            [E("start", "route"), E("route", "done", "a"), E("route", "done", "b")], """{"review":{"type":"object"}}""");
        Assert.Equal(("route", VariableReadBeforeWrite, "nodes[1].cases[0].when"), (problem.NodeId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportAVariableWrittenOnOnlySomePaths() =>
        Expect(["use:VARIABLE_READ_BEFORE_WRITE"],
            [Start, Node("route", "decision", ""","cases":[{"when":"true","outcome":"a"}],"otherwise":"b" """), Task("review", extra: ""","output":"review" """),
             Node("use", "decision", ""","cases":[{"when":"vars.review.outcome === 'approve'","outcome":"x"}],"otherwise":"y" """), End()],
            [E("start", "route"), E("route", "review", "a"), E("route", "use", "b"), E("review", "use", "approve"), E("use", "done", "x"), E("use", "done", "y")],
            """{"review":{"type":"object"}}""");

    [Fact]
    public void AcceptAVariableWrittenOnEveryPath() =>
        Expect([],
            [Start, Task("review", "\"approve\",\"reject\"", ""","output":"review" """),
             Node("use", "decision", ""","cases":[{"when":"vars.review.outcome === 'approve'","outcome":"x"}],"otherwise":"y" """), End()],
            [E("start", "review"), E("review", "use", "approve"), E("review", "use", "reject"), E("use", "done", "x"), E("use", "done", "y")],
            """{"review":{"type":"object"}}""");

    [Fact]
    public void AcceptAVariableWrittenInOneBranchOfAnAllJoin() =>
        Expect([],
            [Start, Node("both", "split"), Task("a", extra: ""","output":"review" """), Task("b"), Node("join", "join", ""","mode":"all" """),
             Node("use", "decision", ""","cases":[{"when":"vars.review.outcome === 'approve'","outcome":"x"}],"otherwise":"y" """), End()],
            [E("start", "both"), E("both", "a"), E("both", "b"), E("a", "join", "approve"), E("b", "join", "approve"), E("join", "use"), E("use", "done", "x"), E("use", "done", "y")],
            """{"review":{"type":"object"}}""");

    [Fact]
    public void LetALaterAssignmentReadAnEarlierOneOfTheSameNode() =>
        Expect([], [Start, Node("calc", "set", ""","assign":{"a":"2","b":"vars.a * 2"}"""), End()], [E("start", "calc"), E("calc", "done")],
            """{"a":{"type":"number"},"b":{"type":"number"}}""");

    [Fact]
    public void ReportAnInputNamedLikeAVariable() =>
        Expect(["start:VARIABLE_DUPLICATE"], ["""{"id":"start","kind":"start","trigger":{"type":"manual","inputs":{"n":{"type":"number"}}}}""", End()],
            [E("start", "done")], """{"n":{"type":"number"}}""");

    [Fact]
    public void ReportADefaultOfTheWrongType()
    {
        var problem = One([Start, End()], [E("start", "done")], """{"n":{"type":"number","default":"one"}}""");
        Assert.Equal((null, VariableTypeMismatch, "variables.n.default"), (problem.NodeId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportATaskOutputIntoAVariableOfAnotherType() =>
        Expect(["review:VARIABLE_TYPE_MISMATCH"], [Start, Task("review", extra: ""","output":"n" """), End()],
            [E("start", "review"), E("review", "done", "approve")], """{"n":{"type":"number"}}""");

    [Theory]
    [InlineData("""{"role":"physician","user":"u1"}""", "nodes[1].assignee", ChooseOne)]
    [InlineData("""{"user":"u1","atSubjectLocation":true}""", "nodes[1].assignee.atSubjectLocation", NotAllowed)]
    [InlineData("""{"expression":"vars.who +"}""", "nodes[1].assignee.expression", ScriptInvalid)]
    public void ReportAnAssigneeThatIsNotExactlyOneThing(string assignee, string path, string code)
    {
        var problem = One([Start, Task("review").Replace("""{"role":"physician"}""", assignee, StringComparison.Ordinal), End()],
            [E("start", "review"), E("review", "done", "approve")]);
        Assert.Equal(("review", code, path), (problem.NodeId, problem.Code, problem.Path));
    }

    [Theory]
    [InlineData("", ChooseOne, "nodes[1]")]
    [InlineData(""","duration":"PT1H","at":"now" """, ChooseOne, "nodes[1]")]
    [InlineData(""","duration":"PT0S" """, DurationInvalid, "nodes[1].duration")]
    [InlineData(""","duration":"P9999D" """, DurationInvalid, "nodes[1].duration")]
    public void ReportATimerWithoutOneValidTime(string extra, string code, string path)
    {
        var problem = One([Start, Node("wait", "timer", extra), End()], [E("start", "wait"), E("wait", "done")]);
        Assert.Equal(("wait", code, path), (problem.NodeId, problem.Code, problem.Path));
    }

    [Theory]
    [InlineData(""","quorum":{"approvers":2,"required":3}""", "\"approve\"", "nodes[1].quorum.required")]
    [InlineData(""","quorum":{"approvers":3,"required":2}""", "\"reject\"", "nodes[1].quorum")]
    public void ReportAQuorumThatCannotBeMet(string quorum, string outcomes, string path)
    {
        var problem = One([Start, Task("review", outcomes, quorum), End()],
            [E("start", "review"), E("review", "done", outcomes.Trim('"'))]);
        Assert.Equal(("review", QuorumInvalid, path), (problem.NodeId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportEscalationsOutOfOrderOrWithAnUnknownOutcomeOrDoingTwoThings() =>
        Expect(["review:ESCALATION_ORDER", "review:ESCALATION_OUTCOME_UNKNOWN", "review:CHOOSE_ONE"],
            [Start, Task("review", extra: ""","escalations":[{"after":"P2D","reassign":{"role":"medical-director"}},{"after":"P1D","outcome":"reject"},{"after":"P3D","outcome":"approve","reassign":{"user":"u2"}}]"""), End()],
            [E("start", "review"), E("review", "done", "approve")]);

    [Fact]
    public void ReportAWebhookWaitingTooLongOrWithAnInvertedBackOff() =>
        Expect(["hook:DURATION_INVALID", "hook:RETRY_INVALID"],
            [Start, Node("hook", "webhook", ""","endpoint":"lab","event":"order.placed","timeout":"PT5M","retry":{"initialDelay":"PT2H","maxDelay":"PT1H"}"""), End()],
            [E("start", "hook"), E("hook", "done")]);

    [Fact]
    public void GiveEachProblemAsAFieldErrorOfTheArtifactStore()
    {
        var problem = One([Start, Task("review", "\"approve\",\"reject\""), End()], [E("start", "review"), E("review", "done", "approve")]);

        var error = problem.ToFieldError();

        Assert.Equal(("nodes[1]", OutcomeWithoutEdge), (error.Path, error.Code));
        Assert.StartsWith("review: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LetADraftBeUnfinishedButNotAPublication()
    {
        var unfinished = W([Start, """{"id":"review","kind":"task"}"""], [E("start", "review")]);

        Assert.Empty(Definitions.Check(unfinished, publishing: false));
        Assert.NotEmpty(Definitions.Check(unfinished, publishing: true));
        Assert.Equal(InvalidJson, Assert.Single(Definitions.Check("{ not json", publishing: false)).Code);
    }

    [Fact]
    public void RefuseToBuildAPlanFromAnInvalidDefinition()
    {
        var loaded = Definitions.Load(W([Start, End(), End()], [E("start", "done")]), Guid.NewGuid());

        Assert.False(loaded.Succeeded);
        Assert.Null(loaded.Plan);
        Assert.Contains(loaded.Problems, p => p.Code == NodeIdDuplicate);
    }
}
