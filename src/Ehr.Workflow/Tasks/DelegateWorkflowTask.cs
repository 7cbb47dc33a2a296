using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Workflow.Tasks;

/// <summary>
/// Hands an open task to one person (<c>workflow.task</c>): by one of its assignees (its claimer, when claimed), or by a
/// holder of <c>workflow.manage</c>. The task becomes that user's, unclaimed; the timeline records who delegated it, to
/// whom and why (a comment of up to 2000 characters, optional). The user id is not checked against the tenant's
/// members: the platform's membership list is not the tenant's to read; a wrong id leaves the task to escalation.
/// </summary>
public sealed class DelegateWorkflowTask(WorkflowTaskActs acts)
{
    public const int MaxComment = 2000;

    public Task<WorkflowTaskView> HandleAsync(Guid id, string? userId, string? comment, int? expectedVersion, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var to = userId?.Trim();
        if (string.IsNullOrEmpty(to))
        {
            errors.Add(new FieldError("userId", ErrorCodes.Required, "Name the user to delegate the task to."));
        }
        else if (to.Length > 200)
        {
            errors.Add(new FieldError("userId", ErrorCodes.TooLong, "At most 200 characters."));
        }

        var why = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
        if (why?.Length > MaxComment)
        {
            errors.Add(new FieldError("comment", ErrorCodes.TooLong, $"At most {MaxComment} characters."));
        }

        acts.Actors.Demand(Permissions.WorkflowTask);
        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return acts.ChangeAsync(id, expectedVersion, WorkflowTaskChangeKinds.Delegated, "workflow.task.delegate", (task, actor) =>
        {
            if (!acts.Actors.Has(Permissions.WorkflowManage))
            {
                WorkflowTaskActs.RequireWorker(task, actor);
            }

            return ("UPDATE workflow_tasks SET status = 'open', claimed_by = NULL, claimed_at = NULL, assignee_role = NULL, assignee_location = NULL, " +
                    "assignee_user = $3", [to], why, $"to user {to}");
        }, ct);
    }
}
