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
public sealed record WorkflowActionDescriptor(
    string Name,
    string Description,
    IReadOnlyList<WorkflowParameter> Inputs,
    IReadOnlyList<string> Outcomes);
