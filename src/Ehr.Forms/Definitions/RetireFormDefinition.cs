using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Definitions;

/// <summary>
/// Retires a published form version (form.manage): resolution no longer picks it and no new response can start on
/// it; responses already pinned to it keep reading and completing it.
/// </summary>
public sealed class RetireFormDefinition(ActorContext actors, ArtifactLifecycle lifecycle, FormDefinitions definitions)
{
    public async Task<Artifact> HandleAsync(Guid id, int expectedVersion, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        await definitions.RequireAsync(id, ct);
        return await lifecycle.RetireAsync(id, expectedVersion, ct);
    }
}
