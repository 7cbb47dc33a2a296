using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Roles;

/// <summary>
/// Deletes a custom role definition. Holders of its key lose its permissions on their next request (a location
/// override deleted falls back to the tenant standard). A stale <c>expectedVersion</c> is <c>VERSION_CONFLICT</c>.
/// </summary>
public sealed class DeleteRole(TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public async Task<bool> HandleAsync(Guid id, int expectedVersion, CancellationToken ct)
    {
        actors.Demand(Permissions.RoleManage);
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var role = await db.Set<CustomRole>().SingleOrDefaultAsync(r => r.Id == id, token)
                           ?? throw EhrException.NotFound("Role " + id);
                role.CheckVersion(expectedVersion);
                db.Remove(role);
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("role.delete", "Role", role.Id.ToString(),
                    new { role.Key, role.LocationId, role.Permissions, version = role.Version }), token);
                return true;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<CustomRole>().AsNoTracking().Where(r => r.Id == id).Select(r => (int?)r.Version).SingleOrDefaultAsync(ct);
            throw current is null ? EhrException.NotFound("Role " + id) : EhrException.VersionConflict("Role " + id, expectedVersion, current.Value);
        }
    }
}
