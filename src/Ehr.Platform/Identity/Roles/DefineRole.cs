using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Locations;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Ehr.Platform.Identity.Roles;

/// <summary>
/// Defines a custom role, tenant-wide or as one location's override of a key. Built-in keys are refused
/// (<c>RESERVED</c>), as is a key already defined at the same scope (<c>DUPLICATE</c>, also when two requests race:
/// the database's unique index decides).
/// </summary>
public sealed class DefineRole(TenantDbContext db, ActorContext actors, AuditTrail audit, LocationDirectory locations, TimeProvider clock)
{
    public async Task<RoleDefinition> HandleAsync(RoleInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.RoleManage);
        var errors = new List<FieldError>();
        RoleValidation.Key(input.Key, "input.key", errors);
        var valid = RoleValidation.Rest(input.Name, input.Description, input.Permissions, "input", errors);
        if (input.LocationId is { } locationId && !(await locations.ActiveAmongAsync([locationId], ct)).Contains(locationId))
        {
            errors.Add(new FieldError("input.locationId", ErrorCodes.UnknownReference, "No active location has this id."));
        }

        if (errors.Count == 0 && await db.Set<CustomRole>().AnyAsync(r => r.Key == input.Key && r.LocationId == input.LocationId, ct))
        {
            errors.Add(Duplicate(input));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var role = CustomRole.Define(input.Key!, input.LocationId, valid, clock.GetUtcNow());
                db.Add(role);
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("role.define", "Role", role.Id.ToString(),
                    new { role.Key, role.LocationId, role.Permissions }), token);
                return RoleDefinition.From(role);
            }, ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            throw EhrException.Validation([Duplicate(input)]);
        }
    }

    private static FieldError Duplicate(RoleInput input) =>
        new("input.key", ErrorCodes.Duplicate, input.LocationId is null
            ? $"The tenant already has a role '{input.Key}'."
            : $"This location already overrides the role '{input.Key}'.");
}
