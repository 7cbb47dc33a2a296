using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// Operators (<c>./ehr users grant</c>, the demo set-up) give an existing account roles in a tenant: a new membership,
/// or the roles added to an existing one (reactivated if it was deactivated). Recorded in the tenant's audit chain
/// with the system as the actor.
/// </summary>
public sealed class GrantMembership(PlatformDbContext db, TenantCatalog catalog, AuditSealer sealer, TimeProvider clock)
{
    public async Task<Membership> HandleAsync(string email, string tenantSlug, IReadOnlyList<string> roles, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (roles.Count == 0)
        {
            errors.Add(new FieldError("role", ErrorCodes.Required, "At least one role is required."));
        }

        foreach (var role in roles.Where(r => !MembershipInput.IsAssignable(r)))
        {
            errors.Add(new FieldError("role", ErrorCodes.UnknownReference,
                $"Unknown role '{role}'. Known: {string.Join(", ", MembershipInput.AssignableRoles)}."));
        }

        AccountInput.ThrowIfAny(errors);
        var tenant = await catalog.GetAsync(tenantSlug, ct);
        var normalized = UserAccount.NormalizeEmail(email);
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == normalized, ct)
                   ?? throw EhrException.Validation([new FieldError("email", ErrorCodes.UnknownReference, $"No account '{normalized}'.")]);

        var now = clock.GetUtcNow();
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.UserId == user.Id && m.TenantId == tenant.Id, ct);
        var before = membership?.Roles.ToList();
        if (membership is null)
        {
            membership = Membership.Create(user.Id, tenant.Id, roles, [], [], now);
            db.Memberships.Add(membership);
        }
        else
        {
            membership.Assign(membership.Roles.Union(roles, StringComparer.Ordinal), membership.LocationIds, now);
            if (membership.Status != MembershipStatus.Active)
            {
                membership.Reactivate(now);
            }
        }

        await TenantAuditOfPlatformChange.CommitAsync(db, tenant, Actor.System("users-grant", tenant.Slug),
            [new AuditEvent(before is null ? "membership.create" : "membership.roles.change", "Membership", membership.Id.ToString(),
                new { userId = user.Id, email = user.Email, before = before is null ? null : new { roles = before }, after = new { roles = membership.Roles } })],
            sealer, clock, ct);
        return membership;
    }
}
