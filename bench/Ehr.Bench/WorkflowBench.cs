using System.Diagnostics;
using System.Text.Json;
using Ehr.Platform.Contracts;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Scripts;

namespace Ehr.Bench;

/// <summary>
/// The workflow engine in process (no database): one decision script in the sandbox (a fresh engine per evaluation,
/// as in production), one resume step of the note co-signature workflow (a decided task, a sign action invoked), and
/// validating the intake workflow as publishing does. The runtime's resume rate adds the database to the step.
/// </summary>
internal static class WorkflowBench
{
    public static IReadOnlyList<Metric> Run(TimeSpan duration)
    {
        var sandbox = new ScriptSandbox();
        var catalog = new WorkflowCatalog(
            [
                new WorkflowActionDescriptor("note.requestCosign", "", [new("noteId", WorkflowValueType.String, true, "")], ["done"]),
                new WorkflowActionDescriptor("note.sign", "", [new("noteId", WorkflowValueType.String, true, ""), new("signerId", WorkflowValueType.String, true, "")], ["signed", "refused"]),
                new WorkflowActionDescriptor("patient.flag", "", [new("patientId", WorkflowValueType.String, true, ""), new("flag", WorkflowValueType.String, true, ""), new("note", WorkflowValueType.String, false, "")], ["done"]),
            ],
            [
                new DomainEventDescriptor("note.signed", "Note", "", []),
                new DomainEventDescriptor("form.submitted", "QuestionnaireResponse", "", []),
            ]);
        var definitions = new WorkflowDefinitions(catalog, sandbox);
        var engine = new WorkflowEngine(sandbox);
        var now = DateTimeOffset.UtcNow;

        using var payload = JsonDocument.Parse("""{"type":"form.submitted","payload":{"formKey":"phq-9","flagged":["phq9-suicide-flag"]}}""");
        using var empty = JsonDocument.Parse("{}");
        var scope = new ScriptScope(empty.RootElement, payload.RootElement, empty.RootElement, null, now);
        const string decision = "(event.payload.flagged ?? []).includes('phq9-suicide-flag')";
        if (sandbox.Evaluate(decision, scope).Value?.ValueKind != JsonValueKind.True) throw new InvalidOperationException("decision script is wrong");

        var cosign = definitions.Load(Fixture("note-cosignature"), Guid.NewGuid()).Plan ?? throw new InvalidOperationException("co-signature fixture is invalid");
        using var note = JsonDocument.Parse("""{"authorRole":"resident","authorId":"res-1","supervisorId":"dr-lee"}""");
        var started = engine.Start(cosign, StartWorkflow.For(Guid.NewGuid(), new WorkflowEvent(Guid.NewGuid(), "note.signed", "Note", "n1", Guid.NewGuid(), note.RootElement.Clone(), "res-1", now)), now);
        var pending = started.State!.OpenBookmarks.Single().Bookmark.Id;
        var waiting = engine.Step(cosign, started.State, new ActionCompleted(pending, "done"), now).State!;
        var task = waiting.OpenBookmarks.First(b => b.Bookmark.Kind == BookmarkKind.Task).Bookmark.Id;
        var input = new CompleteTask(task, "approve", null, "dr-lee");
        if (engine.Step(cosign, waiting, input, now).Effects.OfType<InvokeAction>().SingleOrDefault()?.Action != "note.sign")
            throw new InvalidOperationException("co-signature step is wrong");

        var intake = WorkflowJson.Parse(Fixture("intake-review")).Definition!;

        var scripts = Measure(duration, () => sandbox.Evaluate(decision, scope));
        var steps = Measure(duration, () => engine.Step(cosign, waiting, input, now));
        var stateJson = InstanceStateJson.Serialize(waiting);
        var roundTrips = Measure(duration / 2, () => InstanceStateJson.Deserialize(stateJson));
        var validations = Measure(duration / 2, () => definitions.Validator.Validate(intake));
        return
        [
            Target("decision script (fresh sandbox), p95", scripts.Percentile(95), 0.5),
            new("workflow", "decision script (fresh sandbox), p50", scripts.Percentile(50), "ms", "", null),
            Target("resume step: task decided, action invoked, p95", steps.Percentile(95), 2),
            new("workflow", "resume step: task decided, action invoked, p50", steps.Percentile(50), "ms", "", null),
            new("workflow", $"state read from JSON ({stateJson.Length} chars), p95", roundTrips.Percentile(95), "ms", "", null),
            new("workflow", "intake definition: validate, p95", validations.Percentile(95), "ms", "", null),
        ];
    }

    private static Metric Target(string name, double value, double target) =>
        new("workflow", name, value, "ms", $"<= {target}", value <= target);

    private static Latencies Measure(TimeSpan duration, Action work)
    {
        for (var i = 0; i < 200; i++) work(); // JIT and the prepared-script cache
        var latencies = new Latencies();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var start = Stopwatch.GetTimestamp();
            work();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return latencies;
    }

    /// <summary>The starter workflows are test fixtures until a later step copies them into the packs.</summary>
    private static string Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "tests", "Ehr.Tests", "Workflow", "Fixtures", name + ".json");
            if (File.Exists(file)) return File.ReadAllText(file);
        }

        throw new FileNotFoundException($"Workflow fixture {name}.json not found above {AppContext.BaseDirectory}.");
    }
}
