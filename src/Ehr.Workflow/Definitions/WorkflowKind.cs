using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Workflow.Definitions;

/// <summary>
/// The artifact kind <c>workflow</c>: a workflow definition, versioned and scoped by the artifact store (tenant standard
/// or a location's override; instances pin the exact version). Read with <c>workflow.read</c>, managed with
/// <c>workflow.manage</c>. A draft need only be JSON (the designer saves work in progress); publishing checks the schema
/// and the whole graph, each problem a field error with its path in the content and its node id.
/// </summary>
public sealed class WorkflowKind(WorkflowDefinitions definitions) : IArtifactKind
{
    public const string Name = "workflow";

    public string Kind => Name;

    public string ReadPermission => Permissions.WorkflowRead;

    public string ManagePermission => Permissions.WorkflowManage;

    public IReadOnlyList<FieldError> Check(string content, bool publishing) =>
        definitions.Check(content, publishing).Select(p => p.ToFieldError()).ToList();
}
