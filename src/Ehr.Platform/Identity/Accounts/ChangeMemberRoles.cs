using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Locations;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

public sealed record ChangeMemberRolesInput(IReadOnlyList<string>? Roles, IReadOnlyList<Guid>? LocationIds);

/// <summary>
/// Replaces a member's roles and location restrictions. The caller names the version it saw; anything changed since is
/// <c>VERSION_CONFLICT</c>. Roles are built-in or the tenant's custom ones, granted only by someone holding their
/// permissions (<see cref="RoleGrants"/>). The tenant's last active tenant admin cannot lose that role. Audited with the roles and
/// locations before and after; takes effect on the member's next request.
/// </summary>
public sealed class ChangeMemberRoles(
    PlatformDbContext db,
    TenantContext tenants,
    ActorContext actors,
    LocationDirectory locations,
    RoleGrants grants,
    TenantAuditOfPlatformChange audit,
    TimeProvider clock)
{
    public async Task<MemberView> HandleAsync(Guid membershipId, int expectedVersion, ChangeMemberRolesInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.UserManage);
        var tenantId = tenants.Required.Id;
        var errors = new List<FieldError>();
        await MembershipInput.ValidateAsync(input.Roles, input.LocationIds, "input", locations, await grants.CustomKeysAsync(ct), errors, ct);
        AccountInput.ThrowIfAny(errors);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.Id == membershipId && m.TenantId == tenantId, ct)
                         ?? throw EhrException.NotFound("Member " + membershipId);
        if (membership.Version != expectedVersion)
        {
            throw EhrException.VersionConflict("Member " + membershipId, expectedVersion, membership.Version);
        }

        // Grant only what you hold: every role the member gains; all their roles when their locations change (a custom
        // role's location overrides may give other permissions there). Roles they keep as they were are not re-judged.
        var newLocations = input.LocationIds ?? [];
        var locationsChange = !newLocations.ToHashSet().SetEquals(membership.LocationIds);
        await grants.DemandGrantableAsync(input.Roles!, newLocations, r => locationsChange || !membership.Roles.Contains(r), "input", ct);
        await MembershipInput.GuardLastAdminAsync(db, membership, input.Roles!.Contains(MembershipInput.TenantAdminRole), ct);
        var before = new { roles = membership.Roles.ToList(), locationIds = membership.LocationIds.ToList() };
        membership.Assign(input.Roles!, input.LocationIds ?? [], clock.GetUtcNow());
        var after = new { roles = membership.Roles, locationIds = membership.LocationIds };
        try
        {
            await audit.CommitAsync(
                [new AuditEvent("membership.roles.change", "Membership", membership.Id.ToString(),
                    new { userId = membership.UserId, before, after, version = membership.Version })],
                ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw await MemberChanges.ConflictAsync(db, tenantId, membershipId, expectedVersion, ct);
        }

        return await MemberQueries.MemberAsync(db, tenantId, membershipId, clock.GetUtcNow(), ct);
    }
}

internal static class MemberChanges
{
    public static async Task<EhrException> ConflictAsync(PlatformDbContext db, Guid tenantId, Guid membershipId, int expected, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var current = await db.Memberships.AsNoTracking().Where(m => m.Id == membershipId && m.TenantId == tenantId)
            .Select(m => m.Version).SingleAsync(ct);
        return EhrException.VersionConflict("Member " + membershipId, expected, current);
    }

    /// <summary>Deactivates or reactivates a membership of the current tenant, audited; unchanged when already so.</summary>
    public static async Task<MemberView> SetStatusAsync(PlatformDbContext db, Guid tenantId, Guid membershipId, MembershipStatus status,
        TenantAuditOfPlatformChange audit, DateTimeOffset now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.Id == membershipId && m.TenantId == tenantId, ct)
                         ?? throw EhrException.NotFound("Member " + membershipId);
        if (membership.Status != status)
        {
            if (status == MembershipStatus.Deactivated)
            {
                await MembershipInput.GuardLastAdminAsync(db, membership, remainsAdmin: false, ct);
                membership.Deactivate(now);
            }
            else
            {
                membership.Reactivate(now);
            }

            var action = status == MembershipStatus.Deactivated ? "membership.deactivate" : "membership.reactivate";
            try
            {
                await audit.CommitAsync(
                    [new AuditEvent(action, "Membership", membership.Id.ToString(), new { userId = membership.UserId, version = membership.Version })],
                    ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new EhrException(ErrorCodes.Conflict, "The member was changed at the same moment; reload and try again.", 409);
            }
        }

        return await MemberQueries.MemberAsync(db, tenantId, membershipId, now, ct);
    }
}
