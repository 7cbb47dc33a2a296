using System.Text.Json;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Scripts;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// Human tasks. A task node offers one slot per approver (one without a quorum), each its own bookmark and inbox
/// entry, and schedules its first escalation. Decisions are counted: return for changes decides at once; approve
/// once the quorum's required approvals are in; reject as soon as the required approvals can no longer be reached.
/// The deciding step withdraws the other slots and the pending escalation.
/// </summary>
internal sealed partial class StepRun
{
    private Token? OpenTask(Token token, WorkflowNode node)
    {
        var assignee = ResolveAssignee(node.Assignee!, token);
        if (assignee.Failure is { } failure) return Incident(token, node, failure.Code, $"The task's assignee could not be resolved: {failure.Message}");

        var slots = node.Quorum?.Approvers ?? 1;
        var due = node.Due is { } d ? _now + Durations.Parse(d) : (DateTimeOffset?)null;
        var bookmarks = new List<Bookmark>();
        for (var slot = 0; slot < slots; slot++)
        {
            var bookmark = new Bookmark { Id = NextId('b'), Kind = BookmarkKind.Task, NodeId = node.Id, CreatedAt = _now, DueAt = due, Slot = slot };
            bookmarks.Add(bookmark);
            Emit(new CreateTask(bookmark.Id, node.Id, node.Title!, node.Instructions, node.Priority ?? "routine", assignee.Assignee!,
                node.Outcomes!, node.Form, due, slot, slots));
        }

        var task = new TaskState { Assignee = assignee.Assignee!, Slots = slots, Required = node.Quorum?.Required ?? 1, CreatedAt = _now, DueAt = due };
        Log(HistoryKinds.TaskCreated, node.Id, bookmarks[0].Id,
            detail: $"for {assignee.Assignee}{(slots > 1 ? $", {task.Required} of {slots} approvers" : "")}{(due is { } at ? $", due {Iso(at)}" : "")}");
        if (node.Escalations is { Count: > 0 } escalations)
            bookmarks.Add(ScheduleEscalation(node, task, 0, escalations[0]));
        Park(token with { NodeId = node.Id, Bookmarks = [.. bookmarks], Task = task });
        return null;
    }

    private Bookmark ScheduleEscalation(WorkflowNode node, TaskState task, int level, EscalationDefinition escalation)
    {
        var due = task.CreatedAt + Durations.Parse(escalation.After);
        var bookmark = new Bookmark { Id = NextId('b'), Kind = BookmarkKind.Escalation, NodeId = node.Id, CreatedAt = _now, DueAt = due, Escalation = level };
        Emit(new ScheduleTimer(bookmark.Id, due, BookmarkKind.Escalation));
        return bookmark;
    }

    public StepResult? DecideTask(CompleteTask input, Token token, Bookmark bookmark)
    {
        var node = _plan.Node(token.NodeId);
        var task = token.Task!;
        if (string.IsNullOrWhiteSpace(input.ActorId))
            return Refuse(StepCodes.ActorRequired, "Who decided the task is required.");
        if (!_plan.Outcomes(node.Id).Contains(input.Outcome))
            return Refuse(StepCodes.OutcomeNotAllowed, $"The task offers {string.Join(", ", _plan.Outcomes(node.Id))}; not '{input.Outcome}'.");
        if (TaskOutcomes.NeedsComment(input.Outcome) && string.IsNullOrWhiteSpace(input.Comment))
            return Refuse(StepCodes.CommentRequired, $"Say why ({input.Outcome} needs a comment).");
        if (node.Form is not null && input.Outcome != TaskOutcomes.ReturnForChanges && string.IsNullOrWhiteSpace(input.FormResponseId))
            return Refuse(StepCodes.FormResponseRequired, $"The task asks for the form '{node.Form}' to be filled in before deciding.");
        if (task.Votes.Any(v => v.ActorId == input.ActorId))
            return Refuse(StepCodes.ActorAlreadyDecided, $"{input.ActorId} has already decided this task; another approver must take the remaining slot.");

        var vote = new TaskVote(bookmark.Id, input.ActorId, input.Outcome, input.Comment, _now, input.FormResponseId);
        task = task with { Votes = task.Votes.Add(vote) };
        token = token with { Bookmarks = token.Bookmarks.Remove(bookmark), Task = task };
        Replace(token);
        Log(HistoryKinds.TaskDecided, node.Id, bookmark.Id, input.ActorId, input.Outcome, input.Comment);

        var approvals = task.Votes.Count(v => v.Outcome == TaskOutcomes.Approve);
        var rejections = task.Votes.Count(v => v.Outcome == TaskOutcomes.Reject);
        string? decided = input.Outcome switch
        {
            TaskOutcomes.ReturnForChanges => TaskOutcomes.ReturnForChanges,
            _ when task.Slots == 1 => input.Outcome,
            _ when approvals >= task.Required => TaskOutcomes.Approve,
            _ when task.Slots - rejections < task.Required => TaskOutcomes.Reject,
            _ => null,
        };
        if (decided is not null) FinishTask(token, node, decided, vote);
        return null;
    }

    /// <summary>The task is decided: withdraw what is still open for it, record the result, move on.</summary>
    private void FinishTask(Token token, WorkflowNode node, string outcome, TaskVote deciding)
    {
        token = Unpark(token);
        foreach (var open in token.Bookmarks) Withdraw(open, $"The task was decided: {outcome}.");
        var task = token.Task!;
        var result = JsonSerializer.SerializeToElement(new
        {
            outcome,
            comment = deciding.Comment,
            actorId = deciding.ActorId,
            at = deciding.At,
            formResponseId = deciding.FormResponseId,
            votes = task.Votes.Select(v => new { v.ActorId, v.Outcome, v.Comment, v.At, v.FormResponseId }),
        }, WorkflowJson.Options);
        if (node.Output is { } output) SetVariable(output, result);
        Log(HistoryKinds.TaskCompleted, node.Id, deciding.BookmarkId, deciding.ActorId, outcome, deciding.Comment);
        Enqueue(Leave(token with { LastTask = result }, node, outcome));
    }

    /// <summary>An escalation is due: reassign the open slots, notify, or decide the task.</summary>
    private void Escalate(Token token, WorkflowNode node, int level)
    {
        var escalations = node.Escalations ?? [];
        if (level >= escalations.Count)
        {
            // The instance moved to a version with fewer escalations: nothing is left to do at this level.
            Log(HistoryKinds.Escalated, node.Id, detail: $"escalation {level + 1} is not in this version");
            return;
        }

        var escalation = escalations[level];
        var task = token.Task!;
        if (escalation.Outcome is { } outcome)
        {
            var comment = escalation.Comment ?? $"No decision within {escalation.After}; escalated.";
            Log(HistoryKinds.Escalated, node.Id, actorId: EscalationActor, outcome: outcome, detail: $"escalation {level + 1}: decided {outcome}");
            var vote = new TaskVote(token.Bookmarks.FirstOrDefault(b => b.Kind == BookmarkKind.Task)?.Id ?? "", EscalationActor, outcome, comment, _now, null);
            Replace(token with { Task = task with { Votes = task.Votes.Add(vote) } });
            FinishTask(Current(token.Id), node, outcome, vote);
            return;
        }

        if (escalation.Reassign is { } reassign)
        {
            var assignee = ResolveAssignee(reassign, token);
            if (assignee.Failure is { } failure)
            {
                Incident(token, node, failure.Code, $"Escalation {level + 1} could not resolve its assignee: {failure.Message}", level);
                return;
            }

            foreach (var slot in token.Bookmarks.Where(b => b.Kind == BookmarkKind.Task))
                Emit(new ReassignTask(slot.Id, assignee.Assignee!, $"Escalated: no decision within {escalation.After}."));
            token = token with { Task = task with { Assignee = assignee.Assignee! } };
            Replace(token);
            Log(HistoryKinds.Escalated, node.Id, actorId: EscalationActor, detail: $"escalation {level + 1}: reassigned to {assignee.Assignee}");
        }
        else if (escalation.Notify is { } notify)
        {
            var sent = SendNotification(token, node, notify.To, notify.Data, notify.Template, notify.Channel);
            if (sent is { } failure)
            {
                Incident(token, node, failure.Code, $"Escalation {level + 1} could not notify: {failure.Message}", level);
                return;
            }

            Log(HistoryKinds.Escalated, node.Id, actorId: EscalationActor, detail: $"escalation {level + 1}: notified");
        }

        if (level + 1 < escalations.Count)
        {
            token = Current(token.Id);
            Replace(token with { Bookmarks = token.Bookmarks.Add(ScheduleEscalation(node, token.Task!, level + 1, escalations[level + 1])) });
        }
    }

    private (TaskAssignee? Assignee, ScriptFailure? Failure) ResolveAssignee(AssigneeDefinition definition, Token token)
    {
        if (definition.User is { } user) return (new TaskAssignee(null, user, null), null);
        if (definition.Role is { } role) return AtLocation(role, definition.AtSubjectLocation);

        var result = _scripts.Evaluate(definition.Expression!, Scope(token));
        if (result.Failure is { } failure) return (null, failure);
        var value = result.Value!.Value;
        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString()))
            return (new TaskAssignee(null, value.GetString(), null), null);
        if (value.ValueKind == JsonValueKind.Object)
        {
            if (value.TryGetProperty("user", out var u) && u.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(u.GetString()))
                return (new TaskAssignee(null, u.GetString(), null), null);
            if (value.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(r.GetString()))
                return AtLocation(r.GetString()!, value.TryGetProperty("atSubjectLocation", out var at) && at.ValueKind == JsonValueKind.True);
        }

        return (null, new ScriptFailure(IncidentCodes.AssigneeInvalid, $"The assignee expression gave {value.GetRawText()}; it must give a user id, {{ user }} or {{ role, atSubjectLocation }}."));
    }

    private (TaskAssignee?, ScriptFailure?) AtLocation(string role, bool atSubjectLocation)
    {
        if (!atSubjectLocation) return (new TaskAssignee(role, null, null), null);
        // Never widen a location-bound task to the whole tenant: without a location it waits for an admin.
        return _before.Subject.LocationId is { } location
            ? (new TaskAssignee(role, null, location), null)
            : (null, new ScriptFailure(IncidentCodes.NoSubjectLocation, $"The task is for the role {role} at the subject's location, and the subject ({_before.Subject.Type} {_before.Subject.Id}) has none."));
    }
}
