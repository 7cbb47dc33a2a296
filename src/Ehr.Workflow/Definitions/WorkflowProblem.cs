using Ehr.Platform.Errors;

namespace Ehr.Workflow.Definitions;

/// <summary>
/// One thing wrong with a workflow definition: the node it concerns (null for the whole definition), a stable code
/// from <see cref="WorkflowProblemCodes"/>, a plain message for people and the path in the JSON
/// (<c>nodes[3].assignee.role</c>, <c>edges[2].to</c>).
/// </summary>
public sealed record WorkflowProblem(string? NodeId, string Code, string Message, string? Path = null)
{
    /// <summary>As a field error of the artifact store's validation failure (the path relative to the content).</summary>
    public FieldError ToFieldError() => new(Path ?? "", Code, NodeId is null ? Message : $"{NodeId}: {Message}", NodeId: NodeId);

    public override string ToString() => $"{NodeId ?? "(workflow)"}: {Code}: {Message}{(Path is null ? "" : $" [{Path}]")}";
}
