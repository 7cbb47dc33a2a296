using Ehr.Platform.Persistence;
using static Ehr.Workflow.Store.WorkflowSql;

namespace Ehr.Workflow.Effects;

/// <summary>
/// Whether a tenant has anything for the dispatcher: events after the consumer's position that it has not handled
/// ahead, events handled ahead that the position may now pass, or effects due. One statement and no row lock, so a
/// sweep over thousands of idle tenants costs a read each, where a full round would take the consumer's position lock
/// and read the outbox in two transactions.
/// </summary>
internal sealed class TenantWorkProbe(TenantDbContext db, TimeProvider clock)
{
    public Task<bool> AnyAsync(CancellationToken ct) => db.InTransactionAsync(async token =>
    {
        await using var cmd = db.Command(
            "SELECT EXISTS (SELECT 1 FROM domain_events e, workflow_event_position p WHERE (e.tx_id, e.seq) > (p.tx_id, p.seq) " +
            "AND NOT EXISTS (SELECT 1 FROM workflow_events_ahead a WHERE a.seq = e.seq)) " +
            "OR EXISTS (SELECT 1 FROM workflow_events_ahead WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())) " +
            "OR EXISTS (SELECT 1 FROM workflow_effects WHERE done_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= $1))",
            clock.GetUtcNow());
        return (bool)(await cmd.ExecuteScalarAsync(token))!;
    }, ct);
}
