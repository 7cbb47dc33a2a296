using System.Globalization;
using System.Text;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Definitions;

/// <summary>A form version with the canonical FHIR names it by.</summary>
public sealed record FormVersion(Artifact Definition, CanonicalForm Canonical);

/// <summary>
/// Which form versions: by canonical <see cref="Url"/> (exact) and <see cref="Version"/> (the canonical version string,
/// exact), by <see cref="Name"/> or <see cref="Title"/> (case-insensitive prefix, as FHIR string search), by status
/// (<c>draft</c>, <c>published</c>, <c>retired</c>; default published and retired: versions that were published).
/// </summary>
public sealed record FormVersionQuery(string? Url = null, string? Version = null, string? Name = null, string? Title = null,
    IReadOnlyCollection<string>? Statuses = null, int First = 20, string? After = null);

public sealed record FormVersionPage(IReadOnlyList<FormVersion> Nodes, bool HasNextPage, string? EndCursor);

/// <summary>
/// Form versions with their canonical references (location.read, like every read of definitions): one by id, drafts
/// included, and searches by canonical url and version, name, title and status in pages (by key, the tenant standard
/// before location overrides, newest version first). The FHIR Questionnaire surface reads definitions through here.
/// </summary>
public sealed class FindFormVersions(TenantDbContext db, ActorContext actors, FormCanonicals canonicals)
{
    public const int MaxPage = 100;

    private static readonly string[] Statuses = [ArtifactStatus.Draft, ArtifactStatus.Published, ArtifactStatus.Retired];

    public async Task<FormVersion?> GetAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        var definition = await db.Set<Artifact>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.Kind == FormKind.Name, ct);
        return definition is null ? null : new FormVersion(definition, (await canonicals.OfAsync([id], ct))[id]);
    }

    public async Task<FormVersionPage> SearchAsync(FormVersionQuery query, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<FieldError>();
        if (query.First is < 1 or > MaxPage)
        {
            errors.Add(new FieldError("first", ErrorCodes.OutOfRange, $"Between 1 and {MaxPage}."));
        }

        var statuses = query.Statuses is { Count: > 0 } asked ? asked : [ArtifactStatus.Published, ArtifactStatus.Retired];
        if (statuses.FirstOrDefault(s => !Statuses.Contains(s)) is { } unknown)
        {
            errors.Add(new FieldError("status", ErrorCodes.InvalidFormat, $"'{unknown}': one of draft, published, retired."));
        }

        var after = query.After is null ? null : Cursor.Parse(query.After);
        if (query.After is not null && after is null)
        {
            errors.Add(new FieldError("after", ErrorCodes.InvalidFormat, "Not a form versions cursor."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var matches = (await canonicals.AllAsync(ct))
            .Where(c => statuses.Contains(c.Status))
            .Where(c => query.Url is null || c.Url == query.Url)
            .Where(c => query.Version is null || c.Version == query.Version)
            .Where(c => query.Name is null || StartsWith(c.Name, query.Name))
            .Where(c => query.Title is null || StartsWith(c.ContentTitle ?? c.Title, query.Title))
            .OrderBy(c => c.Key, StringComparer.Ordinal).ThenBy(c => Scope(c.LocationId), StringComparer.Ordinal).ThenByDescending(c => c.ArtifactVersion)
            .Where(c => after is null || Cursor.After(c, after))
            .Take(query.First + 1)
            .ToList();
        var page = matches.Take(query.First).ToList();
        var ids = page.Select(c => c.Id).ToList();
        var definitions = await db.Set<Artifact>().AsNoTracking().Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var nodes = page.Where(c => definitions.ContainsKey(c.Id)).Select(c => new FormVersion(definitions[c.Id], c)).ToList();
        return new FormVersionPage(nodes, matches.Count > query.First, page.Count == 0 ? null : Cursor.Of(page[^1]));
    }

    private static bool StartsWith(string? value, string prefix) =>
        value is not null && value.StartsWith(prefix.Trim(), StringComparison.OrdinalIgnoreCase);

    // The tenant standard sorts before every location override.
    private static string Scope(Guid? location) => location is null ? "" : location.Value.ToString("N");

    /// <summary>The last row's key, scope and version: the next page starts after it, whatever was added meanwhile.</summary>
    private sealed record Cursor(string Key, string Scope, int Version)
    {
        public static string Of(CanonicalForm c) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.Key}|{FindFormVersions.Scope(c.LocationId)}|{c.ArtifactVersion.ToString(CultureInfo.InvariantCulture)}"));

        public static Cursor? Parse(string value)
        {
            try
            {
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(value)).Split('|');
                return parts.Length == 3 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                    ? new Cursor(parts[0], parts[1], version)
                    : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        public static bool After(CanonicalForm c, Cursor cursor)
        {
            var byKey = string.CompareOrdinal(c.Key, cursor.Key);
            if (byKey != 0)
            {
                return byKey > 0;
            }

            var byScope = string.CompareOrdinal(FindFormVersions.Scope(c.LocationId), cursor.Scope);
            return byScope != 0 ? byScope > 0 : c.ArtifactVersion < cursor.Version;
        }
    }
}
