using System.Text.Json;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;
using Ehr.Workflow.Tasks;
using Npgsql;

namespace Ehr.Workflow.Instances;

/// <summary>An instance as lists show it.</summary>
public sealed record WorkflowInstanceSummary(
    Guid Id,
    string DefinitionKey,
    Guid DefinitionVersionId,
    string Status,
    string? Outcome,
    string SubjectType,
    string SubjectId,
    Guid? LocationId,
    Guid? PatientId,
    Guid? StartEventId,
    string StartedBy,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ClosedAt,
    int Steps,
    int OpenIncidents,
    int RowVersion);

/// <summary>One timeline entry: who did what, when, where, and why.</summary>
public sealed record WorkflowTimelineEntry(long Seq, int Step, int Index, DateTimeOffset At, string What, string? NodeId, string? BookmarkId,
    string? ActorId, string? Outcome, string? Comment, string? Detail);

/// <summary>Something the instance waits for.</summary>
public sealed record WorkflowWait(string BookmarkId, string Kind, string NodeId, DateTimeOffset CreatedAt, DateTimeOffset? DueAt, string? JobId,
    string? IncidentCode, string? IncidentMessage);

/// <summary>An incident: the failing step (node, code, message), open until retried or the instance is cancelled.</summary>
public sealed record WorkflowIncident(Guid InstanceId, string DefinitionKey, string BookmarkId, string NodeId, string Code, string Message,
    DateTimeOffset RaisedAt, DateTimeOffset? ResolvedAt, string? Resolution);

/// <summary>An effect of the outbox and how it went.</summary>
public sealed record WorkflowEffectRecord(long Seq, int Step, string BookmarkId, string Type, DateTimeOffset CreatedAt, int Attempts,
    DateTimeOffset? NextAttemptAt, string? LastError, DateTimeOffset? DoneAt, string? Result);

/// <summary>
/// An instance with everything the instance view shows: where it waits, its variables, its timeline, its tasks, its
/// incidents and its effects.
/// </summary>
public sealed record WorkflowInstanceDetail(
    WorkflowInstanceSummary Instance,
    string Variables,
    IReadOnlyList<WorkflowWait> Waiting,
    IReadOnlyList<WorkflowTimelineEntry> Timeline,
    IReadOnlyList<WorkflowTaskView> Tasks,
    IReadOnlyList<WorkflowIncident> Incidents,
    IReadOnlyList<WorkflowEffectRecord> Effects);

/// <summary>The SQL reads behind the instance queries (inside the caller's transaction).</summary>
internal static class WorkflowInstanceReads
{
    public const string SummaryColumns =
        "i.id, i.definition_key, i.definition_version_id, i.status, i.outcome, i.subject_type, i.subject_id, i.location_id, i.patient_id, " +
        "i.start_event_id, i.started_by, i.started_at, i.updated_at, i.closed_at, i.steps, i.open_incidents, i.row_version";

    public static WorkflowInstanceSummary Summary(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetGuid(2), r.GetString(3), r.TextOrNull(4), r.GetString(5), r.GetString(6), r.UuidOrNull(7),
        r.UuidOrNull(8), r.UuidOrNull(9), r.GetString(10), r.GetFieldValue<DateTimeOffset>(11), r.GetFieldValue<DateTimeOffset>(12),
        r.TimeOrNull(13), r.GetInt32(14), r.GetInt32(15), r.GetInt32(16));

    public static async Task<WorkflowInstanceDetail?> DetailAsync(TenantDbContext db, Guid id, CancellationToken ct)
    {
        WorkflowInstanceSummary summary;
        InstanceState state;
        await using (var cmd = db.Command($"SELECT {SummaryColumns}, i.state::text FROM workflow_instances i WHERE i.id = $1", id))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct))
            {
                return null;
            }

            summary = Summary(r);
            state = InstanceStateJson.Deserialize(r.GetString(17));
        }

        var jobs = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using (var cmd = db.Command("SELECT bookmark_id, job_id FROM workflow_bookmarks WHERE instance_id = $1", id))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                jobs[r.GetString(0)] = r.TextOrNull(1);
            }
        }

        var waiting = state.OpenBookmarks.Select(b => new WorkflowWait(b.Bookmark.Id, InstanceStore.Kind(b.Bookmark.Kind), b.Bookmark.NodeId,
            b.Bookmark.CreatedAt, b.Bookmark.DueAt, jobs.GetValueOrDefault(b.Bookmark.Id), b.Bookmark.Code, b.Bookmark.Message)).ToList();
        var variables = JsonSerializer.Serialize(state.Variables, Definitions.WorkflowJson.Options);
        var timeline = await TimelineAsync(db, id, 0, int.MaxValue, ct);
        var tasks = await WorkflowTaskReads.ListAsync(db, "t.instance_id = $1 ORDER BY t.created_at, t.id", [id], ct);
        var incidents = await IncidentsAsync(db, "n.instance_id = $1 ORDER BY n.raised_at", [id], ct);
        var effects = new List<WorkflowEffectRecord>();
        await using (var cmd = db.Command(
            "SELECT seq, step, bookmark_id, type, created_at, attempts, next_attempt_at, last_error, done_at, result FROM workflow_effects " +
            "WHERE instance_id = $1 ORDER BY seq", id))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                effects.Add(new WorkflowEffectRecord(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4),
                    r.GetInt32(5), r.TimeOrNull(6), r.TextOrNull(7), r.TimeOrNull(8), r.TextOrNull(9)));
            }
        }

        return new WorkflowInstanceDetail(summary, variables, waiting, timeline, tasks, incidents, effects);
    }

    public static async Task<IReadOnlyList<WorkflowTimelineEntry>> TimelineAsync(TenantDbContext db, Guid id, long after, int limit, CancellationToken ct)
    {
        var list = new List<WorkflowTimelineEntry>();
        await using var cmd = db.Command(
            "SELECT seq, step, idx, at, what, node_id, bookmark_id, actor_id, outcome, comment, detail FROM workflow_history " +
            "WHERE instance_id = $1 AND seq > $2 ORDER BY seq LIMIT $3", id, after, limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new WorkflowTimelineEntry(r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), r.GetFieldValue<DateTimeOffset>(3), r.GetString(4),
                r.TextOrNull(5), r.TextOrNull(6), r.TextOrNull(7), r.TextOrNull(8), r.TextOrNull(9), r.TextOrNull(10)));
        }

        return list;
    }

    public static async Task<IReadOnlyList<WorkflowIncident>> IncidentsAsync(TenantDbContext db, string where, object?[] values, CancellationToken ct)
    {
        var list = new List<WorkflowIncident>();
        await using var cmd = db.Command(
            "SELECT n.instance_id, i.definition_key, n.bookmark_id, n.node_id, n.code, n.message, n.raised_at, n.resolved_at, n.resolution " +
            "FROM workflow_incidents n JOIN workflow_instances i ON i.id = n.instance_id WHERE " + where, values);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new WorkflowIncident(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetFieldValue<DateTimeOffset>(6), r.TimeOrNull(7), r.TextOrNull(8)));
        }

        return list;
    }
}
