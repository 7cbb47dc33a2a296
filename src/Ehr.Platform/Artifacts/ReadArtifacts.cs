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

    /// <summary>Every version of every key of a kind: by key, tenant standard first, then each location's overrides; newest first within each.</summary>
    public async Task<IReadOnlyList<Artifact>> ListAsync(string? kind, CancellationToken ct)
    {
        var known = kinds.Get(kind, "kind");
        actors.Demand(known.ReadPermission);
        return await db.Set<Artifact>().AsNoTracking()
            .Where(a => a.Kind == known.Kind)
            .OrderBy(a => a.Key).ThenBy(a => a.LocationId != null).ThenBy(a => a.LocationId).ThenByDescending(a => a.Version)
            .ToListAsync(ct);
    }

    /// <summary>
    /// What is in force at a location, one version per key, resolved as <see cref="ResolveAsync"/> does (its published
    /// override, else the tenant's published standard); with no location, the tenant's standards. Ordered by key.
    /// </summary>
    public async Task<IReadOnlyList<Artifact>> InForceAsync(string? kind, Guid? locationId, CancellationToken ct)
    {
        var known = kinds.Get(kind, "kind");
        actors.Demand(known.ReadPermission);
        var published = await db.Set<Artifact>().AsNoTracking()
            .Where(a => a.Kind == known.Kind && a.Status == ArtifactStatus.Published && (a.LocationId == null || a.LocationId == locationId))
            .ToListAsync(ct);
        return published
            .GroupBy(a => a.Key, StringComparer.Ordinal)
            .Select(g => g.Where(a => a.LocationId is not null).MaxBy(a => a.Version) ?? g.MaxBy(a => a.Version)!)
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .ToList();
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
