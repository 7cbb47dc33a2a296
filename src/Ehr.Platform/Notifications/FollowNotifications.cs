using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Topics;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Notifications;

/// <summary>
/// Following the auditors' notifications as they are added (GraphQL <c>notificationAdded</c>): starting demands
/// <c>audit.read</c>; each announced notification is then read again here, in a fresh scope with the caller's access
/// checked anew, so a caller who lost the permission gets <c>FORBIDDEN</c> instead of the alert, and every delivery is
/// audited like any read of the alerts (they name patients).
/// </summary>
public sealed class FollowNotifications(TenantDbContext db, ActorContext actors, AuditTrail audit, ITenantTopics topics)
{
    public const int MaxCatchUp = 100;

    /// <summary>The subscription to announcements of new notifications in the scope's tenant.</summary>
    public ITopicSubscription Start()
    {
        actors.Demand(Permissions.AuditRead);
        return topics.Subscribe(TopicNames.Notification);
    }

    /// <summary>The announced notification, or null when it is not addressed to the caller.</summary>
    public async Task<Notification?> ReadAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.AuditRead);
        return await db.InTransactionAsync(async token =>
        {
            var notification = await db.Set<Notification>().AsNoTracking().SingleOrDefaultAsync(n => n.Id == id, token);
            if (notification is null || !actors.Has(Recipients.PermissionFor(notification.RecipientRole)))
            {
                return null;
            }

            await audit.RecordAsync(new AuditEvent("notification.deliver", "Notification", id.ToString(), new { notification.Kind }), token);
            return notification;
        }, ct);
    }

    /// <summary>
    /// After signals may have been lost (<see cref="TopicSignalKind.Resynchronize"/>): the caller's notifications added
    /// since <paramref name="since"/>, oldest first, at most <see cref="MaxCatchUp"/>.
    /// </summary>
    public async Task<IReadOnlyList<Notification>> SinceAsync(DateTimeOffset since, CancellationToken ct)
    {
        actors.Demand(Permissions.AuditRead);
        return await db.InTransactionAsync(async token =>
        {
            var page = await db.Set<Notification>().AsNoTracking()
                .Where(n => n.RecipientRole == Notification.Auditors && n.CreatedAt >= since)
                .OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).Take(MaxCatchUp).ToListAsync(token);
            await audit.RecordAsync(new AuditEvent("notification.list", "Notification", null, new { since, returned = page.Count }), token);
            return (IReadOnlyList<Notification>)page;
        }, ct);
    }
}
