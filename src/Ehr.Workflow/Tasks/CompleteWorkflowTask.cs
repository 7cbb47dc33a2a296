using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;
using static Ehr.Workflow.Store.WorkflowSql;

namespace Ehr.Workflow.Tasks;

/// <summary>A decision on a task: an outcome it offers, a comment (required to reject or return), and the form response when it names a form.</summary>
public sealed record TaskDecision(string? Outcome, string? Comment, Guid? FormResponseId, int? ExpectedVersion = null);

/// <summary>
/// Decides a task (<c>workflow.task</c>), as one of its assignees (its claimer when it is claimed;
/// <c>TASK_NOT_ASSIGNED</c> / <c>TASK_CLAIMED</c> otherwise). One transaction: lock the instance, then the task (the
/// order every step takes, so a timer firing at the same moment waits rather than deadlocks), check the form response
/// is a submitted response to the task's form, step the instance with the decision (the engine refuses a missing
/// comment or an outcome the task does not offer: <c>VALIDATION_FAILED</c> on <c>outcome</c>, <c>comment</c>,
/// <c>formResponseId</c>), record the decision on the task row, the step's rows and the audit entry, commit. Whatever is
/// refused changes nothing.
/// </summary>
public sealed class CompleteWorkflowTask(
    TenantDbContext db,
    WorkflowTaskActs acts,
    IFormResponseChecks forms,
    WorkflowRuntime runtime,
    InstanceStore store,
    TimeProvider clock)
{
    public const int MaxComment = 4000;

    public async Task<WorkflowTaskView> HandleAsync(Guid id, TaskDecision decision, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(decision);
        acts.Actors.Demand(Permissions.WorkflowTask);
        var actor = acts.Actors.Current;
        var comment = string.IsNullOrWhiteSpace(decision.Comment) ? null : decision.Comment.Trim();
        if (comment?.Length > MaxComment)
        {
            throw EhrException.Validation([new FieldError("comment", ErrorCodes.TooLong, $"At most {MaxComment} characters.")]);
        }

        return await db.InTransactionAsync(async token =>
        {
            // Instance row, then task row, both locked in one round trip.
            var (instance, task) = await store.LockTaskAsync(id, token);
            if (instance is null || task is null)
            {
                throw EhrException.NotFound("Task " + id);
            }

            WorkflowTaskActs.RequireOpen(task, decision.ExpectedVersion);
            WorkflowTaskActs.RequireWorker(task, actor);
            if (decision.FormResponseId is { } responseId && task.FormKey is { } formKey
                && !await forms.IsSubmittedResponseToAsync(responseId, formKey, token))
            {
                throw EhrException.Validation([new FieldError("formResponseId", ErrorCodes.UnknownReference,
                    $"Not a submitted response to the form '{formKey}' this task asks for.")]);
            }

            // The decision on the task row goes in the step's batch (with the step's rows and audit entry), read back as the view.
            var now = clock.GetUtcNow();
            var record = BatchCommand(
                "UPDATE workflow_tasks t SET status = 'completed', claimed_by = NULL, outcome = $2, comment = $3, form_response_id = $4, completed_by = $5, " +
                "completed_at = $6, updated_at = $6, row_version = row_version + 1 WHERE t.id = $1 RETURNING " + WorkflowTaskReads.Returning("completed_task"),
                id, decision.Outcome ?? "", Text(comment), Uuid(decision.FormResponseId), actor.Id, now);
            WorkflowTaskView? completed = null;
            var input = new CompleteTask(task.BookmarkId, decision.Outcome ?? "", comment, actor.Id, decision.FormResponseId?.ToString());
            var resumed = await runtime.ResumeLockedAsync(instance, input, "workflow.task.complete", [record], async (reader, t) =>
            {
                if (reader.GetName(0) == "completed_task" && await reader.ReadAsync(t))
                {
                    completed = WorkflowTaskReads.Read(reader);
                }
            }, token);
            switch (resumed.Result.Status)
            {
                case StepStatus.Refused:
                    throw Refusal(resumed.Result, task);
                case StepStatus.NoOp:
                    throw new EhrException(ErrorCodes.TaskClosed, $"Task {id} no longer waits for a decision ({resumed.Result.Code}).", 409);
            }

            var done = completed ?? throw new InvalidOperationException($"Task {id} was not recorded as completed.");
            var change = new WorkflowTaskChange(db.Tenant.Slug, done.Id, done.InstanceId, WorkflowTaskChangeKinds.Completed, done.Status,
                done.AssigneeRole, done.AssigneeUser, done.AssigneeLocation, done.ClaimedBy, done.PatientId, now);
            acts.Announce([change]);
            return done;
        }, ct);
    }

    /// <summary>The engine's refusal, said as the inbox's field errors.</summary>
    private static EhrException Refusal(StepResult result, WorkflowTaskView task) => result.Code switch
    {
        StepCodes.OutcomeNotAllowed => EhrException.Validation([new FieldError("outcome", ErrorCodes.OutOfRange,
            $"This task offers {string.Join(", ", task.Outcomes)}.")]),
        StepCodes.CommentRequired => EhrException.Validation([new FieldError("comment", ErrorCodes.Required, result.Message ?? "A comment is required.")]),
        StepCodes.FormResponseRequired => EhrException.Validation([new FieldError("formResponseId", ErrorCodes.Required,
            result.Message ?? "The task's form must be filled in first.")]),
        StepCodes.ActorAlreadyDecided => new EhrException(ErrorCodes.AlreadyDecided, result.Message ?? "You decided this task already.", 409),
        _ => new EhrException(ErrorCodes.Conflict, $"The task could not be decided: {result.Code}: {result.Message}", 409),
    };
}
