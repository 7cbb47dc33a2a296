using Ehr.Forms.Responses;
using Ehr.Platform.Audit;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Intake;

/// <summary>
/// Revokes a pending intake link (form.respond; staff only; the patient's record must be open to them): it stops
/// working at once. The in-progress response stays, for staff to finish or withdraw. A used, expired or revoked link
/// is <c>CONFLICT</c>. Audited (<c>intake.link.revoke</c>).
/// </summary>
public sealed class RevokeIntakeLink(TenantDbContext db, ActorContext actors, IChartAccess chart, AuditTrail audit, TimeProvider clock)
{
    public async Task<IntakeLinkView> HandleAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.FormRespond);
        if (actors.Current.IsPatientScoped)
        {
            throw EhrException.Forbidden("Intake links are managed by the practice.");
        }

        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var link = await db.Set<IntakeLink>().SingleOrDefaultAsync(l => l.Id == id, token) ?? throw EhrException.NotFound("Intake link " + id);
                await chart.RequireOpenAsync(link.PatientId, token);
                var responseStatus = await db.Set<FormResponse>().Where(r => r.Id == link.ResponseId).Select(r => r.Status).SingleAsync(token);
                var now = clock.GetUtcNow();
                link.Revoke(actors.Current.Id, now, responseStatus);
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("intake.link.revoke", "IntakeLink", link.Id.ToString(),
                    new { patient = link.PatientId, response = link.ResponseId }), token);
                return new IntakeLinkView(link, link.StatusAt(now, responseStatus));
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Used or revoked in the same moment by someone else.
            db.ChangeTracker.Clear();
            throw new EhrException(ErrorCodes.Conflict, $"Intake link {id} changed meanwhile; reload it.", 409);
        }
    }
}
