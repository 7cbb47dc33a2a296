using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Roles;

/// <summary>
/// Changes a custom role's name, description and permissions. Takes effect on the holders' next request (roles are
/// resolved per request). A stale <c>expectedVersion</c> is <c>VERSION_CONFLICT</c>.
/// </summary>
public sealed class UpdateRole(TenantDbContext db, ActorContext actors, AuditTrail audit, TimeProvider clock)
{
    public async Task<RoleDefinition> HandleAsync(Guid id, int expectedVersion, RoleChange change, CancellationToken ct)
    {
        actors.Demand(Permissions.RoleManage);
        var errors = new List<FieldError>();
        var valid = RoleValidation.Rest(change.Name, change.Description, change.Permissions, "input", errors);
        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var role = await db.Set<CustomRole>().SingleOrDefaultAsync(r => r.Id == id, token)
                           ?? throw EhrException.NotFound("Role " + id);
                var before = role.Permissions;
                role.Revise(expectedVersion, valid, clock.GetUtcNow());
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("role.update", "Role", role.Id.ToString(),
                    new { role.Key, role.LocationId, before, after = role.Permissions, version = role.Version }), token);
                return RoleDefinition.From(role);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<CustomRole>().AsNoTracking().Where(r => r.Id == id).Select(r => r.Version).SingleAsync(ct);
            throw EhrException.VersionConflict("Role " + id, expectedVersion, current);
        }
    }
}
