using System.Text.Json;
using Ehr.Platform.Persistence;
using Ehr.Platform.Topics;
using Ehr.Workflow.Effects;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Tasks;
using Npgsql;
using static Ehr.Workflow.Store.WorkflowSql;

namespace Ehr.Workflow.Store;

/// <summary>An instance as stored: its row's columns and the engine's state.</summary>
internal sealed record InstanceRecord(
    Guid Id,
    string DefinitionKey,
    Guid VersionId,
    InstanceState State,
    int RowVersion,
    Guid? PatientId,
    Guid? LocationId);

/// <summary>
/// Reads and writes instances inside the caller's transaction. A step is written whole: the instance row (state, status,
/// row version), its open bookmarks rewritten from the state, its timeline entries, and each effect: the ones that only
/// touch rows here (tasks, incidents, notifications) applied at once, the others (timers, actions, web hooks) put in
/// the effects outbox for the dispatcher. Task changes are announced on the tenant topic in the step's transaction
/// (heard at commit on every host), and the dispatcher woken once it commits.
/// </summary>
public sealed class InstanceStore(TenantDbContext db, WorkflowTaskChanges taskChanges, WorkflowSignals signals, TimeProvider clock)
{
    private const string InstanceColumns = "id, definition_key, definition_version_id, state::text, row_version, patient_id, location_id";

    internal async Task<InstanceRecord?> LockAsync(Guid id, CancellationToken ct) =>
        await ReadOneAsync($"SELECT {InstanceColumns} FROM workflow_instances WHERE id = $1 FOR UPDATE", id, ct);

    /// <summary>
    /// Locks the instance of a task and then the task, in one round trip and in the order every step takes (instance
    /// row, then task row, so a timer firing at the same moment waits rather than deadlocks): the statements of a batch
    /// run one after the other. Nulls when there is no such task.
    /// </summary>
    internal async Task<(InstanceRecord? Instance, WorkflowTaskView? Task)> LockTaskAsync(Guid taskId, CancellationToken ct)
    {
        var (conn, tx) = db.Current();
        await using var batch = new NpgsqlBatch(conn, tx)
        {
            BatchCommands =
            {
                BatchCommand($"SELECT {InstanceColumns} FROM workflow_instances WHERE id = (SELECT instance_id FROM workflow_tasks WHERE id = $1) FOR UPDATE", taskId),
                BatchCommand(WorkflowTaskReads.SelectById(forUpdate: true), taskId),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var instance = await reader.ReadAsync(ct) ? ReadRecord(reader) : null;
        await reader.NextResultAsync(ct);
        var task = await reader.ReadAsync(ct) ? WorkflowTaskReads.Read(reader) : null;
        return (instance, task);
    }

    internal async Task<InstanceRecord?> ReadAsync(Guid id, CancellationToken ct) =>
        await ReadOneAsync($"SELECT {InstanceColumns} FROM workflow_instances WHERE id = $1", id, ct);

    private async Task<InstanceRecord?> ReadOneAsync(string sql, Guid id, CancellationToken ct)
    {
        await using var cmd = db.Command(sql, id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return ReadRecord(reader);
    }

    private static InstanceRecord ReadRecord(NpgsqlDataReader reader) =>
        new(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), InstanceStateJson.Deserialize(reader.GetString(3)),
            reader.GetInt32(4), reader.UuidOrNull(5), reader.UuidOrNull(6));

    /// <summary>
    /// Inserts a started instance unless one with its id exists already (a start retried, an event delivered again):
    /// false then, and nothing is written.
    /// </summary>
    internal async Task<bool> InsertAsync(InstanceRecord record, StepResult start, Guid? startEventId, string startedBy,
        Func<IReadOnlyList<NpgsqlBatchCommand>> audit, CancellationToken ct)
    {
        var state = start.State!;
        var now = state.UpdatedAt;
        await using (var insert = db.Command(
            "INSERT INTO workflow_instances (id, definition_key, definition_version_id, status, outcome, subject_type, subject_id, location_id, " +
            "patient_id, start_event_id, started_by, started_at, updated_at, closed_at, steps, open_incidents, state, row_version) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, 1) ON CONFLICT DO NOTHING",
            record.Id, record.DefinitionKey, record.VersionId, Status(state), Text(state.Outcome), state.Subject.Type, state.Subject.Id,
            Uuid(state.Subject.LocationId), Uuid(record.PatientId), Uuid(startEventId), startedBy, now,
            Time(state.Status == InstanceStatus.Running ? null : now), state.Steps, OpenIncidents(state), new Jsonb(InstanceStateJson.Serialize(state))))
        {
            if (await insert.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }

        var (conn, tx) = db.Current();
        await using var batch = new NpgsqlBatch(conn, tx);
        if (AddStepRows(batch, record with { State = state }, new HashSet<string>(StringComparer.Ordinal), start))
        {
            Wake(batch);
        }

        foreach (var command in audit())
        {
            batch.BatchCommands.Add(command);
        }

        await ExecuteAsync(batch, state, null, ct);
        return true;
    }

    /// <summary>
    /// Writes an applied step of a locked instance (and moves it to <paramref name="versionId"/> for a migration) in one
    /// round trip: the instance row, the closed bookmarks (deleted; the job ids of those that were scheduled timers go
    /// straight into their <c>cancelTimer</c> effects), the new bookmarks, timeline, effects, then <paramref name="also"/>
    /// (the audit entry, a caller's own rows) whose result sets <paramref name="readAlso"/> reads.
    /// </summary>
    internal async Task WriteStepAsync(InstanceRecord before, StepResult result, IReadOnlyList<NpgsqlBatchCommand> also,
        Func<NpgsqlDataReader, CancellationToken, Task>? readAlso, CancellationToken ct, Guid? versionId = null)
    {
        var state = result.State!;
        var closed = state.Status != InstanceStatus.Running;
        var removed = before.State.OpenBookmarks.Select(b => b.Bookmark.Id)
            .Except(state.OpenBookmarks.Select(b => b.Bookmark.Id), StringComparer.Ordinal).ToArray();
        var (conn, tx) = db.Current();
        await using var batch = new NpgsqlBatch(conn, tx);
        var update = BatchCommand(
            "UPDATE workflow_instances SET state = $2, status = $3, outcome = $4, steps = $5, open_incidents = $6, updated_at = $7, " +
            "closed_at = $8, definition_version_id = $9, row_version = row_version + 1 WHERE id = $1 AND row_version = $10",
            before.Id, new Jsonb(InstanceStateJson.Serialize(state)), Status(state), Text(state.Outcome), state.Steps, OpenIncidents(state),
            state.UpdatedAt, Time(closed ? state.UpdatedAt : null), versionId ?? before.VersionId, before.RowVersion);
        batch.BatchCommands.Add(update);
        var cancelling = false;
        if (removed.Length > 0)
        {
            var cancels = result.Effects.OfType<CancelTimer>().Where(c => removed.Contains(c.BookmarkId, StringComparer.Ordinal)).ToList();
            if (cancels.Count == 0)
            {
                batch.BatchCommands.Add(BatchCommand("DELETE FROM workflow_bookmarks WHERE instance_id = $1 AND bookmark_id = ANY($2)", before.Id, removed));
            }
            else
            {
                // A timer never scheduled (no job id yet) needs no cancel: its schedule effect, when it runs, finds its
                // bookmark gone and schedules nothing. The DELETE waits for a dispatcher scheduling it right now (it
                // holds the bookmark row) and then sees the job id it recorded.
                batch.BatchCommands.Add(BatchCommand(
                    "WITH gone AS (DELETE FROM workflow_bookmarks WHERE instance_id = $1 AND bookmark_id = ANY($2) RETURNING bookmark_id, job_id) " +
                    "INSERT INTO workflow_effects (instance_id, step, bookmark_id, type, effect, job_id, created_at) " +
                    "SELECT $1, $3, c.bookmark_id, 'cancelTimer', c.effect, g.job_id, $4 FROM unnest($5::text[], $6::json[]) WITH ORDINALITY AS c(bookmark_id, effect, n) " +
                    "JOIN gone g ON g.bookmark_id = c.bookmark_id WHERE g.job_id IS NOT NULL ORDER BY c.n",
                    before.Id, removed, state.Steps, clock.GetUtcNow(), cancels.Select(c => c.BookmarkId).ToArray(),
                    new JsonTexts(cancels.Select(c => InstanceStateJson.Serialize((WorkflowEffect)c)).ToArray())));
                cancelling = true;
            }
        }

        var open = before.State.OpenBookmarks.Select(b => b.Bookmark.Id).ToHashSet(StringComparer.Ordinal);
        if (AddStepRows(batch, before with { State = state, RowVersion = before.RowVersion + 1 }, open, result) || cancelling)
        {
            Wake(batch);
        }

        foreach (var command in also)
        {
            batch.BatchCommands.Add(command);
        }

        await ExecuteAsync(batch, state, readAlso, ct);
        if (update.RecordsAffected != 1)
        {
            // The row was locked by this transaction: a row version that moved means a writer bypassed the lock.
            throw new InvalidOperationException($"Workflow instance {before.Id} changed under its lock.");
        }
    }

    /// <summary>Sends the step's batch; task changes are announced on the tenant topic (heard at commit), and the dispatcher woken, once it commits.</summary>
    private async Task ExecuteAsync(NpgsqlBatch batch, InstanceState state, Func<NpgsqlDataReader, CancellationToken, Task>? readAlso, CancellationToken ct)
    {
        if (batch.BatchCommands.Count == 0)
        {
            return;
        }

        var changes = new List<WorkflowTaskChange>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            do
            {
                if (reader.FieldCount == 0)
                {
                    continue;
                }

                if (reader.GetName(0) == "task_change")
                {
                    while (await reader.ReadAsync(ct))
                    {
                        changes.Add(ReadChange(reader, db.Tenant.Slug, state.UpdatedAt));
                    }
                }
                else if (readAlso is not null)
                {
                    await readAlso(reader, ct);
                }
            }
            while (await reader.NextResultAsync(ct));
        }

        if (changes.Count > 0)
        {
            taskChanges.Announce(db, changes);
        }
    }

    /// <summary>Tells the dispatchers there are effects: other processes' at commit (NOTIFY), this one's once committed.</summary>
    private void Wake(NpgsqlBatch batch)
    {
        batch.BatchCommands.Add(BatchCommand("SELECT pg_notify($1, $2)", WorkflowSignals.EffectsChannel, db.Tenant.Slug));
        var slug = db.Tenant.Slug;
        db.AfterCommit(() => signals.Wake(slug, events: false));
    }

    /// <summary>Adds the step's new bookmarks, timeline and effects (local ones applied, the rest queued) to <paramref name="batch"/>.</summary>
    private bool AddStepRows(NpgsqlBatch batch, InstanceRecord instance, IReadOnlySet<string> openBefore, StepResult result)
    {
        var state = instance.State;

        // The bookmarks this step opened; those it closed were deleted with the instance's update.
        foreach (var bookmark in state.OpenBookmarks.Select(b => b.Bookmark).Where(b => !openBefore.Contains(b.Id)))
        {
            batch.BatchCommands.Add(BatchCommand(
                "INSERT INTO workflow_bookmarks (instance_id, bookmark_id, kind, node_id, created_at, due_at) VALUES ($1, $2, $3, $4, $5, $6) " +
                "ON CONFLICT (instance_id, bookmark_id) DO NOTHING",
                instance.Id, bookmark.Id, Kind(bookmark.Kind), bookmark.NodeId, bookmark.CreatedAt, Time(bookmark.DueAt)));
        }

        if (result.History.Count > 0)
        {
            var h = result.History;
            batch.BatchCommands.Add(BatchCommand(
                "INSERT INTO workflow_history (instance_id, step, idx, at, what, node_id, bookmark_id, actor_id, outcome, comment, detail) " +
                "SELECT $1, * FROM unnest($2::integer[], $3::integer[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])",
                instance.Id, h.Select(e => e.Step).ToArray(), h.Select(e => e.Index).ToArray(), h.Select(e => e.At).ToArray(),
                h.Select(e => e.What).ToArray(), h.Select(e => e.NodeId).ToArray(), h.Select(e => e.BookmarkId).ToArray(),
                h.Select(e => e.ActorId).ToArray(), h.Select(e => e.Outcome).ToArray(), h.Select(e => e.Comment).ToArray(),
                h.Select(e => e.Detail).ToArray()));
        }

        var now = clock.GetUtcNow();
        var queued = 0;
        foreach (var effect in result.Effects)
        {
            switch (effect)
            {
                case CreateTask task:
                    batch.BatchCommands.Add(BatchCommand(
                        "INSERT INTO workflow_tasks (id, instance_id, bookmark_id, node_id, definition_key, title, instructions, priority, assignee_role, " +
                        "assignee_user, assignee_location, outcomes, form_key, due_at, slot, slots, subject_type, subject_id, patient_id, location_id, status, " +
                        "created_at, updated_at, row_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, " +
                        "'open', $21, $21, 1) ON CONFLICT (instance_id, bookmark_id) DO NOTHING RETURNING " + TaskChangeColumns("'created'"),
                        TaskId(instance.Id, task.BookmarkId), instance.Id, task.BookmarkId, task.NodeId, instance.DefinitionKey, task.Title,
                        Text(task.Instructions), task.Priority, Text(task.Assignee.Role), Text(task.Assignee.UserId), Uuid(task.Assignee.LocationId),
                        task.Outcomes.ToArray(), Text(task.FormKey), Time(task.DueAt), task.Slot, task.Slots, state.Subject.Type, state.Subject.Id,
                        Uuid(instance.PatientId), Uuid(state.Subject.LocationId), state.UpdatedAt));
                    break;
                case ReassignTask reassign:
                    batch.BatchCommands.Add(BatchCommand(
                        "UPDATE workflow_tasks SET assignee_role = $3, assignee_user = $4, assignee_location = $5, status = 'open', claimed_by = NULL, " +
                        "claimed_at = NULL, escalation_level = escalation_level + 1, updated_at = $6, row_version = row_version + 1 " +
                        "WHERE instance_id = $1 AND bookmark_id = $2 AND status IN ('open', 'claimed') RETURNING " + TaskChangeColumns("'reassigned'"),
                        instance.Id, reassign.BookmarkId, Text(reassign.Assignee.Role), Text(reassign.Assignee.UserId), Uuid(reassign.Assignee.LocationId),
                        state.UpdatedAt));
                    break;
                case CancelTask cancel:
                    batch.BatchCommands.Add(BatchCommand(
                        "UPDATE workflow_tasks SET status = 'cancelled', claimed_by = NULL, cancelled_reason = $3, updated_at = $4, row_version = row_version + 1 " +
                        "WHERE instance_id = $1 AND bookmark_id = $2 AND status IN ('open', 'claimed') RETURNING " + TaskChangeColumns("'cancelled'"),
                        instance.Id, cancel.BookmarkId, cancel.Reason, state.UpdatedAt));
                    break;
                case RaiseIncident incident:
                    batch.BatchCommands.Add(BatchCommand(
                        "INSERT INTO workflow_incidents (instance_id, bookmark_id, node_id, code, message, raised_at) VALUES ($1, $2, $3, $4, $5, $6) " +
                        "ON CONFLICT (instance_id, bookmark_id) DO NOTHING",
                        instance.Id, incident.BookmarkId, incident.NodeId, incident.Code, incident.Message, state.UpdatedAt));
                    break;
                case ResolveIncident resolve:
                    batch.BatchCommands.Add(BatchCommand(
                        "UPDATE workflow_incidents SET resolved_at = $3, resolution = $4 WHERE instance_id = $1 AND bookmark_id = $2 AND resolved_at IS NULL",
                        instance.Id, resolve.BookmarkId, state.UpdatedAt, resolve.Resolution));
                    break;
                case SendNotification notification:
                    for (var i = 0; i < notification.Recipients.Count; i++)
                    {
                        var to = notification.Recipients[i];
                        batch.BatchCommands.Add(BatchCommand(
                            "INSERT INTO workflow_notifications (id, instance_id, notification_id, recipient_index, node_id, template, channel, recipient_role, " +
                            "recipient_user, recipient_location, recipient_patient, data, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) " +
                            "ON CONFLICT (instance_id, notification_id, recipient_index) DO NOTHING",
                            NameBased($"{instance.Id}/{notification.NotificationId}/{i}"), instance.Id, notification.NotificationId, i, notification.NodeId,
                            notification.Template, notification.Channel, Text(to.Role), Text(to.UserId), Uuid(to.LocationId), Text(to.PatientId),
                            new Jsonb(notification.Data.GetRawText()), state.UpdatedAt));
                    }

                    break;
                case ScheduleTimer or CancelTimer or InvokeAction or CallWebhook:
                    var bookmarkId = effect switch
                    {
                        ScheduleTimer s => s.BookmarkId,
                        CancelTimer c => c.BookmarkId,
                        InvokeAction a => a.BookmarkId,
                        CallWebhook w => w.BookmarkId,
                        _ => throw new InvalidOperationException(),
                    };
                    if (effect is CancelTimer)
                    {
                        // Queued with the delete of its bookmark (WriteStepAsync), which knows the job id to delete.
                        break;
                    }

                    batch.BatchCommands.Add(BatchCommand(
                        "INSERT INTO workflow_effects (instance_id, step, bookmark_id, type, effect, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                        instance.Id, state.Steps, bookmarkId, EffectType(effect), new JsonText(InstanceStateJson.Serialize(effect)), now));
                    queued++;
                    break;
                case CompleteInstance:
                    // The instance row's status and closed_at say it.
                    break;
            }
        }

        return queued > 0;
    }

    /// <summary>The columns task statements return, read back as a <see cref="WorkflowTaskChange"/>.</summary>
    internal static string TaskChangeColumns(string change) =>
        $"{change} AS task_change, id, instance_id, status, assignee_role, assignee_user, assignee_location, claimed_by, patient_id";

    internal static WorkflowTaskChange ReadChange(NpgsqlDataReader reader, string tenant, DateTimeOffset at) =>
        new(tenant, reader.GetGuid(1), reader.GetGuid(2), reader.GetString(0), reader.GetString(3), reader.TextOrNull(4), reader.TextOrNull(5),
            reader.UuidOrNull(6), reader.TextOrNull(7), reader.UuidOrNull(8), at);

    /// <summary>A task's id: the same for the same slot of the same instance, so a repeated insert is recognised.</summary>
    internal static Guid TaskId(Guid instanceId, string bookmarkId) => NameBased($"{instanceId}/task/{bookmarkId}");

    private static string Status(InstanceState state) => state.Status switch
    {
        InstanceStatus.Running => "running",
        InstanceStatus.Completed => "completed",
        _ => "cancelled",
    };

    private static int OpenIncidents(InstanceState state) => state.OpenBookmarks.Count(b => b.Bookmark.Kind == BookmarkKind.Incident);

    internal static string Kind(BookmarkKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    private static string EffectType(WorkflowEffect effect) => effect switch
    {
        ScheduleTimer => "scheduleTimer",
        CancelTimer => "cancelTimer",
        InvokeAction => "invokeAction",
        CallWebhook => "callWebhook",
        _ => throw new ArgumentException($"{effect.GetType().Name} is applied in the step, not queued.", nameof(effect)),
    };
}
