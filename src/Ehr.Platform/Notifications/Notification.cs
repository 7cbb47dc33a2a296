using System.Text.Json;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Topics;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Notifications;

/// <summary>
/// A message to the holders of a role, for example a break-the-glass alert to the tenant's auditors. Written in the
/// transaction of the event it reports, so there is never an event without its alert (or an alert without the event).
/// </summary>
public sealed class Notification
{
    /// <summary>The recipient role of alerts for auditors; read by whoever holds <c>audit.read</c>.</summary>
    public const string Auditors = "auditor";

    private Notification()
    {
    }

    public Guid Id { get; private set; }

    public string RecipientRole { get; private set; } = "";

    public string Kind { get; private set; } = "";

    /// <summary>JSON.</summary>
    public string Payload { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? ReadAt { get; private set; }

    public string? ReadBy { get; private set; }

    internal static Notification Create(string recipientRole, string kind, object payload, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        RecipientRole = recipientRole,
        Kind = kind,
        Payload = JsonSerializer.Serialize(payload),
        CreatedAt = now,
    };

    /// <summary>The first reader is kept; marking again changes nothing.</summary>
    internal bool MarkRead(string actorId, DateTimeOffset now)
    {
        if (ReadAt is not null)
        {
            return false;
        }

        ReadAt = now;
        ReadBy = actorId;
        return true;
    }
}

/// <summary>Adds notifications inside the caller's transaction (other modules use this, not the table).</summary>
public sealed class Notifier(TenantDbContext db, TimeProvider clock, ITenantTopics topics)
{
    public async Task NotifyAsync(string recipientRole, string kind, object payload, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Notifications are written inside the transaction of the event they report.");
        }

        var notification = Notification.Create(recipientRole, kind, payload, clock.GetUtcNow());
        db.Add(notification);
        await db.SaveChangesAsync(ct);
        // Announced at commit to the recipients' subscriptions on every host (notificationAdded); only the id travels.
        await topics.PublishAsync(TopicNames.Notification, notification.Id, ct);
    }
}

internal sealed class NotificationModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Notification>(e =>
        {
            e.ToTable("notifications");
            e.HasKey(n => n.Id);
        });
}

/// <summary>Which permission reads the notifications addressed to a recipient role.</summary>
internal static class Recipients
{
    public static string PermissionFor(string recipientRole) => recipientRole switch
    {
        Notification.Auditors => Permissions.AuditRead,
        _ => Permissions.TenantAdmin,
    };
}
