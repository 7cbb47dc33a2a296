using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Definitions;

/// <summary>
/// Reads form definitions (location.read: tenant configuration every staff member sees): one version by id (null when
/// there is none, or it is another kind), and the version in force for a location: its published override, else the
/// tenant's published standard, else none.
/// </summary>
public sealed class GetFormDefinition(ActorContext actors, ReadArtifacts artifacts)
{
    public async Task<Artifact?> HandleAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        var artifact = await artifacts.GetAsync(id, ct);
        return artifact?.Kind == FormKind.Name ? artifact : null;
    }

    public async Task<Artifact?> ResolveAsync(string? key, Guid? locationId, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        return await artifacts.ResolveAsync(FormKind.Name, key, locationId, ct);
    }

    /// <summary>A version as Questionnaire JSON, exactly as it was imported or last saved (export, then import, gives it back).</summary>
    public async Task<string?> ExportAsync(Guid id, CancellationToken ct) => (await HandleAsync(id, ct))?.Content;
}
