using System.Text.Json;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;
using Ehr.Workflow.Webhooks;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Ehr.Workflow.Store.WorkflowSql;

namespace Ehr.Workflow.Effects;

/// <summary>An effect waiting in the outbox.</summary>
internal sealed record PendingEffect(long Seq, Guid InstanceId, string BookmarkId, string Type);

/// <summary>
/// Carries out one effect from the outbox, in one transaction that holds the effect's row lock (another worker skips
/// it; a worker that dies releases it with its connection) and marks it done together with its result:
/// <list type="bullet">
/// <item>a timer is scheduled as a Hangfire job unless its bookmark is gone or already has one, and the job id kept on the bookmark;</item>
/// <item>a cancelled timer's job is deleted;</item>
/// <item>a module action runs inside this transaction, next to the instance's step with its result (the instance row
/// locked): the module's change, its audit and events, the step and the done mark commit together, exactly once. A
/// refusal (<see cref="EhrException"/>) is rolled back to a savepoint and becomes an incident on the instance;</item>
/// <item>a web hook is sent (at least once: a process killed between the answer and the commit sends it again, with the
/// same delivery id and body for the receiver to drop), then its answer is stepped in.</item>
/// </list>
/// Effects whose bookmark was closed meanwhile (the instance moved on or was cancelled) are marked done without acting.
/// An unexpected failure rolls everything back and the effect is tried again later, with back-off.
/// </summary>
internal sealed class EffectRunner(
    TenantDbContext db,
    InstanceStore store,
    WorkflowRuntime runtime,
    IBackgroundJobClient jobs,
    ImminentTimers imminentTimers,
    WebhookEndpoints endpoints,
    WebhookSender webhooks,
    IEnumerable<IWorkflowAction> actions,
    TimeProvider clock,
    IOptions<WorkflowOptions> options,
    ILogger<EffectRunner> log)
{
    public Task<IReadOnlyList<PendingEffect>> PendingAsync(int limit, CancellationToken ct) => db.InTransactionAsync(async token =>
    {
        var pending = new List<PendingEffect>();
        await using var cmd = db.Command(
            "SELECT seq, instance_id, bookmark_id, type FROM workflow_effects WHERE done_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= $1) " +
            "ORDER BY seq LIMIT $2", clock.GetUtcNow(), limit);
        await using var reader = await cmd.ExecuteReaderAsync(token);
        while (await reader.ReadAsync(token))
        {
            pending.Add(new PendingEffect(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3)));
        }

        return (IReadOnlyList<PendingEffect>)pending;
    }, ct);

    /// <summary>Carries out the effect; false when another worker has it or it is done already.</summary>
    public async Task<bool> RunAsync(long seq, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(token => RunLockedAsync(seq, token), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            db.ChangeTracker.Clear();
            await FailedAsync(seq, e, ct);
            return false;
        }
    }

    private async Task<bool> RunLockedAsync(long seq, CancellationToken ct)
    {
        Guid instanceId;
        string? jobId;
        WorkflowEffect effect;
        int attempts;
        await using (var claim = db.Command(
            "SELECT instance_id, effect::text, job_id, attempts FROM workflow_effects WHERE seq = $1 AND done_at IS NULL FOR UPDATE SKIP LOCKED", seq))
        await using (var reader = await claim.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return false;
            }

            instanceId = reader.GetGuid(0);
            effect = InstanceStateJson.DeserializeEffect(reader.GetString(1));
            jobId = reader.TextOrNull(2);
            attempts = reader.GetInt32(3);
        }

        var result = effect switch
        {
            ScheduleTimer timer => await ScheduleAsync(instanceId, timer, ct),
            CancelTimer => Unschedule(jobId),
            InvokeAction action => await InvokeAsync(instanceId, action, attempts, ct),
            CallWebhook webhook => await DeliverAsync(instanceId, webhook, ct),
            _ => $"not an outbox effect: {effect.GetType().Name}",
        };
        await using (var done = db.Command("UPDATE workflow_effects SET done_at = $2, result = $3, attempts = attempts + 1 WHERE seq = $1",
            seq, clock.GetUtcNow(), result))
        {
            await done.ExecuteNonQueryAsync(ct);
        }

        return true;
    }

    private async Task<string> ScheduleAsync(Guid instanceId, ScheduleTimer timer, CancellationToken ct)
    {
        string? existing;
        await using (var bookmark = db.Command("SELECT coalesce(job_id, '') FROM workflow_bookmarks WHERE instance_id = $1 AND bookmark_id = $2 FOR UPDATE",
            instanceId, timer.BookmarkId))
        {
            existing = (string?)await bookmark.ExecuteScalarAsync(ct);
        }

        if (existing is null)
        {
            return "bookmark closed before the timer was scheduled";
        }

        if (existing.Length > 0)
        {
            return "already scheduled as job " + existing;
        }

        // Relative to this process's clock, which is the clock the step computed the due time with.
        var delay = timer.DueAt - clock.GetUtcNow();
        var slug = db.Tenant.Slug;
        var bookmarkId = timer.BookmarkId;
        var job = jobs.Schedule<WorkflowTimers>(t => t.FireAsync(slug, instanceId, bookmarkId, CancellationToken.None),
            delay > TimeSpan.Zero ? delay : TimeSpan.Zero);
        await using (var keep = db.Command("UPDATE workflow_bookmarks SET job_id = $3 WHERE instance_id = $1 AND bookmark_id = $2",
            instanceId, timer.BookmarkId, job))
        {
            await keep.ExecuteNonQueryAsync(ct);
        }

        var imminent = new ImminentTimer(slug, instanceId, bookmarkId, job, timer.DueAt);
        db.AfterCommit(() => imminentTimers.Track(imminent));

        return "scheduled as job " + job;
    }

    private string Unschedule(string? jobId)
    {
        if (jobId is null)
        {
            return "no job to delete";
        }

        jobs.Delete(jobId);
        return "deleted job " + jobId;
    }

    private async Task<string> InvokeAsync(Guid instanceId, InvokeAction call, int attempts, CancellationToken ct)
    {
        var record = await store.LockAsync(instanceId, ct);
        if (record?.State.FindBookmark(call.BookmarkId) is null)
        {
            return "bookmark closed before the action ran";
        }

        WorkflowInput input;
        var action = actions.FirstOrDefault(a => a.Descriptor.Name == call.Action);
        if (action is null)
        {
            input = new ActionFailed(call.BookmarkId, "ACTION_UNAVAILABLE", $"No module implements the action {call.Action} in this process.");
        }
        else if (attempts + 1 >= options.Value.MaxEffectAttempts && attempts > 0)
        {
            input = new ActionFailed(call.BookmarkId, "ACTION_FAULT", $"{call.Action} failed unexpectedly {attempts} times; see the log.");
        }
        else
        {
            var state = record.State;
            var transaction = db.Database.CurrentTransaction!;
            await transaction.CreateSavepointAsync("workflow_action", ct);
            try
            {
                var done = await action.InvokeAsync(new WorkflowActionCall($"{instanceId}/{call.BookmarkId}", instanceId, call.BookmarkId,
                    state.Subject.Type, state.Subject.Id, state.Subject.LocationId, call.Inputs), ct);
                input = new ActionCompleted(call.BookmarkId, done.Outcome, done.Output);
            }
            catch (EhrException refused)
            {
                // The module said no: undo whatever it wrote, and let the instance wait on an incident that says why.
                await transaction.RollbackToSavepointAsync("workflow_action", ct);
                db.ChangeTracker.Clear();
                var why = refused.FieldErrors.Count > 0 ? $"{refused.Message} ({string.Join("; ", refused.FieldErrors.Select(f => $"{f.Path}: {f.Message}"))})" : refused.Message;
                input = new ActionFailed(call.BookmarkId, refused.Code, why);
            }
        }

        // Still locked by this transaction, and a module action does not touch the instance row: the record read above is current.
        var resumed = await runtime.ResumeLockedAsync(record, input, "workflow.action", [], null, ct);
        if (resumed.Result.Status == StepStatus.Refused && input is ActionCompleted completed)
        {
            // The module answered with an outcome (or output) its descriptor does not have: a bug to look at, not a crash.
            // (A refused step wrote nothing, so the record is still current.)
            resumed = await runtime.ResumeLockedAsync(record,
                new ActionFailed(call.BookmarkId, resumed.Result.Code ?? "ACTION_ANSWER_INVALID", $"{call.Action} answered '{completed.Outcome}': {resumed.Result.Message}"),
                "workflow.action", [], null, ct);
        }

        return input switch
        {
            ActionCompleted c => "completed: " + c.Outcome,
            ActionFailed f => $"failed: {f.Code}",
            _ => resumed.Result.Status.ToString(),
        };
    }

    private async Task<string> DeliverAsync(Guid instanceId, CallWebhook call, CancellationToken ct)
    {
        // Not locked while the request is out: the instance may be stepped meanwhile (its answer then finds the bookmark gone).
        var record = await store.ReadAsync(instanceId, ct);
        if (record?.State.FindBookmark(call.BookmarkId) is null)
        {
            return "bookmark closed before the delivery";
        }

        var target = await endpoints.ResolveAsync(call.Endpoint, ct);
        var input = target is null
            ? new WebhookFailed(call.BookmarkId, $"The tenant has no web hook endpoint '{call.Endpoint}' (define it first).", Retryable: false)
            : await webhooks.SendAsync(call, target, ct);
        var resumed = await runtime.ResumeInTransactionAsync(instanceId, input, "workflow.webhook", ct);
        return input switch
        {
            WebhookDelivered d => $"delivered: {d.StatusCode}",
            WebhookFailed f => $"failed ({(f.Retryable ? "retryable" : "final")}): {f.Error}; {resumed.Result.Status}",
            _ => resumed.Result.Status.ToString(),
        };
    }

    /// <summary>An unexpected failure: counted, and tried again after a growing pause (5 s, 10 s ... at most 10 min).</summary>
    private async Task FailedAsync(long seq, Exception e, CancellationToken ct)
    {
        log.LogError(e, "Workflow effect {Seq} of {Tenant} failed; it will be tried again", seq, db.Tenant.Slug);
        try
        {
            await db.InTransactionAsync(async token =>
            {
                await using var cmd = db.Command(
                    "UPDATE workflow_effects SET attempts = attempts + 1, last_error = $2, " +
                    "next_attempt_at = $3 + least(interval '10 minutes', interval '5 seconds' * power(2, attempts)) WHERE seq = $1 AND done_at IS NULL",
                    seq, e.GetType().Name + ": " + e.Message, clock.GetUtcNow());
                return await cmd.ExecuteNonQueryAsync(token);
            }, ct);
        }
        catch (Exception again) when (again is Npgsql.NpgsqlException or InvalidOperationException or DbUpdateException)
        {
            log.LogWarning(again, "Could not record the failure of workflow effect {Seq}", seq);
        }
    }
}
