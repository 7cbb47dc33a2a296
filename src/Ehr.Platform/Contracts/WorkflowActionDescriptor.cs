namespace Ehr.Platform.Contracts;

/// <summary>One named input of a workflow action, or one field of an action's output.</summary>
public sealed record WorkflowParameter(string Name, WorkflowValueType Type, bool Required, string Description);

/// <summary>
/// A call into a module that a workflow may make (an <c>action</c> node), for example <c>note.sign</c> or
/// <c>patient.flag</c>. Modules cannot reference the workflow module, so they describe their actions here, in the
/// platform, and register each descriptor as a singleton; the workflow engine checks definitions against them
/// (unknown action, unknown or missing input, edge from an outcome the action does not have).
/// </summary>
/// <param name="Name">Stable dotted name, <c>module-noun.verb</c>: <c>note.requestCosign</c>.</param>
/// <param name="Description">What the action does, for the designer.</param>
/// <param name="Inputs">The inputs the node supplies, each a JavaScript expression in the definition.</param>
/// <param name="Outcomes">Every way the action can finish; the node needs an edge for each.</param>
/// <param name="Outputs">
/// The fields of the output object the action answers with, per outcome (an outcome not listed answers no output: the
/// node's <c>output</c> variable gets <c>{}</c>). The designer's test run answers a sample of them when the tester gives
/// none, so keep them what <see cref="IWorkflowAction.InvokeAsync"/> really returns.
/// </param>
public sealed record WorkflowActionDescriptor(
    string Name,
    string Description,
    IReadOnlyList<WorkflowParameter> Inputs,
    IReadOnlyList<string> Outcomes,
    IReadOnlyList<WorkflowActionOutput>? Outputs = null)
{
    /// <summary>The output fields the action answers with when it finishes with <paramref name="outcome"/> (none when it answers no output).</summary>
    public IReadOnlyList<WorkflowParameter> OutputOf(string outcome) =>
        Outputs?.FirstOrDefault(o => string.Equals(o.Outcome, outcome, StringComparison.Ordinal))?.Fields ?? [];
}

/// <summary>The output object of an action that finishes with <paramref name="Outcome"/>: its fields.</summary>
public sealed record WorkflowActionOutput(string Outcome, IReadOnlyList<WorkflowParameter> Fields);
