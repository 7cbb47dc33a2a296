using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Ehr.Platform.Events;

/// <summary>
/// Something that happened in a module, for whoever reacts to it (the workflow engine starts and resumes on these):
/// <c>patient.registered</c>, <c>form.submitted</c>, <c>note.signed</c>. The payload is what a reaction needs to decide
/// without reading the record again, never more health information than that.
/// </summary>
public sealed record DomainEvent(string Type, string SubjectType, string SubjectId, object? Payload = null, Guid? LocationId = null);

/// <summary>An event as stored, with its place in the tenant's event order.</summary>
public sealed record StoredEvent(ulong TxId, long Seq, Guid Id, string Type, string SubjectType, string SubjectId, Guid? LocationId,
    JsonElement Payload, string ActorId, DateTimeOffset OccurredAt)
{
    public EventPosition Position => new(TxId, Seq);
}

/// <summary>
/// A read past the horizon: events in order, committed but not necessarily settled; <see cref="Horizon"/> is the
/// oldest transaction still running when they were read (every event of an older transaction is committed or never
/// will be, so a position may move up to the last event below it); <see cref="SettledAhead"/> is the furthest event
/// handled ahead that is now below it.
/// </summary>
public sealed record EventRead(IReadOnlyList<StoredEvent> Events, ulong Horizon, EventPosition? SettledAhead)
{
    /// <summary>Whether every transaction older than <paramref name="e"/>'s has ended (so none can add an event before it).</summary>
    public bool IsSettled(StoredEvent e) => e.TxId < Horizon;
}

/// <summary>A reader's place in the event order: after this event.</summary>
public readonly record struct EventPosition(ulong TxId, long Seq)
{
    public static readonly EventPosition Start = new(0, 0);

    /// <summary>The later of two positions.</summary>
    public static EventPosition Max(EventPosition a, EventPosition b) => (a.TxId, a.Seq).CompareTo((b.TxId, b.Seq)) >= 0 ? a : b;
}

/// <summary>
/// The tenant's transactional outbox. <see cref="RaiseAsync"/> writes inside the caller's transaction (like the audit
/// trail): the events commit with the change or not at all. <see cref="ReadAsync"/> returns committed events in a
/// gap-free order for consumers that keep their position in the same transaction as their effects, which is how
/// each event is handled exactly once.
/// </summary>
public sealed partial class DomainEvents(TenantDbContext db, ActorContext actors, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task RaiseAsync(DomainEvent raised, CancellationToken ct) => await RaiseAsync([raised], ct);

    public async Task RaiseAsync(IReadOnlyList<DomainEvent> raised, CancellationToken ct)
    {
        if (raised.Count == 0)
        {
            return;
        }

        var (conn, tx) = db.RequireTransaction("Domain events");
        var now = clock.GetUtcNow();
        await using var batch = new NpgsqlBatch(conn, tx);
        foreach (var e in raised)
        {
            if (!TypePattern().IsMatch(e.Type))
            {
                throw new ArgumentException($"Event type '{e.Type}' is not of the form 'subject.happened'.", nameof(raised));
            }

            var insert = new NpgsqlBatchCommand(
                "INSERT INTO domain_events (id, type, subject_type, subject_id, location_id, payload, actor_id, occurred_at) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
            insert.Parameters.AddWithValue(Guid.CreateVersion7());
            insert.Parameters.AddWithValue(e.Type);
            insert.Parameters.AddWithValue(e.SubjectType);
            insert.Parameters.AddWithValue(e.SubjectId);
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)e.LocationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
            insert.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(e.Payload ?? new { }, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.AddWithValue(actors.Current.Id);
            insert.Parameters.AddWithValue(now);
            batch.BatchCommands.Add(insert);
        }

        // Wakes the tenant's consumers in every process (the workflow dispatcher LISTENs): PostgreSQL delivers a
        // notification only when its transaction commits, and one per channel and payload however many were raised.
        var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, $2)");
        notify.Parameters.AddWithValue(NotifyChannel);
        notify.Parameters.AddWithValue(db.Tenant.Slug);
        batch.BatchCommands.Add(notify);
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The PostgreSQL channel on which committed events are announced, with the tenant's slug as payload.</summary>
    public const string NotifyChannel = "ehr_domain_events";

    /// <summary>
    /// Up to <paramref name="limit"/> committed events after <paramref name="after"/>, oldest first. Only events of
    /// transactions older than every transaction still in progress are returned, so a slow transaction's events are
    /// read late but never skipped.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(EventPosition after, int limit, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            var (conn, tx) = db.RequireTransaction("Event reads");
            await using var cmd = new NpgsqlCommand(
                $"SELECT {Columns} FROM domain_events e WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) AND (tx_id, seq) > ($1::text::xid8, $2) " +
                "ORDER BY tx_id, seq LIMIT $3", conn, tx);
            cmd.Parameters.AddWithValue(after.TxId.ToString(CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue(after.Seq);
            cmd.Parameters.AddWithValue(limit);
            var events = new List<StoredEvent>();
            await using var reader = await cmd.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                events.Add(Read(reader, 0));
            }

            return (IReadOnlyList<StoredEvent>)events;
        }, ct);

    /// <summary>
    /// For a consumer that keeps, beside its position, the events it handled past the horizon (in
    /// <paramref name="handledAhead"/>, a table of <c>(seq, tx_id)</c> it writes in the transaction that handles them):
    /// up to <paramref name="limit"/> events after <paramref name="after"/> that are committed and not in that table,
    /// in order, read in the caller's transaction. Unlike <see cref="ReadAsync"/> this does not wait for the horizon, so
    /// a long transaction anywhere in the cluster (an import, a report, a stuck session) holds nobody's events back; it
    /// returns the horizon of the same snapshot, below which the consumer may move its position, and the furthest
    /// event in <paramref name="handledAhead"/> already below it.
    /// </summary>
    public async Task<EventRead> ReadPastHorizonAsync(EventPosition after, int limit, string handledAhead, CancellationToken ct)
    {
        if (!TableName().IsMatch(handledAhead))
        {
            throw new ArgumentException($"'{handledAhead}' is not a table name.", nameof(handledAhead));
        }

        var (conn, tx) = db.RequireTransaction("Event reads");
        // One statement, so one snapshot: the horizon returned is the one the events were read under.
        await using var cmd = new NpgsqlCommand(
            "WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS horizon) " +
            $"SELECT h.horizon::text, (SELECT a.tx_id::text || '/' || a.seq FROM {handledAhead} a WHERE a.tx_id < h.horizon ORDER BY a.tx_id DESC, a.seq DESC LIMIT 1), " +
            $"e.* FROM h LEFT JOIN LATERAL (SELECT {Columns}, e.tx_id AS in_order FROM domain_events e WHERE (e.tx_id, e.seq) > ($1::text::xid8, $2) " +
            $"AND NOT EXISTS (SELECT 1 FROM {handledAhead} a WHERE a.seq = e.seq) ORDER BY e.tx_id, e.seq LIMIT $3) e ON true ORDER BY e.in_order, e.seq", conn, tx);
        cmd.Parameters.AddWithValue(after.TxId.ToString(CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue(after.Seq);
        cmd.Parameters.AddWithValue(limit);
        var events = new List<StoredEvent>();
        ulong horizon = 0;
        EventPosition? settledAhead = null;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            horizon = ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture);
            if (!reader.IsDBNull(1))
            {
                var parts = reader.GetString(1).Split('/');
                settledAhead = new EventPosition(ulong.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
            }

            if (!reader.IsDBNull(2))
            {
                events.Add(Read(reader, 2));
            }
        }

        return new EventRead(events, horizon, settledAhead);
    }

    private const string Columns = "e.tx_id::text, e.seq, e.id, e.type, e.subject_type, e.subject_id, e.location_id, e.payload::text, e.actor_id, e.occurred_at";

    private static StoredEvent Read(NpgsqlDataReader reader, int at)
    {
        using var payload = JsonDocument.Parse(reader.GetString(at + 7));
        return new StoredEvent(
            ulong.Parse(reader.GetString(at), CultureInfo.InvariantCulture), reader.GetInt64(at + 1), reader.GetGuid(at + 2), reader.GetString(at + 3),
            reader.GetString(at + 4), reader.GetString(at + 5), reader.IsDBNull(at + 6) ? null : reader.GetGuid(at + 6), payload.RootElement.Clone(),
            reader.GetString(at + 8), reader.GetFieldValue<DateTimeOffset>(at + 9));
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex TableName();

    [GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$")]
    private static partial Regex TypePattern();
}
