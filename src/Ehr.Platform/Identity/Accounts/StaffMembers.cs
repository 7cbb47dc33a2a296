using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// The tenant's staff: an active membership of an active account, neither a portal patient's nor an API client's. What
/// the staff directory lists, and who a task may be handed to.
/// </summary>
public sealed class StaffMembers(PlatformDbContext platform, TenantContext tenant)
{
    /// <summary>The staff memberships of the scope's tenant (read only).</summary>
    internal IQueryable<Membership> Active()
    {
        var tenantId = tenant.Required.Id;
        return platform.Memberships.AsNoTracking().Where(m =>
            m.TenantId == tenantId && m.Status == MembershipStatus.Active
            && !m.Roles.Contains(Permissions.PatientRole) && !m.Roles.Contains(Permissions.ApiClientRole)
            && platform.Users.Any(u => u.Id == m.UserId && u.Status == UserStatus.Active));
    }

    /// <summary>Whether <paramref name="userId"/> names one of the tenant's staff (an id that is not a user's names nobody).</summary>
    public async Task<bool> IncludeAsync(string userId, CancellationToken ct) =>
        Guid.TryParse(userId, out var id) && await Active().AnyAsync(m => m.UserId == id, ct);
}
