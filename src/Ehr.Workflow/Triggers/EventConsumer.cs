using System.Globalization;
using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using static Ehr.Workflow.Store.WorkflowSql;

namespace Ehr.Workflow.Triggers;

/// <summary>
/// Starts workflows on the tenant's domain events. Each batch is one transaction: take the consumer's position row
/// (skipped if another process holds it), read the next committed events in order, start an instance of every
/// workflow in force at the event's location whose trigger is that event (its filter decides), and record that they
/// were handled: the position moves past the events below the horizon (every older transaction has ended, so no late
/// commit can land behind it), and the events past it are noted in <c>workflow_events_ahead</c>, which later reads
/// skip. A long transaction elsewhere in the cluster therefore delays no start. Both commit with the instances started,
/// so an event is handled exactly once however often the consumer is woken; and an instance's id is derived from the
/// event and the workflow key, so even a lost position could not start one twice.
/// </summary>
internal sealed class EventConsumer(
    TenantDbContext db,
    DomainEvents events,
    InForceWorkflows workflows,
    WorkflowRuntime runtime,
    ActorContext actors,
    IOptions<WorkflowOptions> options,
    ILogger<EventConsumer> log)
{
    /// <summary>The events handled past the horizon (tenant migration <c>0003_workflow_events_ahead.sql</c>).</summary>
    internal const string HandledAhead = "workflow_events_ahead";

    /// <summary>Consumes until the outbox is drained; returns how many events were handled.</summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var handled = await ConsumeBatchAsync(ct);
            total += handled;
            if (handled < options.Value.EventBatchSize)
            {
                return total;
            }
        }
    }

    /// <summary>One batch; 0 when there is nothing to read or another process is consuming this tenant.</summary>
    public Task<int> ConsumeBatchAsync(CancellationToken ct) => db.InTransactionAsync(async token =>
    {
        EventPosition position;
        await using (var claim = db.Command("SELECT tx_id::text, seq FROM workflow_event_position WHERE id = 1 FOR UPDATE SKIP LOCKED"))
        await using (var reader = await claim.ExecuteReaderAsync(token))
        {
            if (!await reader.ReadAsync(token))
            {
                return 0;
            }

            position = new EventPosition(ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1));
        }

        var read = await events.ReadPastHorizonAsync(position, options.Value.EventBatchSize, HandledAhead, token);
        var batch = read.Events;
        if (batch.Count == 0 && read.SettledAhead is null)
        {
            return 0;
        }

        var started = 0;
        if (batch.Count > 0)
        {
            await workflows.LoadAsync(token);
        }

        foreach (var e in batch)
        {
            foreach (var version in await workflows.StartingOnAsync(e.Type, e.LocationId, token))
            {
                var input = new WorkflowEvent(e.Id, e.Type, e.SubjectType, e.SubjectId, e.LocationId, e.Payload, e.ActorId, e.OccurredAt);
                var instanceId = NameBased($"event:{e.Id}/workflow:{version.Key}");
                var result = await runtime.StartInTransactionAsync(version, StartWorkflow.For(instanceId, input), e.Id, "workflow.start", token);
                if (result?.Status == StepStatus.Applied)
                {
                    started++;
                }
            }
        }

        // The position moves past the last settled event read (events are in transaction order, so the settled ones
        // come first, and every settled event before it was read now or handled ahead earlier); when the read was not
        // full, every settled event left was handled ahead, so it moves past the furthest of those too.
        var next = position;
        foreach (var e in batch.Where(read.IsSettled))
        {
            next = e.Position;
        }

        if (batch.Count < options.Value.EventBatchSize && read.SettledAhead is { } settledAhead)
        {
            next = EventPosition.Max(next, settledAhead);
        }

        var ahead = batch.Where(e => !read.IsSettled(e)).ToList();
        var (conn, tx) = db.Current();
        await using var record = new NpgsqlBatch(conn, tx);
        if (ahead.Count > 0)
        {
            record.BatchCommands.Add(BatchCommand($"INSERT INTO {HandledAhead} (seq, tx_id) SELECT u.seq, u.tx_id FROM unnest($1::bigint[], $2::text[]::xid8[]) AS u(seq, tx_id)",
                ahead.Select(e => e.Seq).ToArray(), ahead.Select(e => e.TxId.ToString(CultureInfo.InvariantCulture)).ToArray()));
        }

        record.BatchCommands.Add(BatchCommand(
            "UPDATE workflow_event_position SET tx_id = $1::text::xid8, seq = $2, events = events + $3, updated_at = now() WHERE id = 1",
            next.TxId.ToString(CultureInfo.InvariantCulture), next.Seq, (long)batch.Count));
        if (next != position)
        {
            record.BatchCommands.Add(BatchCommand($"DELETE FROM {HandledAhead} WHERE (tx_id, seq) <= ($1::text::xid8, $2)",
                next.TxId.ToString(CultureInfo.InvariantCulture), next.Seq));
        }

        await record.ExecuteNonQueryAsync(token);

        if (started > 0)
        {
            log.LogDebug("{Tenant}: {Events} events read, {Started} workflow instances started (as {Actor})", db.Tenant.Slug, batch.Count, started,
                actors.Current.Id);
        }

        return batch.Count;
    }, ct);
}
