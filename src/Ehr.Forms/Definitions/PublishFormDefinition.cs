using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Definitions;

/// <summary>
/// Publishes a form draft with a version note (form.manage): the complete check must pass first (every problem is a
/// <c>VALIDATION_FAILED</c> field whose path points into the content, e.g. <c>content.item[2].enableWhen[0].question</c>,
/// with the item's link id); from then on the version is immutable and resolution may pick it.
/// </summary>
public sealed class PublishFormDefinition(ActorContext actors, ArtifactLifecycle lifecycle, FormDefinitions definitions, TenantAnswerValueSets valueSets)
{
    public async Task<Artifact> HandleAsync(Guid id, int expectedVersion, string? note, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        await definitions.RequireAsync(id, ct);
        // The kind's complete check resolves answerValueSet URLs against the tenant's value sets.
        await valueSets.LoadAsync(ct);
        return await lifecycle.PublishAsync(id, expectedVersion, note, ct);
    }
}
