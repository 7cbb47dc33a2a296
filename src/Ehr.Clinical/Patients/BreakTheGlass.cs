using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Notifications;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>
/// Emergency access to a restricted record: anyone who may read patients may break the glass on one, giving a reason.
/// It grants that actor time-limited read access to that patient (default 60 minutes), writes a flagged audit entry
/// and notifies the tenant's auditors, all in one transaction. Reads under the grant are audited with its id.
/// </summary>
public sealed class BreakTheGlass(TenantDbContext db, ActorContext actors, AuditTrail audit, Notifier notifier, TimeProvider clock)
{
    public const int MinReason = 10;
    public const int MaxReason = 500;
    public const int DefaultMinutes = 60;
    public const int MaxMinutes = 240;

    public async Task<BreakGlassGrant> HandleAsync(Guid patientId, string? reason, int minutes, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        if (actor.IsPatientScoped)
        {
            throw EhrException.Forbidden($"'{actor.Id}' holds the patient role, which cannot break the glass.");
        }

        var errors = new List<FieldError>();
        var why = reason?.Trim() ?? "";
        if (why.Length < MinReason || why.Length > MaxReason)
        {
            errors.Add(new FieldError("reason", why.Length == 0 ? ErrorCodes.Required : ErrorCodes.OutOfRange,
                $"Say why, in {MinReason} to {MaxReason} characters."));
        }

        if (minutes is < 1 or > MaxMinutes)
        {
            errors.Add(new FieldError("minutes", ErrorCodes.OutOfRange, $"A grant lasts 1 to {MaxMinutes} minutes."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return await db.InTransactionAsync(async token =>
        {
            var patient = await db.Set<Patient>().AsNoTracking().Where(p => p.Id == patientId)
                              .Select(p => new { p.Id, p.Mrn, p.Restriction }).SingleOrDefaultAsync(token)
                          ?? throw EhrException.NotFound("Patient " + patientId);
            var grant = BreakGlassGrant.Create(patient.Id, actor.Id, why, clock.GetUtcNow(), TimeSpan.FromMinutes(minutes));
            db.Add(grant);
            await db.SaveChangesAsync(token);
            await audit.RecordAsync(new AuditEvent("patient.break_glass", "Patient", patient.Id.ToString(), new
            {
                flagged = true,
                grantId = grant.Id,
                reason = why,
                expiresAt = grant.ExpiresAt,
                restriction = patient.Restriction,
            }), token);
            await notifier.NotifyAsync(Notification.Auditors, "break_glass", new
            {
                grantId = grant.Id,
                patientId = patient.Id,
                mrn = patient.Mrn,
                actorId = actor.Id,
                reason = why,
                expiresAt = grant.ExpiresAt,
            }, token);
            return grant;
        }, ct);
    }
}
