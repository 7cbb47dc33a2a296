using System.Text.Json;
using Ehr.Workflow.Definitions;
using static Ehr.Tests.Workflow.Workflows;
using static Ehr.Workflow.Definitions.WorkflowProblemCodes;

namespace Ehr.Tests.Workflow;

/// <summary>The published JSON Schema, and how its verdicts reach people: a stable code and a path into the JSON.</summary>
public sealed class WorkflowSchemaShould
{
    private const string Start = """{"id":"start","kind":"start","trigger":{"type":"manual"}}""";
    private const string End = """{"id":"done","kind":"end"}""";
    private const string Edges = """[{"from":"start","to":"review"},{"from":"review","outcome":"approve","to":"done"}]""";

    private static string WithTask(string task) => Def($"[{Start},{task},{End}]", Edges);

    private static string Task(string extra = "") =>
        $$"""{"id":"review","kind":"task","title":"Review","assignee":{"role":"physician"},"outcomes":["approve"]{{extra}}}""";

    private static WorkflowProblem Only(string json)
    {
        var parsed = WorkflowJson.Parse(json);
        Assert.False(parsed.Succeeded);
        Assert.True(parsed.Problems.Count == 1, $"expected one problem, got: {string.Join("; ", parsed.Problems)}");
        Assert.False(string.IsNullOrWhiteSpace(parsed.Problems[0].Message));
        return parsed.Problems[0];
    }

    private static void Expect(string json, string code, string path, string? nodeId)
    {
        var problem = Only(json);
        Assert.True((code, path, nodeId) == (problem.Code, problem.Path, problem.NodeId), $"expected {nodeId}: {code} [{path}], got {problem}");
    }

    [Fact]
    public void PublishADraft202012SchemaThatItselfParses()
    {
        using var schema = JsonDocument.Parse(WorkflowJson.SchemaText);

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.RootElement.GetProperty("$schema").GetString());
        Assert.True(WorkflowJson.Parse(WithTask(Task())).Succeeded);
    }

    [Fact]
    public void ReportJsonThatDoesNotParse() =>
        Assert.Equal(InvalidJson, Only("""{"schemaVersion":1,""").Code);

    [Fact]
    public void RefuseAPropertyGivenTwice() =>
        Assert.Equal(InvalidJson, Only("""{"schemaVersion":1,"schemaVersion":1,"title":"x","nodes":[],"edges":[]}""").Code);

    [Fact]
    public void ReportAMalformedRoleAtItsPathAndNode() =>
        Expect(WithTask("""{"id":"review","kind":"task","title":"Review","assignee":{"role":"Physician!"},"outcomes":["approve"]}"""),
            InvalidFormat, "nodes[1].assignee.role", "review");

    [Fact]
    public void ReportAMissingPropertyOfTheNodesKind() =>
        Expect(WithTask("""{"id":"review","kind":"task","assignee":{"role":"physician"},"outcomes":["approve"]}"""),
            Required, "nodes[1].title", "review");

    [Fact]
    public void ReportAPropertyThatBelongsToAnotherKind() =>
        Expect(Def($$$"""[{{{Start}}},{"id":"route","kind":"decision","cases":[{"when":"true","outcome":"a"}],"otherwise":"b","assignee":{"role":"x"}},{{{End}}}]""", "[]"),
            UnknownProperty, "nodes[1].assignee", "route");

    [Fact]
    public void ReportAWrongType() =>
        Expect(WithTask(Task(""","due":72""")), WrongType, "nodes[1].due", "review");

    [Fact]
    public void ReportAnUnknownNodeKind() =>
        Expect(Def($$"""[{{Start}},{"id":"x","kind":"subprocess"},{{End}}]""", "[]"), NotAllowed, "nodes[1].kind", "x");

    [Theory]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("PT")]
    [InlineData("72h")]
    public void RefuseDurationsThatAreNotWeeksDaysOrTimes(string due) =>
        Expect(WithTask(Task($$""","due":"{{due}}" """)), InvalidFormat, "nodes[1].due", "review");

    [Fact]
    public void ReportAnOutcomeATaskCannotHave() =>
        Expect(WithTask("""{"id":"review","kind":"task","title":"Review","assignee":{"role":"physician"},"outcomes":["approve","maybe"]}"""),
            NotAllowed, "nodes[1].outcomes[1]", "review");

    [Fact]
    public void ReportAnEdgeWithoutItsTarget() =>
        Expect(Def($"[{Start},{End}]", """[{"from":"start"}]"""), Required, "edges[0].to", null);

    [Fact]
    public void ReportAnUnknownTopLevelProperty() =>
        Expect(WithTask(Task()).Replace("\"title\":\"Test\"", "\"title\":\"Test\",\"owner\":\"me\"", StringComparison.Ordinal), UnknownProperty, "owner", null);

    [Fact]
    public void ReportAnEscalationWithoutItsTime() =>
        Expect(WithTask(Task(""","escalations":[{"notify":{"to":[{"role":"medical-director"}],"template":"overdue"}}]""")),
            Required, "nodes[1].escalations[0].after", "review");

    [Fact]
    public void ReportATriggerPropertyOfTheOtherTriggerType() =>
        Expect(Def("""[{"id":"start","kind":"start","trigger":{"type":"manual","event":"note.signed"}},{"id":"done","kind":"end"}]""", "[]"),
            UnknownProperty, "nodes[0].trigger.event", "start");

    [Fact]
    public void ReportEveryProblemOfADocumentAtOnce()
    {
        var parsed = WorkflowJson.Parse(Def(
            """[{"id":"start","kind":"start"},{"id":"2bad","kind":"end"},{"id":"t","kind":"timer","duration":"soon"}]""", "[]"));

        Assert.Equal(
            ["nodes[0].trigger:REQUIRED", "nodes[1].id:INVALID_FORMAT", "nodes[2].duration:INVALID_FORMAT"],
            parsed.Problems.Select(p => $"{p.Path}:{p.Code}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ReadBackWhatItWrites()
    {
        var definition = Parse(Fixture("note-cosignature"));

        var again = Parse(WorkflowJson.Serialize(definition));

        Assert.Equal(WorkflowJson.Serialize(definition), WorkflowJson.Serialize(again));
        Assert.Equal(definition.Nodes.Count, again.Nodes.Count);
    }

    [Fact]
    public void RefuseAnOtherFormatVersion() =>
        Expect(WithTask(Task()).Replace("\"schemaVersion\":1", "\"schemaVersion\":2", StringComparison.Ordinal), NotAllowed, "schemaVersion", null);
}
