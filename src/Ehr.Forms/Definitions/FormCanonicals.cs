using System.Globalization;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Definitions;

/// <summary>
/// A form version with the canonical reference FHIR knows it by: the Questionnaire's own <c>url</c> (null when it has
/// none: then only <c>Questionnaire/&lt;id&gt;</c> names it) and the version string that, with that url, names this
/// version and no other (see <see cref="FormCanonicals"/>).
/// </summary>
public sealed record CanonicalForm(Guid Id, string Key, Guid? LocationId, int ArtifactVersion, string Status, string Title, string? Url,
    string Version, string? Name, string? ContentTitle, DateTimeOffset? PublishedAt)
{
    /// <summary><c>url|version</c>, or <c>Questionnaire/&lt;id&gt;</c> for a form without a url.</summary>
    public string Reference => Url is null ? $"Questionnaire/{Id}" : $"{Url}|{Version}";
}

/// <summary>
/// The canonical <c>url|version</c> of each form version, exact: it resolves to that artifact version and no other.
/// <para>
/// The version string is the Questionnaire's own <c>version</c> (else the artifact's number, as stored responses say).
/// Several versions of a tenant can carry the same url and version string (a library form imported twice, a location
/// override that copied the standard's content, a copy edited without changing its version). The one published first
/// keeps the plain <c>url|version</c> for good (publication times never change and published rows are never
/// deleted); each later one is named <c>version+&lt;artifact id&gt;</c> (SemVer build metadata), so no reference ever
/// changes meaning when another version is published. Drafts have no standing: their version is the plain one.
/// </para>
/// A tenant has tens of forms: one query over their url and version (extracted by PostgreSQL, not the whole content).
/// No permission is checked here: callers are use cases that checked theirs, or hold the definitions already.
/// </summary>
public sealed class FormCanonicals(TenantDbContext db)
{
    private List<CanonicalForm>? _all;

    internal sealed record Row(Guid Id, string Key, Guid? LocationId, int Version, string Status, string Title, DateTimeOffset? PublishedAt,
        string? Url, string? ContentVersion, string? Name, string? ContentTitle);

    /// <summary>Every form version of the tenant with its canonical (read once per scope).</summary>
    public async Task<IReadOnlyList<CanonicalForm>> AllAsync(CancellationToken ct)
    {
        if (_all is not null)
        {
            return _all;
        }

        var rows = await db.Database.SqlQuery<Row>(
            $"SELECT id, key, location_id, version, status, title, published_at, content->>'url' AS url, content->>'version' AS content_version, content->>'name' AS name, content->>'title' AS content_title FROM artifacts WHERE kind = {FormKind.Name}")
            .ToListAsync(ct);
        _all = Assign(rows);
        return _all;
    }

    /// <summary>Reads them again at the next call (after this scope published or drafted a version).</summary>
    public void Forget() => _all = null;

    /// <summary>The canonicals of some versions (a response's definition, a page of results).</summary>
    public async Task<IReadOnlyDictionary<Guid, CanonicalForm>> OfAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.ToHashSet();
        return (await AllAsync(ct)).Where(c => wanted.Contains(c.Id)).ToDictionary(c => c.Id);
    }

    /// <summary>
    /// The form versions a canonical reference names: <c>url|version</c> exactly one (or none), a bare <c>url</c> every
    /// version with it, <c>Questionnaire/&lt;id&gt;</c> (relative or under any base) that version. Drafts never match
    /// a <c>url</c>: they have no canonical standing.
    /// </summary>
    public async Task<IReadOnlyList<CanonicalForm>> MatchAsync(string reference, CancellationToken ct)
    {
        var all = await AllAsync(ct);
        if (IdOf(reference) is { } id)
        {
            return all.Where(c => c.Id == id).ToList();
        }

        var bar = reference.LastIndexOf('|');
        var url = bar < 0 ? reference : reference[..bar];
        var version = bar < 0 ? null : reference[(bar + 1)..];
        return all.Where(c => c.Status != ArtifactStatus.Draft && c.Url == url && (version is null || c.Version == version)).ToList();
    }

    /// <summary><c>Questionnaire/&lt;uuid&gt;</c> at the end of a reference, the form version's id.</summary>
    internal static Guid? IdOf(string reference)
    {
        const string Marker = "Questionnaire/";
        var at = reference.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0 || (at > 0 && reference[at - 1] != '/') || reference.Contains('|', StringComparison.Ordinal))
        {
            return null;
        }

        var rest = reference[(at + Marker.Length)..];
        return Guid.TryParse(rest, out var id) ? id : null;
    }

    internal static List<CanonicalForm> Assign(IEnumerable<Row> rows)
    {
        var list = rows.Select(r => r with
        {
            Url = string.IsNullOrEmpty(r.Url) ? null : r.Url,
            ContentVersion = string.IsNullOrEmpty(r.ContentVersion) ? null : r.ContentVersion,
        }).ToList();
        // First published keeps the plain version: ordered by publication time, then id (UUIDv7: creation order).
        var holders = new Dictionary<(string Url, string Version), Guid>();
        foreach (var row in list.Where(r => r.Status != ArtifactStatus.Draft && r.Url is not null)
                     .OrderBy(r => r.PublishedAt).ThenBy(r => r.Id))
        {
            holders.TryAdd((row.Url!, Plain(row)), row.Id);
        }

        return list.Select(r =>
        {
            var plain = Plain(r);
            var version = r.Status == ArtifactStatus.Draft || r.Url is null || holders[(r.Url, plain)] == r.Id ? plain : $"{plain}+{r.Id}";
            return new CanonicalForm(r.Id, r.Key, r.LocationId, r.Version, r.Status, r.Title, r.Url, version, r.Name, r.ContentTitle, r.PublishedAt);
        }).ToList();
    }

    private static string Plain(Row row) => row.ContentVersion ?? row.Version.ToString(CultureInfo.InvariantCulture);
}
