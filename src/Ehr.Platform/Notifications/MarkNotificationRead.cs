using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Notifications;

/// <summary>Marks a notification read by the caller (the first reader is kept) and audits who acknowledged it.</summary>
public sealed class MarkNotificationRead(TenantDbContext db, ActorContext actors, AuditTrail audit, TimeProvider clock)
{
    public async Task<Notification> HandleAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.AuditRead);
        return await db.InTransactionAsync(async token =>
        {
            var notification = await db.Set<Notification>().SingleOrDefaultAsync(n => n.Id == id, token);
            if (notification is null || Recipients.PermissionFor(notification.RecipientRole) != Permissions.AuditRead)
            {
                throw EhrException.NotFound("Notification " + id);
            }

            if (notification.MarkRead(actors.Current.Id, clock.GetUtcNow()))
            {
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("notification.read", "Notification", id.ToString(), new { notification.Kind }), token);
            }

            return notification;
        }, ct);
    }
}
