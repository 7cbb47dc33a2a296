using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Roles;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// Which roles a member can be given in this tenant (the assignable built-in roles and the tenant's custom role keys),
/// and the rule "grant only what you hold": nobody gives a role whose permissions they do not hold themselves, so
/// <c>user.manage</c> alone cannot be turned into more. One exception: a holder of <c>tenant.admin</c> may also grant
/// the clinical acts (<see cref="Permissions.ClinicalActs"/>: signing notes, writing the chart), which tenant admins do
/// not exercise but do staff (they invite the clinic's physicians and nurses).
/// </summary>
public sealed class RoleGrants(TenantDbContext db, RoleResolver resolver, ActorContext actors, TenantContext tenants, TenantAuditWriter audit)
{
    /// <summary>The tenant's custom role keys (tenant-wide or only as a location's override), in key order.</summary>
    public async Task<IReadOnlyList<string>> CustomKeysAsync(CancellationToken ct) =>
        await db.Set<CustomRole>().AsNoTracking().Select(r => r.Key).Distinct().OrderBy(k => k).ToListAsync(ct);

    /// <summary>Every role a membership can hold here: the built-in ones, then the tenant's own.</summary>
    public async Task<IReadOnlyList<string>> AssignableAsync(CancellationToken ct) =>
        [.. MembershipInput.AssignableRoles, .. await CustomKeysAsync(ct)];

    /// <summary>
    /// Refuses with <c>ROLE_NOT_GRANTABLE</c> (fields <c>{prefix}.roles[i]</c>) if any of <paramref name="roles"/> for
    /// which <paramref name="check"/> is true would give permissions the caller lacks, resolved exactly as the member's
    /// requests will resolve them (<paramref name="locations"/>: location overrides). The refusal is recorded in the
    /// tenant's audit chain (<c>membership.grant_denied</c>, outcome denied) before it is answered.
    /// </summary>
    public async Task DemandGrantableAsync(IReadOnlyList<string> roles, IReadOnlyList<Guid> locations, Func<string, bool> check,
        string prefix, CancellationToken ct)
    {
        var held = actors.GrantedPermissions();
        var tenant = tenants.Required;
        var refused = new List<FieldError>();
        var details = new List<object>();
        for (var i = 0; i < roles.Count; i++)
        {
            if (!check(roles[i]))
            {
                continue;
            }

            var grantee = new Actor("grantee", tenant.Slug, [roles[i]], null, PurposeOfUse.Treatment) { Locations = locations };
            var missing = (await resolver.PermissionsForAsync(grantee, ct))
                .Where(p => !held.Contains(p) && !(Permissions.ClinicalActs.Contains(p) && held.Contains(Permissions.TenantAdmin)))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (missing.Count > 0)
            {
                refused.Add(new FieldError($"{prefix}.roles[{i}]", ErrorCodes.RoleNotGrantable,
                    $"You may not grant '{roles[i]}': it gives {string.Join(", ", missing)}, which you do not hold."));
                details.Add(new { role = roles[i], missing });
            }
        }

        if (refused.Count == 0)
        {
            return;
        }

        await audit.RecordAsync(tenant, actors.Current,
            new AuditEvent("membership.grant_denied", "Role", null, new { flagged = true, refused = details }, Outcome: "denied"), ct);
        throw new EhrException(ErrorCodes.RoleNotGrantable,
            refused.Count == 1 ? refused[0].Message : $"You may not grant {refused.Count} of these roles: they give permissions you do not hold.",
            403, refused);
    }
}
