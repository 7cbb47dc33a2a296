using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Locations;

/// <summary>
/// Renames a location or moves it to another time zone. The caller names the version it saw; anything changed since
/// is <c>VERSION_CONFLICT</c>. Audited with the values before and after.
/// </summary>
public sealed class ChangeLocation(TenantDbContext db, ActorContext actors, AuditTrail audit, TimeProvider clock)
{
    public async Task<Location> HandleAsync(Guid id, int expectedVersion, LocationChange change, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationWrite);
        var errors = new List<FieldError>();
        var name = LocationValidation.Name(change.Name, "input.name", errors);
        var timezone = LocationValidation.Timezone(change.Timezone, "input.timezone", errors);
        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return await LocationChanges.ApplyAsync(db, id, expectedVersion, location =>
        {
            var before = new { location.Name, location.Timezone };
            location.Change(expectedVersion, name, timezone, clock.GetUtcNow());
            return new AuditEvent("location.update", "Location", location.Id.ToString(),
                new { location.Code, before, after = new { location.Name, location.Timezone }, version = location.Version });
        }, audit, ct);
    }
}

internal static class LocationChanges
{
    /// <summary>Loads the location, applies the change and its audit entry in one transaction; a lost race is a version conflict.</summary>
    public static async Task<Location> ApplyAsync(TenantDbContext db, Guid id, int expectedVersion, Func<Location, AuditEvent> change,
        AuditTrail audit, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var location = await db.Set<Location>().SingleOrDefaultAsync(l => l.Id == id, token)
                               ?? throw EhrException.NotFound("Location " + id);
                var entry = change(location);
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(entry, token);
                return location;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<Location>().AsNoTracking().Where(l => l.Id == id).Select(l => l.Version).SingleAsync(ct);
            throw EhrException.VersionConflict("Location " + id, expectedVersion, current);
        }
    }
}
