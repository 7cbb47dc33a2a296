using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Identity;

namespace Ehr.Workflow.Definitions;

/// <summary>The actions workflows may call and the events they may start on.</summary>
public sealed record WorkflowCatalogView(IReadOnlyList<WorkflowActionDescriptor> Actions, IReadOnlyList<DomainEventDescriptor> Events);

/// <summary>One problem of a definition as the designer shows it.</summary>
public sealed record WorkflowDefinitionProblem(string? NodeId, string Code, string Message, string? Path);

/// <summary>
/// Reading workflow definitions (<c>workflow.read</c>): one version by id (instances pin them, retired or not), every
/// version of a key or of all keys, what is in force at a location; the designer's aids: the published JSON Schema, the
/// actions and events modules registered, and a validation of unsaved content (<c>workflow.manage</c>, as for
/// publishing: nothing is stored).
/// </summary>
public sealed class ReadWorkflowDefinitions(ReadArtifacts artifacts, ActorContext actors, WorkflowDefinitions definitions, WorkflowCatalog catalog)
{
    public async Task<WorkflowDefinitionVersion?> GetAsync(Guid id, CancellationToken ct)
    {
        // Demanded before looking: an id that names nothing must not answer differently to those who may not read.
        actors.Demand(Permissions.WorkflowRead);
        return await artifacts.GetAsync(id, ct) is { Kind: WorkflowKind.Name } artifact ? WorkflowDefinitionVersion.Of(artifact) : null;
    }

    /// <summary>Every version of <paramref name="key"/>, or of every key when it is null.</summary>
    public async Task<IReadOnlyList<WorkflowDefinitionVersion>> VersionsAsync(string? key, CancellationToken ct) =>
        (key is null ? await artifacts.ListAsync(WorkflowKind.Name, ct) : await artifacts.VersionsAsync(WorkflowKind.Name, key, ct))
        .Select(WorkflowDefinitionVersion.Of).ToList();

    public async Task<IReadOnlyList<WorkflowDefinitionVersion>> InForceAsync(Guid? locationId, CancellationToken ct) =>
        (await artifacts.InForceAsync(WorkflowKind.Name, locationId, ct)).Select(WorkflowDefinitionVersion.Of).ToList();

    public string Schema()
    {
        actors.Demand(Permissions.WorkflowRead);
        return WorkflowJson.SchemaText;
    }

    public WorkflowCatalogView Catalog()
    {
        actors.Demand(Permissions.WorkflowRead);
        return new WorkflowCatalogView(catalog.Actions.Values.OrderBy(a => a.Name, StringComparer.Ordinal).ToList(),
            catalog.Events.Values.OrderBy(e => e.Type, StringComparer.Ordinal).ToList());
    }

    /// <summary>Every problem of <paramref name="content"/>, checked as for publishing (or as a draft).</summary>
    public IReadOnlyList<WorkflowDefinitionProblem> Validate(string? content, bool publishing)
    {
        actors.Demand(Permissions.WorkflowManage);
        return definitions.Check(content ?? "", publishing).Select(p => new WorkflowDefinitionProblem(p.NodeId, p.Code, p.Message, p.Path)).ToList();
    }
}
