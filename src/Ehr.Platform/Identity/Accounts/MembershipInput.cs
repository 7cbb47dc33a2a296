using Ehr.Platform.Errors;
using Ehr.Platform.Locations;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>Roles and location restrictions as invitations and membership changes take them.</summary>
public static class MembershipInput
{
    public const string TenantAdminRole = "tenant-admin";
    private const int MaxRoles = 20;

    /// <summary>
    /// Known roles only: the assignable built-in roles and the tenant's custom role keys
    /// (<paramref name="customRoleKeys"/>, from <see cref="RoleGrants"/>), never the platform role or the API-client
    /// role; no role twice; locations must be active locations of this tenant. Empty locations: every location.
    /// Whether the caller may grant them is <see cref="RoleGrants.DemandGrantableAsync"/>'s question.
    /// </summary>
    public static async Task ValidateAsync(IReadOnlyList<string>? roles, IReadOnlyList<Guid>? locations, string prefix,
        LocationDirectory directory, IReadOnlyCollection<string> customRoleKeys, List<FieldError> errors, CancellationToken ct)
    {
        if (roles is null || roles.Count == 0)
        {
            errors.Add(new FieldError(prefix + ".roles", ErrorCodes.Required, "At least one role is required."));
        }
        else if (roles.Count > MaxRoles)
        {
            errors.Add(new FieldError(prefix + ".roles", ErrorCodes.TooLong, $"At most {MaxRoles} roles."));
        }
        else
        {
            for (var i = 0; i < roles.Count; i++)
            {
                if (roles[i] == Permissions.PatientRole)
                {
                    // A patient membership without links to records would see nothing, and given to staff it narrows them.
                    errors.Add(new FieldError($"{prefix}.roles[{i}]", ErrorCodes.Reserved,
                        "Patients get portal access from their record (invitePatientToPortal, grantProxyAccess), not as a role here."));
                }
                else if (!IsAssignable(roles[i]) && !customRoleKeys.Contains(roles[i]))
                {
                    errors.Add(new FieldError($"{prefix}.roles[{i}]", ErrorCodes.UnknownReference,
                        $"Unknown role '{roles[i]}'. Known: {string.Join(", ", AssignableRoles.Concat(customRoleKeys))}."));
                }
                else if (roles.Take(i).Contains(roles[i]))
                {
                    errors.Add(new FieldError($"{prefix}.roles[{i}]", ErrorCodes.Duplicate, $"'{roles[i]}' is listed twice."));
                }
            }
        }

        if (locations is { Count: > 0 })
        {
            var active = await directory.ActiveAmongAsync(locations, ct);
            for (var i = 0; i < locations.Count; i++)
            {
                if (!active.Contains(locations[i]))
                {
                    errors.Add(new FieldError($"{prefix}.locationIds[{i}]", ErrorCodes.UnknownReference, "No active location of this tenant has this id."));
                }
            }
        }
    }

    /// <summary>The built-in roles staff give to members (patients get theirs from the portal's use cases).</summary>
    public static IEnumerable<string> AssignableRoles =>
        Permissions.BuiltInTenantRoles.Where(r => r != Permissions.ApiClientRole && r != Permissions.PatientRole);

    public static bool IsAssignable(string role) =>
        Permissions.IsKnownRole(role) && role != Permissions.PlatformAdminRole && role != Permissions.ApiClientRole;

    /// <summary>
    /// Refuses to leave the tenant without an active tenant admin. The tenant's admin memberships are locked
    /// (<c>FOR UPDATE</c>, inside the caller's platform transaction) so two admins demoting each other at once cannot
    /// both pass.
    /// </summary>
    public static async Task GuardLastAdminAsync(PlatformDbContext db, Membership membership, bool remainsAdmin, CancellationToken ct)
    {
        if (remainsAdmin || membership.Status != MembershipStatus.Active || !membership.Roles.Contains(TenantAdminRole))
        {
            return;
        }

        var admins = await db.Memberships.SelectFrom(
                $"FROM platform.memberships WHERE tenant_id = {membership.TenantId} AND status = 'active' AND {TenantAdminRole} = ANY (roles) FOR UPDATE")
            .AsNoTracking().ToListAsync(ct);
        if (!admins.Any(m => m.Id != membership.Id))
        {
            throw new EhrException(ErrorCodes.LastTenantAdmin,
                "This is the tenant's last active tenant admin: make someone else tenant admin first.", 409);
        }
    }
}
