namespace Ehr.Workflow.Runtime;

/// <summary>Routes an input to what it resumes, after checking the bookmark it names is open and of the right kind.</summary>
internal sealed partial class StepRun
{
    private StepResult Refuse(string code, string message) => StepResult.Unchanged(StepStatus.Refused, _before, code, message);

    /// <summary>Applies the input; a refusal or no-op comes back as a result, anything applied as null (then run and take <see cref="Result"/>).</summary>
    public StepResult? Apply(WorkflowInput input)
    {
        if (input is CancelInstance cancel)
        {
            Cancel(cancel.ActorId, cancel.Reason);
            return null;
        }

        var bookmarkId = input switch
        {
            CompleteTask c => c.BookmarkId,
            FireTimer f => f.BookmarkId,
            ActionCompleted a => a.BookmarkId,
            ActionFailed a => a.BookmarkId,
            WebhookDelivered w => w.BookmarkId,
            WebhookFailed w => w.BookmarkId,
            RetryIncident r => r.BookmarkId,
            _ => throw new ArgumentException($"Unknown input {input.GetType().Name}.", nameof(input)),
        };
        if (_before.FindBookmark(bookmarkId) is not var (token, bookmark))
            return NotOpen(bookmarkId);

        var expected = input switch
        {
            CompleteTask => [BookmarkKind.Task],
            FireTimer => [BookmarkKind.Timer, BookmarkKind.Escalation, BookmarkKind.WebhookRetry],
            ActionCompleted or ActionFailed => [BookmarkKind.Action],
            WebhookDelivered or WebhookFailed => [BookmarkKind.Webhook],
            _ => new[] { BookmarkKind.Incident },
        };
        if (!expected.Contains(bookmark.Kind))
            return Refuse(StepCodes.BookmarkKindMismatch, $"The bookmark {bookmarkId} waits for {Describe(bookmark.Kind)}, not for {input.GetType().Name}.");

        switch (input)
        {
            case CompleteTask complete:
                return DecideTask(complete, token, bookmark);
            case FireTimer:
                Fire(token, bookmark);
                return null;
            case ActionCompleted completed:
                return FinishAction(completed, token, bookmark);
            case ActionFailed failed:
                FailAction(failed, token, bookmark);
                return null;
            case WebhookDelivered delivered:
                FinishWebhook(delivered, token, bookmark);
                return null;
            case WebhookFailed failed:
                FailWebhook(failed, token, bookmark);
                return null;
            case RetryIncident retry:
                Retry(retry, token, bookmark);
                return null;
            default:
                throw new ArgumentException($"Unknown input {input.GetType().Name}.", nameof(input));
        }
    }

    /// <summary>
    /// Ids are handed out in sequence and never reused, so an id at or below the sequence that is not open was
    /// consumed (or cancelled) before: a repeated input, a timer that lost a race. That is a no-op, said as such.
    /// </summary>
    private StepResult NotOpen(string bookmarkId)
    {
        var issued = bookmarkId.Length > 1 && bookmarkId[0] == 'b'
                     && long.TryParse(bookmarkId.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                     && n >= 1 && n <= _before.Sequence;
        return issued
            ? StepResult.Unchanged(StepStatus.NoOp, _before, StepCodes.BookmarkConsumed, $"The bookmark {bookmarkId} was already consumed or cancelled; nothing to do.")
            : Refuse(StepCodes.BookmarkUnknown, $"This instance has no bookmark {bookmarkId}.");
    }

    private void Fire(Token token, Bookmark bookmark)
    {
        var node = _plan.Node(token.NodeId);
        Log(HistoryKinds.TimerFired, node.Id, bookmark.Id, detail: bookmark.Kind.ToString());
        switch (bookmark.Kind)
        {
            case BookmarkKind.Timer:
                Enqueue(Leave(Unpark(token), node, Definitions.WorkflowEdge.Next));
                break;
            case BookmarkKind.Escalation:
                token = token with { Bookmarks = token.Bookmarks.Remove(bookmark) };
                Replace(token);
                Escalate(token, node, bookmark.Escalation ?? 0);
                break;
            case BookmarkKind.WebhookRetry:
                RetryWebhook(token, bookmark);
                break;
        }
    }

    private void Retry(RetryIncident retry, Token token, Bookmark incident)
    {
        var node = _plan.Node(token.NodeId);
        Emit(new ResolveIncident(incident.Id, $"Retried by {retry.ActorId}."));
        Log(HistoryKinds.IncidentRetried, node.Id, incident.Id, retry.ActorId, incident.Code);
        token = token with { Bookmarks = token.Bookmarks.Remove(incident) };
        if (incident.Escalation is { } level)
        {
            // The task is still open; only the escalation runs again.
            Replace(token);
            Escalate(token, node, level);
            return;
        }

        Unpark(token);
        Enqueue(token with { Bookmarks = [], Task = null });
    }

    private static string Describe(BookmarkKind kind) => kind switch
    {
        BookmarkKind.Task => "a task decision",
        BookmarkKind.Timer or BookmarkKind.Escalation or BookmarkKind.WebhookRetry => "a timer",
        BookmarkKind.Action => "an action's result",
        BookmarkKind.Webhook => "a web hook's result",
        _ => "an admin's retry",
    };
}
