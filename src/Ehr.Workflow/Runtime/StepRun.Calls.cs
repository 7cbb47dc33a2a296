using System.Text.Json;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Scripts;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// Calls out of the instance: notifications (fire and forget, by id), actions (a module answers under the bookmark
/// id) and web hooks (attempts, back-off, then an incident).
/// </summary>
internal sealed partial class StepRun
{
    private Token? Notify(Token token, WorkflowNode node)
    {
        var failure = SendNotification(token, node, node.To ?? [], node.Data, node.Template!, node.Channel);
        return failure is null ? Leave(token, node, WorkflowEdge.Next) : Incident(token, node, failure.Code, $"The notification failed: {failure.Message}");
    }

    /// <summary>Resolves the recipients and data and emits the notification; the failure, if anything failed.</summary>
    private ScriptFailure? SendNotification(Token token, WorkflowNode node, IReadOnlyList<RecipientDefinition> to, IReadOnlyDictionary<string, string>? data, string template, string? channel)
    {
        var recipients = new List<NotificationRecipient>();
        foreach (var recipient in to)
        {
            if (recipient.Patient is { } patientScript)
            {
                var patient = _scripts.Evaluate(patientScript, Scope(token));
                if (patient.Failure is { } failure) return failure;
                if (patient.Value!.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(patient.Value.Value.GetString()))
                    return new ScriptFailure(IncidentCodes.RecipientInvalid, $"The patient expression gave {patient.Value.Value.GetRawText()}, not a patient id.");
                recipients.Add(new NotificationRecipient(null, null, null, patient.Value.Value.GetString()));
                continue;
            }

            var assignee = ResolveAssignee(new AssigneeDefinition
            {
                Role = recipient.Role, AtSubjectLocation = recipient.AtSubjectLocation, User = recipient.User, Expression = recipient.Expression,
            }, token);
            if (assignee.Failure is { } unresolved)
                return unresolved with { Code = unresolved.Code == IncidentCodes.AssigneeInvalid ? IncidentCodes.RecipientInvalid : unresolved.Code };
            recipients.Add(new NotificationRecipient(assignee.Assignee!.Role, assignee.Assignee.UserId, assignee.Assignee.LocationId, null));
        }

        var values = EvaluateAll(data, token);
        if (values.Failure is { } dataFailure) return dataFailure with { Message = $"data '{values.Name}': {dataFailure.Message}" };
        var id = NextId('n');
        Emit(new SendNotification(id, node.Id, recipients, template, values.Value!.Value, channel ?? "inbox"));
        Log(HistoryKinds.NotificationSent, node.Id, detail: $"{template} to {recipients.Count} recipient(s) ({id})");
        return null;
    }

    private Token? InvokeAction(Token token, WorkflowNode node)
    {
        var descriptor = _plan.Actions[node.Action!];
        var inputs = EvaluateAll(node.Inputs, token);
        if (inputs.Failure is { } failure) return Incident(token, node, failure, $"The input '{inputs.Name}' failed");
        foreach (var parameter in descriptor.Inputs)
        {
            if (inputs.Value!.Value.TryGetProperty(parameter.Name, out var value) && !DefinitionValidator.Fits(parameter.Type, value))
                return Incident(token, node, IncidentCodes.ValueType, $"The input '{parameter.Name}' of {descriptor.Name} must be {DefinitionValidator.Name(parameter.Type)}; the script gave {value.GetRawText()}.");
        }

        var bookmark = new Bookmark { Id = NextId('b'), Kind = BookmarkKind.Action, NodeId = node.Id, CreatedAt = _now };
        Emit(new InvokeAction(bookmark.Id, node.Id, descriptor.Name, inputs.Value!.Value));
        Log(HistoryKinds.ActionInvoked, node.Id, bookmark.Id, detail: descriptor.Name);
        Park(token with { NodeId = node.Id, Bookmarks = [bookmark] });
        return null;
    }

    public StepResult? FinishAction(ActionCompleted input, Token token, Bookmark bookmark)
    {
        var node = _plan.Node(token.NodeId);
        var outcomes = _plan.Outcomes(node.Id);
        if (!outcomes.Contains(input.Outcome))
            return Refuse(StepCodes.OutcomeNotAllowed, $"The action {node.Action} finishes with {string.Join(", ", outcomes)}; not '{input.Outcome}'.");
        if (input.Output is { } output && output.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            return Refuse(StepCodes.OutputInvalid, "An action's output is a JSON object.");

        token = Unpark(token);
        if (node.Output is { } name) SetVariable(name, input.Output ?? JsonSerializer.SerializeToElement(new { }));
        Log(HistoryKinds.ActionCompleted, node.Id, bookmark.Id, outcome: input.Outcome);
        Enqueue(Leave(token, node, input.Outcome));
        return null;
    }

    public void FailAction(ActionFailed input, Token token, Bookmark bookmark)
    {
        var node = _plan.Node(token.NodeId);
        token = Unpark(token) with { Bookmarks = token.Bookmarks.Remove(bookmark) };
        Log(HistoryKinds.ActionFailed, node.Id, bookmark.Id, outcome: input.Code, detail: input.Message);
        Incident(token, node, IncidentCodes.ActionFailed, $"{node.Action} failed ({input.Code}): {input.Message}");
    }

    private Token? CallWebhook(Token token, WorkflowNode node, int attempt, WebhookDelivery? delivery)
    {
        var policy = WebhookPolicy.Of(node);
        if (delivery is null)
        {
            var payload = EvaluateAll(node.Payload, token);
            if (payload.Failure is { } failure) return Incident(token, node, failure, $"The payload's '{payload.Name}' failed");
            var id = $"{_before.InstanceId:N}.{NextId('d')}";
            var body = JsonSerializer.Serialize(new
            {
                @event = node.Event,
                deliveryId = id,
                instanceId = _before.InstanceId,
                subject = new { type = _before.Subject.Type, id = _before.Subject.Id },
                occurredAt = _now,
                data = payload.Value,
            }, WorkflowJson.Options);
            delivery = new WebhookDelivery(id, body);
        }

        var bookmark = new Bookmark { Id = NextId('b'), Kind = BookmarkKind.Webhook, NodeId = node.Id, CreatedAt = _now, Attempt = attempt, Delivery = delivery };
        Emit(new CallWebhook(bookmark.Id, node.Id, node.Endpoint!, node.Event!, delivery.Body, attempt, policy.MaxAttempts, policy.Timeout, delivery.DeliveryId));
        Log(HistoryKinds.WebhookCalled, node.Id, bookmark.Id, detail: $"{node.Endpoint}: attempt {attempt} of {policy.MaxAttempts} ({delivery.DeliveryId})");
        var parked = token with { NodeId = node.Id, Bookmarks = [bookmark] };
        if (_parked.Any(t => t.Id == token.Id)) Replace(parked);
        else Park(parked);
        return null;
    }

    public void FinishWebhook(WebhookDelivered input, Token token, Bookmark bookmark)
    {
        var node = _plan.Node(token.NodeId);
        token = Unpark(token);
        if (node.Output is { } name)
        {
            SetVariable(name, JsonSerializer.SerializeToElement(new { status = input.StatusCode, body = input.Body }, WorkflowJson.Options));
        }

        Log(HistoryKinds.WebhookDelivered, node.Id, bookmark.Id, outcome: input.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Enqueue(Leave(token, node, WorkflowEdge.Next));
    }

    public void FailWebhook(WebhookFailed input, Token token, Bookmark bookmark)
    {
        var node = _plan.Node(token.NodeId);
        var policy = WebhookPolicy.Of(node);
        var attempt = bookmark.Attempt ?? 1;
        token = token with { Bookmarks = token.Bookmarks.Remove(bookmark) };
        Replace(token);
        Log(HistoryKinds.WebhookFailed, node.Id, bookmark.Id, detail: $"attempt {attempt}: {input.Error}");
        if (!input.Retryable || attempt >= policy.MaxAttempts)
        {
            Incident(token, node, IncidentCodes.WebhookFailed,
                input.Retryable ? $"{node.Endpoint}: {attempt} attempts failed; the last: {input.Error}" : $"{node.Endpoint} refused the delivery: {input.Error}");
            return;
        }

        var due = _now + policy.DelayAfter(attempt);
        var retry = new Bookmark
        {
            Id = NextId('b'), Kind = BookmarkKind.WebhookRetry, NodeId = node.Id, CreatedAt = _now, DueAt = due, Attempt = attempt, Delivery = bookmark.Delivery,
        };
        Emit(new ScheduleTimer(retry.Id, due, BookmarkKind.WebhookRetry));
        Replace(token with { Bookmarks = [retry] });
    }

    private void RetryWebhook(Token token, Bookmark retry)
    {
        var node = _plan.Node(token.NodeId);
        token = token with { Bookmarks = token.Bookmarks.Remove(retry) };
        Replace(token);
        CallWebhook(token, node, (retry.Attempt ?? 1) + 1, retry.Delivery);
    }
}
