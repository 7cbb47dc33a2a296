using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// What a step asks the world to do. The store commits a step's state, its effects (as outbox rows) and its history
/// in one transaction, then carries the effects out; each carries a deterministic id (a bookmark id, or
/// <see cref="SendNotification.NotificationId"/>) so carrying one out twice can be recognised and skipped.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(CreateTask), "createTask")]
[JsonDerivedType(typeof(ReassignTask), "reassignTask")]
[JsonDerivedType(typeof(CancelTask), "cancelTask")]
[JsonDerivedType(typeof(ScheduleTimer), "scheduleTimer")]
[JsonDerivedType(typeof(CancelTimer), "cancelTimer")]
[JsonDerivedType(typeof(InvokeAction), "invokeAction")]
[JsonDerivedType(typeof(SendNotification), "sendNotification")]
[JsonDerivedType(typeof(CallWebhook), "callWebhook")]
[JsonDerivedType(typeof(CompleteInstance), "completeInstance")]
[JsonDerivedType(typeof(RaiseIncident), "raiseIncident")]
[JsonDerivedType(typeof(ResolveIncident), "resolveIncident")]
public abstract record WorkflowEffect;

/// <summary>Put a task in an inbox: one per approver slot, each under its own bookmark id.</summary>
public sealed record CreateTask(
    string BookmarkId,
    string NodeId,
    string Title,
    string? Instructions,
    string Priority,
    TaskAssignee Assignee,
    IReadOnlyList<string> Outcomes,
    string? FormKey,
    DateTimeOffset? DueAt,
    int Slot,
    int Slots) : WorkflowEffect;

/// <summary>An escalation moved an open task to someone else.</summary>
public sealed record ReassignTask(string BookmarkId, TaskAssignee Assignee, string Reason) : WorkflowEffect;

/// <summary>Take an open task out of its inbox (decided by others, escalated, its branch lost a join, or cancelled).</summary>
public sealed record CancelTask(string BookmarkId, string Reason) : WorkflowEffect;

/// <summary>Schedule a durable timer under the bookmark's id; when due, send <see cref="FireTimer"/> with that id.</summary>
public sealed record ScheduleTimer(string BookmarkId, DateTimeOffset DueAt, BookmarkKind Purpose) : WorkflowEffect;

/// <summary>The timer is no longer wanted (firing it anyway is a harmless no-op).</summary>
public sealed record CancelTimer(string BookmarkId) : WorkflowEffect;

/// <summary>
/// Call a module's action; answer with <see cref="ActionCompleted"/> or <see cref="ActionFailed"/> naming the
/// bookmark. The bookmark id is the idempotency key the module sees.
/// </summary>
public sealed record InvokeAction(string BookmarkId, string NodeId, string Action, JsonElement Inputs) : WorkflowEffect;

public sealed record NotificationRecipient(string? Role, string? UserId, Guid? LocationId, string? PatientId);

public sealed record SendNotification(
    string NotificationId,
    string NodeId,
    IReadOnlyList<NotificationRecipient> Recipients,
    string Template,
    JsonElement Data,
    string Channel) : WorkflowEffect;

/// <summary>
/// Deliver a web hook: POST <see cref="Body"/> (exactly these bytes, UTF-8) to the tenant's endpoint, signed as
/// <see cref="WebhookSignature"/> describes, with <see cref="DeliveryId"/> so the receiver can drop a repeat; answer
/// with <see cref="WebhookDelivered"/> or <see cref="WebhookFailed"/>.
/// </summary>
public sealed record CallWebhook(
    string BookmarkId,
    string NodeId,
    string Endpoint,
    string Event,
    string Body,
    int Attempt,
    int MaxAttempts,
    TimeSpan Timeout,
    string DeliveryId) : WorkflowEffect;

public sealed record CompleteInstance(InstanceStatus Status, string? Outcome) : WorkflowEffect;

/// <summary>Something failed at a node; the instance (that path) waits for an admin to retry or cancel.</summary>
public sealed record RaiseIncident(string BookmarkId, string NodeId, string Code, string Message) : WorkflowEffect;

public sealed record ResolveIncident(string BookmarkId, string Resolution) : WorkflowEffect;
