using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Definitions;

/// <summary>Discards a form draft (form.manage); published versions are never removed (<c>CONFLICT</c>).</summary>
public sealed class DiscardFormDraft(ActorContext actors, ArtifactLifecycle lifecycle, FormDefinitions definitions)
{
    public async Task HandleAsync(Guid id, int expectedVersion, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        await definitions.RequireAsync(id, ct);
        await lifecycle.DiscardAsync(id, expectedVersion, ct);
    }
}
