using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// An event that may start workflows, as the outbox holds it (<see cref="Ehr.Platform.Events.StoredEvent"/>): the
/// engine hands it to scripts as <c>event</c> and keeps it on the instance.
/// </summary>
public sealed record WorkflowEvent(
    Guid Id,
    string Type,
    string SubjectType,
    string SubjectId,
    Guid? LocationId,
    JsonElement Payload,
    string ActorId,
    DateTimeOffset OccurredAt);

/// <summary>Starts an instance: by an event (its trigger's type), or by hand with inputs (a manual trigger).</summary>
public sealed record StartWorkflow
{
    /// <summary>Chosen by the caller (the store), so a start that is retried names the same instance.</summary>
    public required Guid InstanceId { get; init; }

    public required WorkflowSubject Subject { get; init; }

    public required string ActorId { get; init; }

    public WorkflowEvent? Event { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Inputs { get; init; }

    /// <summary>The start for an event: the subject and actor are the event's.</summary>
    public static StartWorkflow For(Guid instanceId, WorkflowEvent e) => new()
    {
        InstanceId = instanceId,
        Subject = new WorkflowSubject(e.SubjectType, e.SubjectId, e.LocationId),
        ActorId = e.ActorId,
        Event = e,
    };
}

/// <summary>Something that resumes a running instance. Each names the bookmark it consumes (but cancel).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(CompleteTask), "completeTask")]
[JsonDerivedType(typeof(FireTimer), "fireTimer")]
[JsonDerivedType(typeof(ActionCompleted), "actionCompleted")]
[JsonDerivedType(typeof(ActionFailed), "actionFailed")]
[JsonDerivedType(typeof(WebhookDelivered), "webhookDelivered")]
[JsonDerivedType(typeof(WebhookFailed), "webhookFailed")]
[JsonDerivedType(typeof(RetryIncident), "retryIncident")]
[JsonDerivedType(typeof(CancelInstance), "cancelInstance")]
public abstract record WorkflowInput;

/// <summary>
/// A person decides a task slot: an outcome the task offers, a comment (required for reject and return for changes)
/// and, when the task names a form, the response they filled (required unless returning for changes). Whether this
/// actor may decide this task (role, location, claim) is the caller's check; the engine only refuses the same actor
/// deciding twice in one quorum.
/// </summary>
public sealed record CompleteTask(string BookmarkId, string Outcome, string? Comment, string ActorId, string? FormResponseId = null) : WorkflowInput;

/// <summary>A timer, escalation or web hook back-off scheduled under this bookmark id is due.</summary>
public sealed record FireTimer(string BookmarkId) : WorkflowInput;

/// <summary>An action finished with one of its outcomes and, optionally, an output object.</summary>
public sealed record ActionCompleted(string BookmarkId, string Outcome, JsonElement? Output = null) : WorkflowInput;

/// <summary>An action could not be carried out: the instance waits on an incident at the node.</summary>
public sealed record ActionFailed(string BookmarkId, string Code, string Message) : WorkflowInput;

/// <summary>The endpoint answered 2xx; its body (JSON, when it sent JSON) goes to the node's output.</summary>
public sealed record WebhookDelivered(string BookmarkId, int StatusCode, JsonElement? Body = null) : WorkflowInput;

/// <summary>
/// A delivery attempt failed. Retryable failures (network, timeout, 5xx, 429) are tried again after the node's
/// back-off until its attempts run out; the others (4xx) and the last attempt become an incident.
/// </summary>
public sealed record WebhookFailed(string BookmarkId, string Error, bool Retryable) : WorkflowInput;

/// <summary>An admin retries what failed at an incident: the node (or the escalation) runs again.</summary>
public sealed record RetryIncident(string BookmarkId, string ActorId) : WorkflowInput;

/// <summary>An admin stops the instance: every open task and timer is cancelled.</summary>
public sealed record CancelInstance(string ActorId, string Reason) : WorkflowInput;
