using System.Text.RegularExpressions;
using Ehr.Platform.Artifacts;

namespace Ehr.Web.Components.Forms;

/// <summary>
/// One scope of a form: the tenant standard (<see cref="LocationId"/> null) or one location's override, with its
/// versions newest first, the version in force there (the newest published) and the draft being edited, if any.
/// </summary>
public sealed record FormScope(Guid? LocationId, string Name, IReadOnlyList<Artifact> Versions)
{
    public Artifact? InForce => Versions.FirstOrDefault(v => v.Status == ArtifactStatus.Published);

    public Artifact? Draft => Versions.FirstOrDefault(v => v.Status == ArtifactStatus.Draft);

    public bool IsStandard => LocationId is null;

    /// <summary>"published v2 · draft v3", "retired v1", "draft v1".</summary>
    public string Status
    {
        get
        {
            var parts = new List<string>();
            if (InForce is { } published)
            {
                parts.Add($"published v{published.Version}");
            }

            if (Draft is { } draft)
            {
                parts.Add($"draft v{draft.Version}");
            }

            if (parts.Count == 0 && Versions.Count > 0 && Versions[0] is { } newest)
            {
                parts.Add($"{newest.Status} v{newest.Version}");
            }

            return string.Join(" · ", parts);
        }
    }
}

/// <summary>A form (every version under one key): its standard and its locations' overrides.</summary>
public sealed record FormSummary(string Key, string Title, FormScope? Standard, IReadOnlyList<FormScope> Overrides)
{
    public IEnumerable<FormScope> Scopes => Standard is null ? Overrides : Overrides.Prepend(Standard);

    public IEnumerable<Artifact> Versions => Scopes.SelectMany(s => s.Versions);
}

/// <summary>
/// The forms page's view of the tenant's form versions (as <c>ListFormDefinitions</c> returns them): grouped by key
/// (in the order of their titles), then by scope, each scope's versions newest first, overrides in the order of their
/// locations' names.
/// </summary>
public static partial class FormsOverview
{
    public static IReadOnlyList<FormSummary> Of(IEnumerable<Artifact> versions, IReadOnlyDictionary<Guid, string> locationNames)
    {
        ArgumentNullException.ThrowIfNull(versions);
        ArgumentNullException.ThrowIfNull(locationNames);
        return versions
            .GroupBy(v => v.Key, StringComparer.Ordinal)
            .Select(form =>
            {
                var scopes = form.GroupBy(v => v.LocationId)
                    .Select(s => new FormScope(s.Key, s.Key is { } id ? locationNames.GetValueOrDefault(id, id.ToString()) : "Standard",
                        s.OrderByDescending(v => v.Version).ToList()))
                    .ToList();
                var standard = scopes.FirstOrDefault(s => s.IsStandard);
                var overrides = scopes.Where(s => !s.IsStandard).OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList();
                var titled = standard?.InForce ?? standard?.Versions[0] ?? overrides[0].Versions[0];
                return new FormSummary(form.Key, titled.Title, standard, overrides);
            })
            .OrderBy(f => f.Title, StringComparer.OrdinalIgnoreCase)
            .ThenBy(f => f.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// A key for a new form: the title's words (lower case, joined by '-'), else "form"; with "-2", "-3" ... when the
    /// tenant already has that key. Keys never change once a form has versions, so people may also type their own.
    /// </summary>
    public static string SuggestKey(string? title, IReadOnlySet<string> taken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        var words = NotKeyCharacters().Split((title ?? "").ToLowerInvariant()).Where(w => w.Length > 0);
        var stem = string.Join('-', words);
        stem = stem.Length == 0 ? "form" : stem[..Math.Min(stem.Length, 90)].TrimEnd('-');
        var key = stem;
        for (var n = 2; taken.Contains(key); n++)
        {
            key = $"{stem}-{n}";
        }

        return key;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NotKeyCharacters();
}
