using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Workflow.Definitions;

/// <summary>A new workflow draft: the first version of a key, the next one, or a location's override (see <see cref="NewDraft"/>).</summary>
public sealed record NewWorkflowDraft(string? Key, Guid? LocationId, string? Title, string? Content, Guid? From = null);

/// <summary>
/// A workflow definition's lifecycle through the artifact store (draft, edit, publish with a version note, retire,
/// discard a draft), each demanding <c>workflow.manage</c> first; the store versions and audits each change, and the
/// kind checks the content (publishing: the schema and the whole graph, every problem with its node id). Retiring a
/// version takes it out of resolution: new events no longer start it, running instances keep it. An id of another kind
/// of artifact is <c>NOT_FOUND</c> here.
/// </summary>
public sealed class ChangeWorkflowDefinitions(ActorContext actors, CreateDraft create, ArtifactLifecycle lifecycle, ReadArtifacts artifacts)
{
    public async Task<WorkflowDefinitionVersion> CreateDraftAsync(NewWorkflowDraft input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        actors.Demand(Permissions.WorkflowManage);
        return WorkflowDefinitionVersion.Of(await create.HandleAsync(
            new NewDraft(WorkflowKind.Name, input.Key, input.LocationId, input.Title, input.Content, input.From), ct));
    }

    public async Task<WorkflowDefinitionVersion> EditAsync(Guid id, int expectedVersion, string? title, string? content, CancellationToken ct) =>
        WorkflowDefinitionVersion.Of(await lifecycle.EditAsync(await RequireAsync(id, ct), expectedVersion, title, content, ct));

    public async Task<WorkflowDefinitionVersion> PublishAsync(Guid id, int expectedVersion, string? note, CancellationToken ct) =>
        WorkflowDefinitionVersion.Of(await lifecycle.PublishAsync(await RequireAsync(id, ct), expectedVersion, note, ct));

    public async Task<WorkflowDefinitionVersion> RetireAsync(Guid id, int expectedVersion, CancellationToken ct) =>
        WorkflowDefinitionVersion.Of(await lifecycle.RetireAsync(await RequireAsync(id, ct), expectedVersion, ct));

    public async Task<bool> DiscardAsync(Guid id, int expectedVersion, CancellationToken ct)
    {
        await lifecycle.DiscardAsync(await RequireAsync(id, ct), expectedVersion, ct);
        return true;
    }

    private async Task<Guid> RequireAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowManage);
        return await artifacts.GetAsync(id, ct) is { Kind: WorkflowKind.Name } ? id : throw EhrException.NotFound("Workflow definition " + id);
    }
}
