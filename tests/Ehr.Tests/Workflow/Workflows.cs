using System.Text.Json;
using Ehr.Platform.Contracts;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Scripts;
using VT = Ehr.Platform.Contracts.WorkflowValueType;

namespace Ehr.Tests.Workflow;

/// <summary>
/// Builders for the workflow tests: a catalog of the actions and events the starter workflows use (as the modules
/// will register them), definitions from JSON fragments, and a small driver that runs an instance step by step.
/// </summary>
internal static class Workflows
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    public static readonly Guid Clinic = Guid.Parse("0b6c2a55-0000-4000-8000-000000000001");

    private static WorkflowParameter P(string name, WorkflowValueType type, bool required = true) => new(name, type, required, $"the {name}");

    public static readonly WorkflowCatalog Catalog = new(
        [
            new WorkflowActionDescriptor("note.sign", "Sign a note as its co-signer.", [P("noteId", VT.String), P("signerId", VT.String)], ["signed", "refused"]),
            new WorkflowActionDescriptor("note.requestCosign", "Mark a note as awaiting co-signature.", [P("noteId", VT.String)], ["done"]),
            new WorkflowActionDescriptor("patient.flag", "Put a flag on a patient's chart.", [P("patientId", VT.String), P("flag", VT.String), P("note", VT.String, required: false)], ["done"]),
            new WorkflowActionDescriptor("appointment.confirm", "Confirm a booked appointment.", [P("appointmentId", VT.String)], ["confirmed", "unavailable"]),
            new WorkflowActionDescriptor("medication.renew", "Renew a prescription.", [P("medicationRequestId", VT.String), P("approvedBy", VT.String)], ["renewed"]),
            new WorkflowActionDescriptor("referral.send", "Send an approved referral.", [P("referralId", VT.String)], ["sent"]),
            new WorkflowActionDescriptor("counter.add", "Add to a number (for tests).", [P("value", VT.Number)], ["done"]),
        ],
        [
            new DomainEventDescriptor("note.signed", "Note", "A note was signed.", [P("patientId", VT.String), P("noteType", VT.String), P("authorId", VT.String), P("authorRole", VT.String), P("supervisorId", VT.String, false)]),
            new DomainEventDescriptor("form.submitted", "FormResponse", "A form response was completed.",
                [P("responseId", VT.String), P("formKey", VT.String), P("patientId", VT.String), P("locationId", VT.String, false), P("flagged", VT.Array)]),
            new DomainEventDescriptor("medication.refill-requested", "MedicationRequest", "A patient asked for a refill.", [P("patientId", VT.String), P("medication", VT.String)]),
            new DomainEventDescriptor("referral.drafted", "ServiceRequest", "A referral was drafted.", [P("patientId", VT.String), P("specialty", VT.String)]),
            new DomainEventDescriptor("patient.registered", "Patient", "A patient was registered.", []),
        ]);

    public static ScriptSandbox Scripts { get; } = new();

    public static WorkflowDefinitions Definitions { get; } = new(Catalog, Scripts);

    public static WorkflowEngine Engine { get; } = new(Scripts);

    /// <summary>A definition from its nodes' and edges' JSON (and optional variables).</summary>
    public static string Def(string nodes, string edges, string variables = "{}") =>
        $$"""{"schemaVersion":1,"title":"Test","variables":{{variables}},"nodes":{{nodes}},"edges":{{edges}}}""";

    public static WorkflowDefinition Parse(string json)
    {
        var parsed = WorkflowJson.Parse(json);
        Assert.True(parsed.Succeeded, string.Join("\n", parsed.Problems));
        return parsed.Definition!;
    }

    public static IReadOnlyList<WorkflowProblem> Validate(string json) => Definitions.Validator.Validate(Parse(json));

    public static WorkflowPlan Plan(string json, Guid? version = null)
    {
        var loaded = Definitions.Load(json, version ?? Guid.NewGuid());
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Problems));
        return loaded.Plan!;
    }

    public static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Workflow", "Fixtures", name + ".json"));

    public static string Codes(IEnumerable<WorkflowProblem> problems) => string.Join(", ", problems.Select(p => $"{p.NodeId}:{p.Code}"));

    public static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    public static WorkflowEvent Event(string type, string subjectId, string payload, Guid? location = null) =>
        new(Guid.NewGuid(), type, "Note", subjectId, location ?? Clinic, J(payload), "user-author", T0);

    /// <summary>A manual start for the subject <c>Patient/p1</c> at the clinic.</summary>
    public static StartWorkflow Manual(string inputs = "{}", Guid? location = null) => new()
    {
        InstanceId = Guid.Parse("7e57a11e-0000-4000-8000-000000000001"),
        Subject = new WorkflowSubject("Patient", "p1", location ?? Clinic),
        ActorId = "user-starter",
        Inputs = J(inputs).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone()),
    };
}

/// <summary>
/// Drives one instance through the engine as the store will: keeps the state between steps, checks every applied
/// state round-trips through JSON, and keeps every effect and timeline entry for assertions.
/// </summary>
internal sealed class Run
{
    private readonly WorkflowPlan _plan;

    public Run(WorkflowPlan plan, StartWorkflow start, DateTimeOffset? at = null)
    {
        _plan = plan;
        Now = at ?? Workflows.T0;
        Last = Workflows.Engine.Start(plan, start, Now);
        Assert.True(Last.Status == StepStatus.Applied, $"{Last.Status} {Last.Code}: {Last.Message}");
        Keep(Last);
    }

    public DateTimeOffset Now { get; set; }

    public InstanceState State { get; private set; } = null!;

    public StepResult Last { get; private set; }

    public List<WorkflowEffect> Effects { get; } = [];

    public List<HistoryEntry> History { get; } = [];

    public StepResult Step(WorkflowInput input, TimeSpan? after = null)
    {
        if (after is { } wait) Now += wait;
        Last = Workflows.Engine.Step(_plan, State, input, Now);
        if (Last.Status == StepStatus.Applied) Keep(Last);
        else Assert.Same(State, Last.State);
        return Last;
    }

    /// <summary>Steps and insists the input was applied.</summary>
    public StepResult Apply(WorkflowInput input, TimeSpan? after = null)
    {
        var result = Step(input, after);
        Assert.True(result.Status == StepStatus.Applied, $"{result.Status} {result.Code}: {result.Message}");
        return result;
    }

    private void Keep(StepResult result)
    {
        var json = InstanceStateJson.Serialize(result.State!);
        // What the store reads back must be what the engine wrote.
        Assert.Equal(json, InstanceStateJson.Serialize(InstanceStateJson.Deserialize(json)));
        State = InstanceStateJson.Deserialize(json);
        Effects.AddRange(result.Effects);
        History.AddRange(result.History);
        Assert.All(State.Tokens, t => Assert.NotEmpty(t.Bookmarks));
    }

    public IEnumerable<T> Emitted<T>() where T : WorkflowEffect => Last.Effects.OfType<T>();

    public T Single<T>() where T : WorkflowEffect => Assert.Single(Emitted<T>());

    /// <summary>The open task slots at a node.</summary>
    public List<Bookmark> Tasks(string nodeId) =>
        State.OpenBookmarks.Where(b => b.Bookmark.Kind == BookmarkKind.Task && b.Bookmark.NodeId == nodeId).Select(b => b.Bookmark).ToList();

    public Bookmark Open(BookmarkKind kind, string nodeId) =>
        Assert.Single(State.OpenBookmarks, b => b.Bookmark.Kind == kind && b.Bookmark.NodeId == nodeId).Bookmark;

    public string Task(string nodeId) => Assert.Single(Tasks(nodeId)).Id;

    public string Var(string name) => State.Variables[name].GetRawText();
}
