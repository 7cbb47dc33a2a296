using System.Text.Json;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Store;
using Ehr.Workflow.Tasks;

namespace Ehr.Workflow.Notifications;

/// <summary>A notification a workflow sent to someone: a template name and its data, to be worded by the client.</summary>
public sealed record WorkflowNotification(Guid Id, Guid InstanceId, string Template, string Channel, string Data, string? RecipientRole,
    string? RecipientUser, Guid? RecipientLocation, string? RecipientPatient, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, string? ReadBy);

/// <summary>
/// The notifications workflows sent (notify nodes, escalations). Staff (<c>workflow.task</c>) read those addressed to
/// them or to their roles at their locations; a patient (portal, <c>patient.read</c>) reads those addressed to the
/// records they may see. Marking one read keeps the first reader. Reads and marks are audited.
/// </summary>
public sealed class WorkflowNotifications(TenantDbContext db, ActorContext actors, AuditTrail audit, TimeProvider clock)
{
    private const string Columns = "n.id, n.instance_id, n.template, n.channel, n.data::text, n.recipient_role, n.recipient_user, n.recipient_location, " +
                                   "n.recipient_patient, n.created_at, n.read_at, n.read_by";

    public async Task<IReadOnlyList<WorkflowNotification>> MineAsync(bool unreadOnly, int first, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowTask);
        var actor = actors.Current;
        return await ListAsync($"(n.recipient_user = $1 OR ({TaskAssignees.RoleCondition(2, 3).Replace("t.assignee_", "n.recipient_", StringComparison.Ordinal)}))",
            [actor.Id, actor.Roles.ToArray(), actor.Locations.ToArray()], unreadOnly, first, "workflow.notification.list", ct);
    }

    public async Task<IReadOnlyList<WorkflowNotification>> PortalAsync(bool unreadOnly, int first, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        if (!actor.IsPatientScoped)
        {
            // Staff read theirs with MineAsync; the portal's are addressed to records, which a staff token does not name.
            return [];
        }

        return await ListAsync("n.recipient_patient = ANY($1)", [actor.PatientIds.Select(p => p.ToString()).ToArray()], unreadOnly, first,
            "workflow.notification.portal", ct);
    }

    public async Task<WorkflowNotification> MarkReadAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowTask);
        var actor = actors.Current;
        return await db.InTransactionAsync(async token =>
        {
            var mine = await ListInTransactionAsync(
                $"n.id = $4 AND (n.recipient_user = $1 OR ({TaskAssignees.RoleCondition(2, 3).Replace("t.assignee_", "n.recipient_", StringComparison.Ordinal)}))",
                [actor.Id, actor.Roles.ToArray(), actor.Locations.ToArray(), id], false, 1, token);
            if (mine.Count == 0)
            {
                throw EhrException.NotFound("Notification " + id);
            }

            if (mine[0].ReadAt is null)
            {
                await using var mark = db.Command("UPDATE workflow_notifications SET read_at = $2, read_by = $3 WHERE id = $1 AND read_at IS NULL",
                    id, clock.GetUtcNow(), actor.Id);
                await mark.ExecuteNonQueryAsync(token);
                await audit.RecordAsync(new AuditEvent("workflow.notification.read", "WorkflowNotification", id.ToString()), token);
            }

            return (await ListInTransactionAsync("n.id = $1", [id], false, 1, token))[0];
        }, ct);
    }

    private async Task<IReadOnlyList<WorkflowNotification>> ListAsync(string where, object?[] values, bool unreadOnly, int first, string action,
        CancellationToken ct)
    {
        if (first is < 1 or > 200)
        {
            throw EhrException.Validation([new FieldError("first", ErrorCodes.OutOfRange, "Ask for 1 to 200 notifications.")]);
        }

        return await db.InTransactionAsync(async token =>
        {
            var list = await ListInTransactionAsync(where, values, unreadOnly, first, token);
            await audit.RecordAsync(new AuditEvent(action, "WorkflowNotification", null, new { unreadOnly, returned = list.Count }), token);
            return list;
        }, ct);
    }

    private async Task<IReadOnlyList<WorkflowNotification>> ListInTransactionAsync(string where, object?[] values, bool unreadOnly, int first,
        CancellationToken ct)
    {
        var list = new List<WorkflowNotification>();
        await using var cmd = db.Command(
            $"SELECT {Columns} FROM workflow_notifications n WHERE {where}{(unreadOnly ? " AND n.read_at IS NULL" : "")} " +
            $"ORDER BY n.created_at DESC, n.id DESC LIMIT {first}", values);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new WorkflowNotification(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), r.TextOrNull(5),
                r.TextOrNull(6), r.UuidOrNull(7), r.TextOrNull(8), r.GetFieldValue<DateTimeOffset>(9), r.TimeOrNull(10), r.TextOrNull(11)));
        }

        return list;
    }
}
