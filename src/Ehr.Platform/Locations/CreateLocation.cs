using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Ehr.Platform.Locations;

/// <summary>
/// Adds a location to the tenant. The code is unique in the tenant (<c>DUPLICATE</c>, also when two requests race:
/// the unique index decides), the time zone an IANA id. Audited in the same transaction.
/// </summary>
public sealed class CreateLocation(TenantDbContext db, ActorContext actors, AuditTrail audit, TimeProvider clock)
{
    public async Task<Location> HandleAsync(LocationInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationWrite);
        var errors = new List<FieldError>();
        var code = LocationValidation.Code(input.Code, "input.code", errors);
        var name = LocationValidation.Name(input.Name, "input.name", errors);
        var timezone = LocationValidation.Timezone(input.Timezone, "input.timezone", errors);
        if (code is not null && await db.Set<Location>().AnyAsync(l => l.Code == code, ct))
        {
            errors.Add(Duplicate(code));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var location = Location.Create(code!, name, timezone, clock.GetUtcNow());
                db.Add(location);
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("location.create", "Location", location.Id.ToString(),
                    new { location.Code, location.Name, location.Timezone }), token);
                return location;
            }, ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            throw EhrException.Validation([Duplicate(code!)]);
        }
    }

    private static FieldError Duplicate(string code) =>
        new("input.code", ErrorCodes.Duplicate, $"The tenant already has a location '{code}'.");
}
