using Ehr.Forms.Responses;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Forms.Intake;

/// <summary>
/// Completes the response of an intake link and uses the link up, in one transaction: <see cref="CompleteFormResponse"/>
/// (strict check, any problem is <c>VALIDATION_FAILED</c> with each item's path and link id and nothing changes;
/// scores, extraction into the chart, <c>form.submitted</c>), the link marked used, and <c>intake.link.use</c>
/// audited. A second completion through the same link is refused before anything is done (<see cref="IntakeRefusal.Used"/>);
/// two at the same moment meet the response's version (<c>VERSION_CONFLICT</c> for the later).
/// </summary>
public sealed class CompleteIntakeForm(IntakeLinkSessions sessions)
{
    public Task<IntakeOutcome<IntakeForm>> HandleAsync(string? token, int expectedVersion, string? content, string? clientAddress, CancellationToken ct) =>
        sessions.RunAsync(token, clientAddress, async (services, link, t) =>
        {
            var db = services.GetRequiredService<TenantDbContext>();
            try
            {
                var completed = await db.InTransactionAsync(async tx =>
                {
                    var used = await db.Set<IntakeLink>().SingleAsync(l => l.Id == link.LinkId, tx);
                    var view = await services.GetRequiredService<CompleteFormResponse>().HandleAsync(link.ResponseId, expectedVersion, content, tx);
                    // The response was in progress a moment ago (the complete use case checked it under its row's version).
                    used.Use(services.GetRequiredService<TimeProvider>().GetUtcNow(), FormResponseStatus.InProgress);
                    await db.SaveChangesAsync(tx);
                    await services.GetRequiredService<AuditTrail>().RecordAsync(new AuditEvent("intake.link.use", "IntakeLink", used.Id.ToString(),
                        new { patient = used.PatientId, response = used.ResponseId }), tx);
                    return view;
                }, t);
                return new IntakeForm(completed, link.Tenant.DisplayName, link.ExpiresAt);
            }
            catch (DbUpdateConcurrencyException)
            {
                // The link was revoked or used in the same moment: nothing of this completion was committed.
                db.ChangeTracker.Clear();
                throw new EhrException(ErrorCodes.Conflict, "This link changed meanwhile; open it again.", 409);
            }
        }, ct);
}
