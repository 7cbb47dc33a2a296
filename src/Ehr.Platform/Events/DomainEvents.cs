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

/// <summary>A reader's place in the event order: after this event.</summary>
public readonly record struct EventPosition(ulong TxId, long Seq)
{
    public static readonly EventPosition Start = new(0, 0);
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
                "SELECT tx_id::text, seq, id, type, subject_type, subject_id, location_id, payload::text, actor_id, occurred_at " +
                "FROM domain_events WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) AND (tx_id, seq) > ($1::text::xid8, $2) " +
                "ORDER BY tx_id, seq LIMIT $3", conn, tx);
            cmd.Parameters.AddWithValue(after.TxId.ToString(CultureInfo.InvariantCulture));
            cmd.Parameters.AddWithValue(after.Seq);
            cmd.Parameters.AddWithValue(limit);
            var events = new List<StoredEvent>();
            await using var reader = await cmd.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                using var payload = JsonDocument.Parse(reader.GetString(7));
                events.Add(new StoredEvent(
                    ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetGuid(6), payload.RootElement.Clone(),
                    reader.GetString(8), reader.GetFieldValue<DateTimeOffset>(9)));
            }

            return (IReadOnlyList<StoredEvent>)events;
        }, ct);

    [GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$")]
    private static partial Regex TypePattern();
}
