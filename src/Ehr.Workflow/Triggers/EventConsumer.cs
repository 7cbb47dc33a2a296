using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Ehr.Workflow.Store.WorkflowSql;

namespace Ehr.Workflow.Triggers;

/// <summary>
/// Starts workflows on the tenant's domain events. Each batch is one transaction: take the consumer's position row
/// (skipped if another process holds it), read the next committed events in order (the outbox reader never skips a
/// late commit), start an instance of every workflow in force at the event's location whose trigger is that event
/// (its filter decides), and move the position past them. The position commits with the instances it started, so an
/// event is handled exactly once however often the consumer is woken; and an instance's id is derived from the event
/// and the workflow key, so even a lost position could not start one twice.
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

            position = new EventPosition(ulong.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetInt64(1));
        }

        var batch = await events.ReadAsync(position, options.Value.EventBatchSize, token);
        if (batch.Count == 0)
        {
            return 0;
        }

        await workflows.LoadAsync(token);
        var started = 0;
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

        var last = batch[^1].Position;
        await using (var move = db.Command(
            "UPDATE workflow_event_position SET tx_id = $1::text::xid8, seq = $2, events = events + $3, updated_at = now() WHERE id = 1",
            last.TxId.ToString(System.Globalization.CultureInfo.InvariantCulture), last.Seq, (long)batch.Count))
        {
            await move.ExecuteNonQueryAsync(token);
        }

        if (started > 0)
        {
            log.LogDebug("{Tenant}: {Events} events read, {Started} workflow instances started (as {Actor})", db.Tenant.Slug, batch.Count, started,
                actors.Current.Id);
        }

        return batch.Count;
    }, ct);
}
