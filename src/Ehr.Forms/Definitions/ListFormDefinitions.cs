using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Definitions;

/// <summary>
/// Which form versions to list: one key, one status (draft, published, retired), one scope (<see cref="LocationId"/>:
/// that location's overrides; <see cref="TenantStandardOnly"/>: the tenant's standard), words of the title or key.
/// </summary>
public sealed record FormDefinitionQuery(string? Key = null, string? Status = null, Guid? LocationId = null, bool TenantStandardOnly = false,
    string? Search = null);

/// <summary>
/// The tenant's form versions (location.read), by key, tenant standard before overrides, newest version first. A
/// tenant has tens of forms, so this is one bounded list (<see cref="MaxResults"/>), not pages.
/// </summary>
public sealed class ListFormDefinitions(TenantDbContext db, ActorContext actors)
{
    public const int MaxResults = 1000;

    private static readonly string[] Statuses = [ArtifactStatus.Draft, ArtifactStatus.Published, ArtifactStatus.Retired];

    public async Task<IReadOnlyList<Artifact>> HandleAsync(FormDefinitionQuery query, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        var errors = new List<FieldError>();
        if (query.Status is not null && !Statuses.Contains(query.Status))
        {
            errors.Add(new FieldError("status", ErrorCodes.InvalidFormat, "One of draft, published, retired."));
        }

        if (query.TenantStandardOnly && query.LocationId is not null)
        {
            errors.Add(new FieldError("locationId", ErrorCodes.InvalidFormat, "Ask for one location's overrides or for the tenant standard, not both."));
        }

        if (query.Search?.Trim().Length > 200)
        {
            errors.Add(new FieldError("search", ErrorCodes.TooLong, "At most 200 characters."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var forms = db.Set<Artifact>().AsNoTracking().Where(a => a.Kind == FormKind.Name);
        if (query.Key is { } key)
        {
            forms = forms.Where(a => a.Key == key);
        }

        if (query.Status is { } status)
        {
            forms = forms.Where(a => a.Status == status);
        }

        if (query.LocationId is { } location)
        {
            forms = forms.Where(a => a.LocationId == location);
        }
        else if (query.TenantStandardOnly)
        {
            forms = forms.Where(a => a.LocationId == null);
        }

        foreach (var word in (query.Search ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pattern = "%" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal) + "%";
            forms = forms.Where(a => EF.Functions.ILike(a.Title, pattern) || EF.Functions.ILike(a.Key, pattern));
        }

        return await forms
            .OrderBy(a => a.Key).ThenBy(a => a.LocationId != null).ThenBy(a => a.LocationId).ThenByDescending(a => a.Version)
            .Take(MaxResults)
            .ToListAsync(ct);
    }
}
