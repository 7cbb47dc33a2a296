using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;

namespace Ehr.Workflow.Tasks;

/// <summary>
/// Hands an open task to one person (<c>workflow.task</c>): by one of its assignees (its claimer, when claimed), or by a
/// holder of <c>workflow.manage</c>. The task becomes that user's, unclaimed; the timeline records who delegated it, to
/// whom and why (a comment of up to 2000 characters, optional). The user must be one of the tenant's staff (an active
/// membership of an active account, as the staff directory lists them): a task handed to a mistyped id, a patient or
/// someone who has left would wait on nobody until it escalates.
/// </summary>
public sealed class DelegateWorkflowTask(WorkflowTaskActs acts, StaffMembers staff)
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

        return DelegateAsync(id, to!, why, expectedVersion, ct);
    }

    private async Task<WorkflowTaskView> DelegateAsync(Guid id, string to, string? why, int? expectedVersion, CancellationToken ct)
    {
        if (!await staff.IncludeAsync(to, ct))
        {
            throw EhrException.Validation([new FieldError("userId", ErrorCodes.UnknownReference, "No one on this practice's staff has that user id.")]);
        }

        return await acts.ChangeAsync(id, expectedVersion, WorkflowTaskChangeKinds.Delegated, "workflow.task.delegate", (task, actor) =>
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
