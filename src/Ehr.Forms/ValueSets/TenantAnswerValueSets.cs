using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.ValueSets;

/// <summary>
/// The answer value sets held in the scope's tenant: its published <c>value-set</c> artifacts (tenant-wide), by
/// canonical URL. <c>url|version</c> finds that version (retired ones too, so a form pinned to it keeps working);
/// a bare URL the newest published one. The engine asks synchronously, so a use case loads them first
/// (<see cref="LoadAsync"/>); asking before that is a programming error, never an empty answer.
/// </summary>
public sealed class TenantAnswerValueSets(TenantDbContext db) : IAnswerValueSets
{
    private Dictionary<string, AnswerValueSet>? _sets;

    public async Task LoadAsync(CancellationToken ct)
    {
        if (_sets is not null)
        {
            return;
        }

        var rows = await db.Set<Artifact>().AsNoTracking()
            .Where(a => a.Kind == ValueSetKind.Name && a.LocationId == null && a.Status != ArtifactStatus.Draft)
            .OrderBy(a => a.PublishedAt).ThenBy(a => a.Id)
            .Select(a => new { a.Status, a.Content })
            .ToListAsync(ct);
        var sets = new Dictionary<string, AnswerValueSet>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (QuestionnaireJson.ParseValueSet(row.Content).Resource is not { Url: { } url } valueSet ||
                AnswerValueSetExpansion.Flatten(valueSet, url) is not { } set)
            {
                continue;
            }

            if (valueSet.Version is { Length: > 0 } version)
            {
                sets[$"{url}|{version}"] = set;
            }

            // Later publications win the bare URL; a retired one no longer answers it.
            if (row.Status == ArtifactStatus.Published)
            {
                sets[url] = set;
            }
        }

        _sets = sets;
    }

    public AnswerValueSet? Find(string canonical)
    {
        var sets = _sets ?? throw new InvalidOperationException("The tenant's answer value sets are read with LoadAsync before they are used.");
        if (sets.TryGetValue(canonical, out var set))
        {
            return set;
        }

        var bar = canonical.IndexOf('|', StringComparison.Ordinal);
        return bar > 0 && sets.TryGetValue(canonical[..bar], out set) ? set : null;
    }
}
