using System.Text.Json;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using Npgsql;

namespace Ehr.Workflow.Store;

/// <summary>A resume's result: the instance as it was locked and what the step made of the input.</summary>
internal sealed record Resumed(InstanceRecord Before, StepResult Result)
{
    public bool Applied => Result.Status == StepStatus.Applied;
}

/// <summary>A published workflow version, as a start needs it.</summary>
internal sealed record WorkflowVersion(Guid Id, string Key, Guid? LocationId, WorkflowPlan Plan);

/// <summary>
/// Starting and resuming instances, each in one transaction: lock the instance row, run the engine's step, write the
/// state, bookmarks, timeline, effects and the audit entry, commit. A step that is a no-op or refused writes nothing.
/// Callers that must add their own rows to the step (the inbox completing a task, the consumer moving its position)
/// open the transaction and call the <c>InTransaction</c> forms.
/// </summary>
public sealed class WorkflowRuntime(
    TenantDbContext db,
    InstanceStore store,
    WorkflowPlans plans,
    WorkflowEngine engine,
    AuditTrail audit,
    ActorContext actors,
    TimeProvider clock)
{
    internal Task<Resumed> ResumeAsync(Guid instanceId, WorkflowInput input, string auditAction, CancellationToken ct) =>
        db.InTransactionAsync(token => ResumeInTransactionAsync(instanceId, input, auditAction, token), ct);

    internal async Task<Resumed> ResumeInTransactionAsync(Guid instanceId, WorkflowInput input, string auditAction, CancellationToken ct)
    {
        var record = await store.LockAsync(instanceId, ct) ?? throw EhrException.NotFound("Workflow instance " + instanceId);
        return await ResumeLockedAsync(record, input, auditAction, [], null, ct);
    }

    /// <summary>
    /// Steps an instance this transaction has locked (<see cref="InstanceStore.LockAsync"/>, <see cref="InstanceStore.LockTaskAsync"/>).
    /// When applied, the step's rows, its audit entry and <paramref name="also"/> (the caller's own rows, whose result
    /// sets <paramref name="readAlso"/> reads) go to the database in one round trip.
    /// </summary>
    internal async Task<Resumed> ResumeLockedAsync(InstanceRecord record, WorkflowInput input, string auditAction, IReadOnlyList<NpgsqlBatchCommand> also,
        Func<NpgsqlDataReader, CancellationToken, Task>? readAlso, CancellationToken ct)
    {
        var plan = await plans.GetAsync(db, record.VersionId, ct);
        var result = engine.Step(plan, record.State, input, Now());
        if (result.Status == StepStatus.Applied)
        {
            var entry = audit.Commands([new AuditEvent(auditAction, "WorkflowInstance", record.Id.ToString(), Details(record, result, input))]);
            await store.WriteStepAsync(record, result, [.. entry, .. also], readAlso, ct);
        }

        return new Resumed(record, result);
    }

    /// <summary>
    /// Starts an instance of <paramref name="version"/> inside the caller's transaction. The result is the engine's
    /// (not started when the trigger's filter said no, refused for bad inputs); null when an instance with this id
    /// already exists (a repeated start), in which case nothing was written.
    /// </summary>
    internal async Task<StepResult?> StartInTransactionAsync(WorkflowVersion version, StartWorkflow start, Guid? startEventId, string auditAction,
        CancellationToken ct)
    {
        var result = engine.Start(version.Plan, start, Now());
        if (result.Status != StepStatus.Applied)
        {
            return result;
        }

        var state = result.State!;
        var record = new InstanceRecord(start.InstanceId, version.Key, version.Id, state, 1, PatientOf(state, start), state.Subject.LocationId);
        // The audit entry goes with the step's rows, once the insert said the instance is new.
        var started = await store.InsertAsync(record, result, startEventId, start.ActorId, () => audit.Commands([new AuditEvent(auditAction,
            "WorkflowInstance", start.InstanceId.ToString(), new
            {
                definition = version.Key,
                version = version.Id,
                subject = $"{state.Subject.Type}/{state.Subject.Id}",
                startEvent = startEventId,
                status = state.Status.ToString().ToLowerInvariant(),
            })]), ct);
        return started ? result : null;
    }

    /// <summary>Moves a locked, waiting instance to <paramref name="to"/> (checked by the engine first), audited.</summary>
    internal async Task<Resumed> MigrateInTransactionAsync(Guid instanceId, Guid toVersionId, CancellationToken ct)
    {
        var record = await store.LockAsync(instanceId, ct) ?? throw EhrException.NotFound("Workflow instance " + instanceId);
        var from = await plans.GetAsync(db, record.VersionId, ct);
        var to = await plans.GetAsync(db, toVersionId, ct);
        var result = WorkflowEngine.Migrate(record.State, from, to, actors.Current.Id, Now());
        if (result.Status == StepStatus.Applied)
        {
            var entry = audit.Commands([new AuditEvent("workflow.migrate", "WorkflowInstance", instanceId.ToString(), new
            {
                definition = record.DefinitionKey,
                from = record.VersionId,
                to = toVersionId,
                step = result.State!.Steps,
            })]);
            await store.WriteStepAsync(record, result, entry, null, ct, toVersionId);
        }

        return new Resumed(record, result);
    }

    /// <summary>
    /// The step's clock, to the microsecond: what PostgreSQL keeps, so a time in the state (a task's due time) and the
    /// same time in a column (the task row's) are equal.
    /// </summary>
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow().UtcTicks;
        return new DateTimeOffset(now - (now % 10), TimeSpan.Zero);
    }

    /// <summary>
    /// The patient an instance is about, for the inbox's "tasks by patient": the subject when it is a patient, else the
    /// event's <c>patientId</c> (notes and form responses carry it), else a manual start's <c>patientId</c> input.
    /// </summary>
    private static Guid? PatientOf(InstanceState state, StartWorkflow start)
    {
        if (state.Subject.Type == "Patient" && Guid.TryParse(state.Subject.Id, out var subject))
        {
            return subject;
        }

        if (start.Event?.Payload is { ValueKind: JsonValueKind.Object } payload && payload.TryGetProperty("patientId", out var fromEvent)
            && fromEvent.ValueKind == JsonValueKind.String && Guid.TryParse(fromEvent.GetString(), out var eventPatient))
        {
            return eventPatient;
        }

        return start.Inputs?.TryGetValue("patientId", out var input) == true && input.ValueKind == JsonValueKind.String
               && Guid.TryParse(input.GetString(), out var inputPatient)
            ? inputPatient
            : null;
    }

    /// <summary>What the audit entry of a step keeps: which input, which bookmark, where it went. No comments (free text).</summary>
    private static object Details(InstanceRecord record, StepResult result, WorkflowInput input) => new
    {
        definition = record.DefinitionKey,
        version = record.VersionId,
        input = input.GetType().Name,
        bookmark = input switch
        {
            CompleteTask c => c.BookmarkId,
            FireTimer f => f.BookmarkId,
            ActionCompleted a => a.BookmarkId,
            ActionFailed a => a.BookmarkId,
            WebhookDelivered w => w.BookmarkId,
            WebhookFailed w => w.BookmarkId,
            RetryIncident r => r.BookmarkId,
            _ => null,
        },
        step = result.State!.Steps,
        status = result.State.Status.ToString().ToLowerInvariant(),
        outcome = result.State.Outcome,
    };
}
