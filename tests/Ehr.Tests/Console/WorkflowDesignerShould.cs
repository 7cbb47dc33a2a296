using Ehr.Web.Components.Workflows;

namespace Ehr.Tests.Console;

/// <summary>
/// The workflow designer's pure pieces: the diagram's layered layout (longest path from the start, loops drawn back,
/// unreachable nodes in a last column, a half-typed draft still drawn), where a validator's path is in the text, and
/// the sample start a test run begins with.
/// </summary>
public sealed class WorkflowDesignerShould
{
    private static readonly string CoSignature = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Workflow", "Fixtures", "note-cosignature.json"));

    [Fact]
    public void LayANodeOneColumnAfterTheFurthestNodeLeadingToIt()
    {
        const string json = """
            { "nodes": [
                { "id": "start", "kind": "start" }, { "id": "a", "kind": "task" }, { "id": "b", "kind": "set" },
                { "id": "join", "kind": "join" }, { "id": "end", "kind": "end" }, { "id": "island", "kind": "notify" } ],
              "edges": [
                { "from": "start", "to": "a" }, { "from": "start", "to": "b" }, { "from": "b", "to": "a", "outcome": "x" },
                { "from": "a", "to": "join" }, { "from": "join", "to": "end" }, { "from": "join", "to": "start", "outcome": "again" },
                { "from": "end", "to": "nowhere" } ] }
            """;

        var layout = WorkflowLayout.Of(json)!;

        Assert.Equal([("start", 0), ("a", 1), ("b", 1), ("join", 2), ("end", 3), ("island", 4)],
            layout.Nodes.Select(n => (n.Id, n.Layer)));
        // b -> a stays in one column (both one step from the start): drawn as a loop, like the way back to the start.
        Assert.Equal([false, false, true, false, false, true], layout.Edges.Select(e => e.Back));
        Assert.DoesNotContain(layout.Edges, e => e.To == "nowhere");
        Assert.All(layout.Nodes, n => Assert.InRange(n.X + WorkflowLayout.BoxWidth, 0, layout.Width));
        Assert.Equal(2, layout.Nodes.Count(n => n.Layer == 1));
        Assert.NotEqual(layout.Node("a")!.Row, layout.Node("b")!.Row);
    }

    [Fact]
    public void DrawTheCoSignatureFromStartToItsThreeEnds()
    {
        var layout = WorkflowLayout.Of(CoSignature)!;

        Assert.Equal(0, layout.Node("start")!.Layer);
        Assert.Equal(2, layout.Node("cosign")!.Layer);
        Assert.True(layout.Node("failed")!.Layer > layout.Node("tell-author-refused")!.Layer);
        Assert.Contains(layout.Edges, e => e is { From: "cosign", To: "sign", Outcome: "approve", Back: false });
        Assert.Null(WorkflowLayout.Of("{ \"nodes\": ["));
    }

    [Fact]
    public void FindTheLineOfAPathOrOfItsNearestParent()
    {
        var text = new WorkflowJsonText(CoSignature);
        var lines = CoSignature.Split('\n');

        var due = text.LineOf("nodes[2].due")!.Value;
        Assert.Contains("\"due\"", lines[due - 1], StringComparison.Ordinal);
        Assert.Equal(due, text.LineOf("content.nodes[2].due"));
        // A property that is not there yet: its node's line.
        Assert.Equal(text.LineOf("nodes[2]"), text.LineOf("nodes[2].form"));
        Assert.Equal("nodes[2]", text.NodePath("cosign"));
        Assert.Equal(text.LineOf("nodes[2]"), text.LineOf(null, "cosign"));
        Assert.Contains("\"id\": \"cosign\"", lines[text.LineOf("nodes[2]")!.Value - 1] + lines[text.LineOf("nodes[2]")!.Value], StringComparison.Ordinal);
        Assert.Contains("PT72H", text.NodeJson("cosign"), StringComparison.Ordinal);
        Assert.Null(text.NodeJson("no-such-node"));
        Assert.Equal(lines.Length, text.LineCount);
    }

    [Fact]
    public void KeepTheLinesOfWhatReadsInHalfTypedJson()
    {
        var text = new WorkflowJsonText("{\n  \"title\": \"x\",\n  \"nodes\": [\n    { \"id\": \"start\",\n");

        Assert.Equal(2, text.LineOf("title"));
        Assert.Equal(4, text.LineOf("nodes[0].kind"));
        Assert.Equal("nodes[0]", text.NodePath("start"));
    }

    [Fact]
    public void StartATestRunWithTheDeclaredInputsOrTheEventsPayloadFields()
    {
        var manual = WorkflowText.SampleStart("""
            { "nodes": [ { "id": "s", "kind": "start", "trigger": { "type": "manual", "inputs": {
                "medication": { "type": "string", "required": true }, "days": { "type": "number", "default": 30 }, "startedBy": { "type": "string" } } } } ] }
            """, null);

        Assert.Equal("{\"medication\":\"\",\"days\":30}", System.Text.Json.Nodes.JsonNode.Parse(manual)!.ToJsonString());
        var (type, starts, _) = WorkflowText.TriggerOf(CoSignature);
        Assert.Equal((Ehr.Workflow.Definitions.TriggerTypes.Event, "note.signed"), (type, starts));
        Assert.Equal([("mark-pending", "note.requestCosign"), ("sign", "note.sign")], WorkflowText.ActionNodes(CoSignature));
        Assert.Equal("Note co-signature", WorkflowText.TitleOf(CoSignature));
    }
}
