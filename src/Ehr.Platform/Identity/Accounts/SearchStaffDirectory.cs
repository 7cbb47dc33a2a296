using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>A colleague as the inbox names them: user id, name, roles and the locations their membership covers (empty: every one).</summary>
public sealed record StaffMember(string UserId, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<Guid> LocationIds);

/// <summary>
/// Who works here, by name, for people who hand work to each other (<c>workflow.task</c>): the tenant's active staff
/// (an active membership of an active account, not a portal patient's), searched by name (every word, anywhere in
/// it) and/or looked up by user id (to name who claimed, decided or delegated a task), by name. Only the id, name,
/// roles and locations: never an e-mail, a phone, or the account's state; the full member list stays with
/// <c>user.read</c> (<see cref="ListMembers"/>). Patients are refused even if a role would let them in. Each call is
/// audited (<c>staff.directory.search</c>: whether a search was given, how many ids, how many returned).
/// </summary>
public sealed class SearchStaffDirectory(PlatformDbContext platform, StaffMembers members, TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public const int MaxResults = 100;
    public const int MaxIds = 200;
    public const int MaxSearch = 100;

    public async Task<IReadOnlyList<StaffMember>> HandleAsync(string? search, IReadOnlyList<string>? ids, int first, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowTask);
        if (actors.Current.IsPatientScoped)
        {
            throw EhrException.Forbidden("The staff directory is for the practice's staff.");
        }

        var errors = new List<FieldError>();
        var text = search?.Trim() ?? "";
        if (text.Length > MaxSearch)
        {
            errors.Add(new FieldError("search", ErrorCodes.TooLong, $"At most {MaxSearch} characters."));
        }

        if (ids?.Count > MaxIds)
        {
            errors.Add(new FieldError("ids", ErrorCodes.OutOfRange, $"Ask for at most {MaxIds} ids at once."));
        }

        if (first is < 1 or > MaxResults)
        {
            errors.Add(new FieldError("first", ErrorCodes.OutOfRange, $"Ask for 1 to {MaxResults} people."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var staff =
            from m in members.Active()
            join u in platform.Users.AsNoTracking() on m.UserId equals u.Id
            select new { m, u };
        if (ids is not null)
        {
            // Ids that are not a person's (system actors, API clients) simply name nobody here.
            var wanted = ids.Select(i => Guid.TryParse(i, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).Distinct().ToList();
            staff = staff.Where(s => wanted.Contains(s.u.Id));
        }

        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pattern = "%" + word.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal) + "%";
            staff = staff.Where(s => EF.Functions.ILike(s.u.DisplayName, pattern));
        }

        var found = await staff.OrderBy(s => s.u.DisplayName).ThenBy(s => s.u.Id).Take(first)
            .Select(s => new { s.u.Id, s.u.DisplayName, s.m.Roles, s.m.LocationIds })
            .ToListAsync(ct);
        await db.InTransactionAsync(async token =>
        {
            await audit.RecordAsync(new AuditEvent("staff.directory.search", "StaffDirectory", null,
                new { searched = text.Length > 0, ids = ids?.Count ?? 0, returned = found.Count }), token);
            return true;
        }, ct);
        return found.Select(s => new StaffMember(s.Id.ToString(), s.DisplayName, s.Roles, s.LocationIds)).ToList();
    }
}
