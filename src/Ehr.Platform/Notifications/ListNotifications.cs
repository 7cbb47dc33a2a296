using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Notifications;

/// <summary>The auditors' notifications, newest first (for now every notification is addressed to auditors).</summary>
public sealed class ListNotifications(TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public const int MaxPageSize = 200;

    public async Task<IReadOnlyList<Notification>> HandleAsync(bool unreadOnly, int first, CancellationToken ct)
    {
        actors.Demand(Permissions.AuditRead);
        if (first is < 1 or > MaxPageSize)
        {
            throw EhrException.Validation([new FieldError("first", ErrorCodes.OutOfRange, $"Ask for 1 to {MaxPageSize} notifications.")]);
        }

        var query = db.Set<Notification>().AsNoTracking().Where(n => n.RecipientRole == Notification.Auditors);
        if (unreadOnly)
        {
            query = query.Where(n => n.ReadAt == null);
        }

        // Alerts name patients (id, MRN): reading them is recorded like reading the audit log.
        return await db.InTransactionAsync(async token =>
        {
            var page = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(first).ToListAsync(token);
            await audit.RecordAsync(new AuditEvent("notification.list", "Notification", null, new { unreadOnly, returned = page.Count }), token);
            return (IReadOnlyList<Notification>)page;
        }, ct);
    }
}
