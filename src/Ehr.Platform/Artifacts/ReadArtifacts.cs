using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Artifacts;

/// <summary>
/// Reading artifacts: one version by id (pinned references: a response names the form version it answers), every
/// version of a key, and resolution, the version in force for a location: its published override, else the tenant's
/// published standard (which is where a starter pack's artifacts are imported), else none.
/// </summary>
public sealed class ReadArtifacts(TenantDbContext db, ActorContext actors, ArtifactKindRegistry kinds)
{
    public async Task<Artifact?> GetAsync(Guid id, CancellationToken ct)
    {
        var artifact = await db.Set<Artifact>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (artifact is not null)
        {
            actors.Demand(kinds.Get(artifact.Kind, "id").ReadPermission);
        }

        return artifact;
    }

    public async Task<Artifact?> ResolveAsync(string? kind, string? key, Guid? locationId, CancellationToken ct)
    {
        var known = kinds.Get(kind, "kind");
        actors.Demand(known.ReadPermission);
        RequireKey(key);
        var published = db.Set<Artifact>().AsNoTracking()
            .Where(a => a.Kind == known.Kind && a.Key == key && a.Status == ArtifactStatus.Published);
        if (locationId is not null &&
            await published.Where(a => a.LocationId == locationId).OrderByDescending(a => a.Version).FirstOrDefaultAsync(ct) is { } overridden)
        {
            return overridden;
        }

        return await published.Where(a => a.LocationId == null).OrderByDescending(a => a.Version).FirstOrDefaultAsync(ct);
    }

    /// <summary>Every version of a key, tenant standard first, then each location's overrides; newest first within each.</summary>
    public async Task<IReadOnlyList<Artifact>> VersionsAsync(string? kind, string? key, CancellationToken ct)
    {
        var known = kinds.Get(kind, "kind");
        actors.Demand(known.ReadPermission);
        RequireKey(key);
        return await db.Set<Artifact>().AsNoTracking()
            .Where(a => a.Kind == known.Kind && a.Key == key)
            .OrderBy(a => a.LocationId != null).ThenBy(a => a.LocationId).ThenByDescending(a => a.Version)
            .ToListAsync(ct);
    }

    /// <summary>A malformed key names nothing: say so (<c>VALIDATION_FAILED</c> on <c>key</c>) rather than answer "none".</summary>
    private static void RequireKey(string? key)
    {
        var errors = new List<Errors.FieldError>();
        ArtifactRules.Key(key, "key", errors);
        if (errors.Count > 0)
        {
            throw Errors.EhrException.Validation(errors);
        }
    }
}
