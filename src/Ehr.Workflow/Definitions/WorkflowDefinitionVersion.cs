using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;

namespace Ehr.Workflow.Definitions;

/// <summary>One input of a manually started workflow, for a start form.</summary>
public sealed record WorkflowStartInput(string Name, WorkflowValueType Type, bool Required, string? Description, string? Default);

/// <summary>
/// One version of a workflow definition as the APIs show it: the artifact (key, scope, version, status, content ...)
/// and what its content says about starting it, read leniently (a draft may not parse: those parts read as null).
/// </summary>
public sealed record WorkflowDefinitionVersion(Artifact Artifact, string? Description, string? TriggerType, string? TriggerEvent,
    IReadOnlyList<WorkflowStartInput> Inputs)
{
    public static WorkflowDefinitionVersion Of(Artifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var parsed = WorkflowJson.Parse(artifact.Content);
        var trigger = parsed.Definition?.Nodes.FirstOrDefault(n => n.Kind == NodeKinds.Start)?.Trigger;
        var inputs = (trigger?.Inputs ?? new Dictionary<string, InputDefinition>())
            .Select(i => new WorkflowStartInput(i.Key, i.Value.Type, i.Value.Required, i.Value.Description, i.Value.Default?.GetRawText()))
            .ToList();
        return new WorkflowDefinitionVersion(artifact, parsed.Definition?.Description, trigger?.Type, trigger?.Event, inputs);
    }
}
