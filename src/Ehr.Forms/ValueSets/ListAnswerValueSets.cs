using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.ValueSets;

/// <summary>A value set held in the tenant, as listed: the version and what forms see of it.</summary>
public sealed record HeldValueSet(Artifact Version, string? Url, string? ValueSetVersion, IReadOnlyList<AnswerConcept> Concepts)
{
    public static HeldValueSet Of(Artifact version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var valueSet = QuestionnaireJson.ParseValueSet(version.Content).Resource;
        var concepts = valueSet?.Url is { } url ? AnswerValueSetExpansion.Flatten(valueSet, url)?.Concepts : null;
        return new HeldValueSet(version, valueSet?.Url, valueSet?.Version, concepts ?? []);
    }
}

/// <summary>The tenant's answer value sets (location.read): every version of every key, newest first within a key.</summary>
public sealed class ListAnswerValueSets(TenantDbContext db, ActorContext actors)
{
    public async Task<IReadOnlyList<HeldValueSet>> HandleAsync(CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        var rows = await db.Set<Artifact>().AsNoTracking()
            .Where(a => a.Kind == ValueSetKind.Name)
            .OrderBy(a => a.Key).ThenByDescending(a => a.Version)
            .Take(1000)
            .ToListAsync(ct);
        return rows.Select(HeldValueSet.Of).ToList();
    }
}
