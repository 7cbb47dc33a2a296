using Ehr.Platform.Errors;

namespace Ehr.Workflow.Runtime;

public enum StepStatus
{
    /// <summary>The input was applied: store the new state, its effects and its history together.</summary>
    Applied,

    /// <summary>Nothing to do, and that is fine: the bookmark was already consumed, the instance is closed. Store nothing.</summary>
    NoOp,

    /// <summary>The input is wrong (an outcome the task does not offer, no comment ...): tell the caller; store nothing.</summary>
    Refused,

    /// <summary>A start whose trigger filter is false: no instance.</summary>
    NotStarted,
}

/// <summary>
/// What one step did: the next state, the effects to carry out and the timeline entries to append, or why nothing
/// changed (<see cref="Code"/>, one of <see cref="StepCodes"/>). For anything but <see cref="StepStatus.Applied"/>
/// the state is the one given (null for a start that did not happen) and there are no effects.
/// </summary>
public sealed record StepResult(
    StepStatus Status,
    InstanceState? State,
    IReadOnlyList<WorkflowEffect> Effects,
    IReadOnlyList<HistoryEntry> History,
    string? Code = null,
    string? Message = null,
    IReadOnlyList<FieldError>? Problems = null)
{
    internal static StepResult Unchanged(StepStatus status, InstanceState? state, string code, string message, IReadOnlyList<FieldError>? problems = null) =>
        new(status, state, [], [], code, message, problems);
}

/// <summary>
/// One line of an instance's timeline: who did what, when, where, and why. <see cref="Step"/> numbers the input that
/// caused it (1 for the start), <see cref="Index"/> orders the entries of one step.
/// </summary>
public sealed record HistoryEntry(
    int Step,
    int Index,
    DateTimeOffset At,
    string What,
    string? NodeId = null,
    string? BookmarkId = null,
    string? ActorId = null,
    string? Outcome = null,
    string? Comment = null,
    string? Detail = null);

/// <summary>The kinds of timeline entry (<see cref="HistoryEntry.What"/>). Never rename one: stored timelines use them.</summary>
public static class HistoryKinds
{
    public const string Started = "started";
    public const string NodePassed = "node.passed";
    public const string TaskCreated = "task.created";
    public const string TaskDecided = "task.decided";
    public const string TaskCompleted = "task.completed";
    public const string TaskReassigned = "task.reassigned";
    public const string TaskCancelled = "task.cancelled";
    public const string Escalated = "task.escalated";
    public const string TimerScheduled = "timer.scheduled";
    public const string TimerFired = "timer.fired";
    public const string ActionInvoked = "action.invoked";
    public const string ActionCompleted = "action.completed";
    public const string ActionFailed = "action.failed";
    public const string WebhookCalled = "webhook.called";
    public const string WebhookDelivered = "webhook.delivered";
    public const string WebhookFailed = "webhook.failed";
    public const string NotificationSent = "notification.sent";
    public const string VariablesSet = "variables.set";
    public const string Split = "split";
    public const string JoinArrived = "join.arrived";
    public const string JoinCompleted = "join.completed";
    public const string BranchCancelled = "branch.cancelled";
    public const string IncidentRaised = "incident.raised";
    public const string IncidentRetried = "incident.retried";
    public const string Completed = "completed";
    public const string Cancelled = "cancelled";
    public const string Migrated = "migrated";
}

/// <summary>Why a step changed nothing (<see cref="StepResult.Code"/>). Never rename one.</summary>
public static class StepCodes
{
    public const string BookmarkConsumed = "BOOKMARK_CONSUMED";
    public const string InstanceClosed = "INSTANCE_CLOSED";
    public const string BookmarkUnknown = "BOOKMARK_UNKNOWN";
    public const string BookmarkKindMismatch = "BOOKMARK_KIND_MISMATCH";
    public const string WrongVersion = "WRONG_VERSION";
    public const string TriggerMismatch = "TRIGGER_MISMATCH";
    public const string InputInvalid = "INPUT_INVALID";
    public const string FilterFalse = "FILTER_FALSE";
    public const string ActorRequired = "ACTOR_REQUIRED";
    public const string OutcomeNotAllowed = "OUTCOME_NOT_ALLOWED";
    public const string CommentRequired = "COMMENT_REQUIRED";
    public const string FormResponseRequired = "FORM_RESPONSE_REQUIRED";
    public const string ActorAlreadyDecided = "ACTOR_ALREADY_DECIDED";
    public const string OutputInvalid = "OUTPUT_INVALID";
    public const string MigrationRefused = "MIGRATION_REFUSED";
}

/// <summary>The codes of incidents (<see cref="RaiseIncident.Code"/>) besides the script failures (<see cref="Scripts.ScriptFailureCodes"/>).</summary>
public static class IncidentCodes
{
    public const string ActionFailed = "ACTION_FAILED";
    public const string WebhookFailed = "WEBHOOK_FAILED";
    public const string NoSubjectLocation = "NO_SUBJECT_LOCATION";
    public const string AssigneeInvalid = "ASSIGNEE_INVALID";
    public const string RecipientInvalid = "RECIPIENT_INVALID";
    public const string DecisionNotBoolean = "DECISION_NOT_BOOLEAN";
    public const string DateInvalid = "DATE_INVALID";
    public const string ValueType = "VALUE_TYPE";
    public const string JoinMismatch = "JOIN_MISMATCH";
    public const string StepLimit = "STEP_LIMIT";
}
