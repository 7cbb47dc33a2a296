using System.Text.Json;
using Ehr.Platform.Contracts;

namespace Ehr.Workflow.Definitions;

/// <summary>
/// A workflow definition as authored (<c>workflow-definition.schema.json</c>): variables, nodes and the edges between
/// them. Only <see cref="WorkflowJson.Parse"/> builds one, after the JSON Schema has accepted the document, so a
/// property that does not belong to a node's kind is never set.
/// </summary>
public sealed record WorkflowDefinition
{
    public int SchemaVersion { get; init; }

    public string Title { get; init; } = "";

    public string? Description { get; init; }

    public IReadOnlyDictionary<string, VariableDefinition> Variables { get; init; } = new Dictionary<string, VariableDefinition>();

    public IReadOnlyList<WorkflowNode> Nodes { get; init; } = [];

    public IReadOnlyList<WorkflowEdge> Edges { get; init; } = [];
}

public sealed record VariableDefinition
{
    public WorkflowValueType Type { get; init; }

    /// <summary>The value at start; without one the variable is unset until a node writes it.</summary>
    public JsonElement? Default { get; init; }

    public string? Description { get; init; }
}

/// <summary>The node kinds, as spelled in the JSON.</summary>
public static class NodeKinds
{
    public const string Start = "start";
    public const string Task = "task";
    public const string Decision = "decision";
    public const string Split = "split";
    public const string Join = "join";
    public const string Timer = "timer";
    public const string Notify = "notify";
    public const string Set = "set";
    public const string Action = "action";
    public const string Webhook = "webhook";
    public const string End = "end";

    /// <summary>Kinds whose node parks its token until something from outside (a person, a clock, a module) answers.</summary>
    public static bool Waits(string kind) => kind is Task or Timer or Action or Webhook;
}

/// <summary>The outcomes of a human task, as spelled in the JSON.</summary>
public static class TaskOutcomes
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string ReturnForChanges = "returnForChanges";

    /// <summary>Outcomes a person must explain: a comment is required with them.</summary>
    public static bool NeedsComment(string outcome) => outcome is Reject or ReturnForChanges;
}

/// <summary>
/// One node. The properties of every kind sit side by side (the designer edits them as one shape); the schema only
/// lets those of the node's <see cref="Kind"/> through.
/// </summary>
public sealed record WorkflowNode
{
    public string Id { get; init; } = "";

    public string Kind { get; init; } = "";

    public string? Title { get; init; }

    public string? Description { get; init; }

    // start
    public TriggerDefinition? Trigger { get; init; }

    // task
    public string? Instructions { get; init; }

    public string? Priority { get; init; }

    public AssigneeDefinition? Assignee { get; init; }

    public IReadOnlyList<string>? Outcomes { get; init; }

    public QuorumDefinition? Quorum { get; init; }

    /// <summary>The key of a form (forms module) the assignee fills when deciding.</summary>
    public string? Form { get; init; }

    public string? Due { get; init; }

    public IReadOnlyList<EscalationDefinition>? Escalations { get; init; }

    /// <summary>task, action, webhook: the variable that receives the result.</summary>
    public string? Output { get; init; }

    // decision
    public IReadOnlyList<DecisionCase>? Cases { get; init; }

    public string? Otherwise { get; init; }

    // join
    public string? Mode { get; init; }

    public int? Count { get; init; }

    // timer
    public string? Duration { get; init; }

    public string? At { get; init; }

    // notify
    public IReadOnlyList<RecipientDefinition>? To { get; init; }

    public string? Template { get; init; }

    public IReadOnlyDictionary<string, string>? Data { get; init; }

    public string? Channel { get; init; }

    // set
    public IReadOnlyDictionary<string, string>? Assign { get; init; }

    // action
    public string? Action { get; init; }

    public IReadOnlyDictionary<string, string>? Inputs { get; init; }

    // webhook
    public string? Endpoint { get; init; }

    public string? Event { get; init; }

    public IReadOnlyDictionary<string, string>? Payload { get; init; }

    public RetryDefinition? Retry { get; init; }

    public string? Timeout { get; init; }

    // end
    public string? Outcome { get; init; }
}

public sealed record WorkflowEdge
{
    public string From { get; init; } = "";

    public string To { get; init; } = "";

    /// <summary>The outcome of <see cref="From"/> this edge leaves by; <see cref="Next"/> when omitted.</summary>
    public string? Outcome { get; init; }

    public const string Next = "next";

    [System.Text.Json.Serialization.JsonIgnore]
    public string OutcomeOrNext => Outcome ?? Next;
}

public static class TriggerTypes
{
    public const string Event = "event";
    public const string Manual = "manual";
}

public sealed record TriggerDefinition
{
    public string Type { get; init; } = "";

    public string? Event { get; init; }

    /// <summary>A boolean expression over <c>event</c>; the workflow starts only when it is true.</summary>
    public string? Filter { get; init; }

    public IReadOnlyDictionary<string, InputDefinition>? Inputs { get; init; }
}

public sealed record InputDefinition
{
    public WorkflowValueType Type { get; init; }

    public bool Required { get; init; }

    public JsonElement? Default { get; init; }

    public string? Description { get; init; }
}

public sealed record AssigneeDefinition
{
    public string? Role { get; init; }

    public bool AtSubjectLocation { get; init; }

    public string? User { get; init; }

    public string? Expression { get; init; }
}

public sealed record RecipientDefinition
{
    public string? Role { get; init; }

    public bool AtSubjectLocation { get; init; }

    public string? User { get; init; }

    public string? Patient { get; init; }

    public string? Expression { get; init; }
}

public sealed record QuorumDefinition
{
    public int Approvers { get; init; }

    public int Required { get; init; }
}

public sealed record EscalationDefinition
{
    public string After { get; init; } = "";

    public AssigneeDefinition? Reassign { get; init; }

    public NotificationDefinition? Notify { get; init; }

    public string? Outcome { get; init; }

    public string? Comment { get; init; }
}

public sealed record NotificationDefinition
{
    public IReadOnlyList<RecipientDefinition> To { get; init; } = [];

    public string Template { get; init; } = "";

    public IReadOnlyDictionary<string, string>? Data { get; init; }

    public string? Channel { get; init; }
}

public sealed record DecisionCase
{
    public string When { get; init; } = "";

    public string Outcome { get; init; } = "";
}

public static class JoinModes
{
    public const string All = "all";
    public const string Any = "any";
    public const string NOfM = "nOfM";
}

public sealed record RetryDefinition
{
    public int? MaxAttempts { get; init; }

    public string? InitialDelay { get; init; }

    public double? Multiplier { get; init; }

    public string? MaxDelay { get; init; }
}
