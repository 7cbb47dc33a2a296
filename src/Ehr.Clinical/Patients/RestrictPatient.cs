using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>A patient's restriction and care team as set; no demographics (whoever restricts need not be able to read).</summary>
public sealed record PatientRestriction(Guid PatientId, string? Restriction, IReadOnlyList<string> CareTeam, int Version);

/// <summary>
/// Marks a patient restricted (<c>vip</c>, <c>employee</c>, <c>sensitive</c>) or not, and sets the care team (user
/// ids) who may read the record. Needs <c>patient.restrict</c>; audited with the before and after; versioned like any
/// change to the patient.
/// </summary>
public sealed class RestrictPatient(TenantDbContext db, ActorContext actors, AuditTrail audit, TimeProvider clock)
{
    public const int MaxCareTeam = 50;

    public async Task<PatientRestriction> HandleAsync(Guid id, int expectedVersion, string? restriction,
        IReadOnlyList<string>? careTeam, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRestrict);
        PatientWrites.RefusePatientScoped(actors.Current);
        var team = Validate(restriction, careTeam);
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var patient = await db.Set<Patient>().SingleOrDefaultAsync(p => p.Id == id, token)
                              ?? throw EhrException.NotFound("Patient " + id);
                var before = new { patient.Restriction, patient.CareTeam };
                if (patient.Restrict(expectedVersion, restriction, team, clock.GetUtcNow()))
                {
                    await db.SaveChangesAsync(token);
                    await audit.RecordAsync(new AuditEvent("patient.restrict", "Patient", patient.Id.ToString(),
                        new { before, after = new { patient.Restriction, patient.CareTeam }, version = patient.Version }), token);
                }

                return new PatientRestriction(patient.Id, patient.Restriction, patient.CareTeam, patient.Version);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<Patient>().AsNoTracking().Where(p => p.Id == id).Select(p => p.Version).SingleAsync(ct);
            throw EhrException.VersionConflict("Patient " + id, expectedVersion, current);
        }
    }

    private static string[] Validate(string? restriction, IReadOnlyList<string>? careTeam)
    {
        var errors = new List<FieldError>();
        if (restriction is not null && !Patient.Restrictions.Contains(restriction))
        {
            errors.Add(new FieldError("restriction", ErrorCodes.InvalidFormat,
                $"One of {string.Join(", ", Patient.Restrictions)}, or null for none."));
        }

        var team = new List<string>();
        careTeam ??= [];
        if (careTeam.Count > MaxCareTeam)
        {
            errors.Add(new FieldError("careTeam", ErrorCodes.OutOfRange, $"At most {MaxCareTeam} people."));
        }

        for (var i = 0; i < careTeam.Count && i < MaxCareTeam; i++)
        {
            var member = careTeam[i].Trim();
            if (member.Length is 0 or > 200 || member.Any(char.IsControl))
            {
                errors.Add(new FieldError($"careTeam[{i}]", ErrorCodes.InvalidFormat, "A user id of 1 to 200 characters."));
            }
            else if (team.Contains(member))
            {
                errors.Add(new FieldError($"careTeam[{i}]", ErrorCodes.Duplicate, $"'{member}' is listed twice."));
            }
            else
            {
                team.Add(member);
            }
        }

        return errors.Count > 0 ? throw EhrException.Validation(errors) : [.. team];
    }
}
