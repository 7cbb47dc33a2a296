using System.Collections.Immutable;
using System.Text.Json;

namespace Ehr.Workflow.Runtime;

public enum InstanceStatus
{
    /// <summary>Waiting for something (a person, a timer, a module, an admin); every token holds an open bookmark.</summary>
    Running,

    /// <summary>Reached an end node.</summary>
    Completed,

    /// <summary>Stopped by an admin, or its start filter turned out false on retry.</summary>
    Cancelled,
}

/// <summary>What an instance is about: the record that started it and, when known, the location it belongs to.</summary>
public sealed record WorkflowSubject(string Type, string Id, Guid? LocationId = null);

/// <summary>
/// A running workflow between two steps: everything the next step needs, nothing more. It is immutable, serializes
/// to JSON (<see cref="InstanceStateJson"/>) and stays small whatever the instance has been through: the timeline is
/// not kept here but handed out by each step (<see cref="StepResult.History"/>) for the store to append.
/// </summary>
public sealed record InstanceState
{
    public required Guid InstanceId { get; init; }

    /// <summary>The definition version the instance runs; it changes only by an explicit migration.</summary>
    public required Guid DefinitionVersionId { get; init; }

    public InstanceStatus Status { get; init; }

    /// <summary>The label of the end node it finished at (approved, rejected ...), or why it was cancelled.</summary>
    public string? Outcome { get; init; }

    public required WorkflowSubject Subject { get; init; }

    /// <summary>The event that started it (<c>type</c>, <c>subjectType</c>, <c>subjectId</c>, <c>payload</c> ...), scripts' <c>event</c>.</summary>
    public JsonElement? Event { get; init; }

    public ImmutableSortedDictionary<string, JsonElement> Variables { get; init; } = ImmutableSortedDictionary.Create<string, JsonElement>(StringComparer.Ordinal);

    /// <summary>Where the instance is: one token per parallel path, each parked at a node.</summary>
    public ImmutableList<Token> Tokens { get; init; } = [];

    /// <summary>Joins some but not all of whose branches have arrived.</summary>
    public ImmutableList<JoinState> Joins { get; init; } = [];

    /// <summary>The last number handed out for a token, bookmark, split or notification id (ids are never reused).</summary>
    public long Sequence { get; init; }

    /// <summary>How many inputs changed this instance; the next history entries are numbered after it.</summary>
    public int Steps { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Every open bookmark, with the token that holds it: what the store indexes (timers, tasks, results awaited).</summary>
    public IEnumerable<(Token Token, Bookmark Bookmark)> OpenBookmarks => Tokens.SelectMany(t => t.Bookmarks.Select(b => (t, b)));

    public (Token Token, Bookmark Bookmark)? FindBookmark(string bookmarkId)
    {
        foreach (var token in Tokens)
        {
            foreach (var bookmark in token.Bookmarks)
            {
                if (bookmark.Id == bookmarkId) return (token, bookmark);
            }
        }

        return null;
    }
}

/// <summary>
/// One path through the graph, parked at <see cref="NodeId"/> on its open <see cref="Bookmarks"/>. A token inside
/// parallel branches carries one <see cref="ForkFrame"/> per split it passed and has not yet been joined.
/// </summary>
public sealed record Token
{
    public required string Id { get; init; }

    public required string NodeId { get; init; }

    public ImmutableList<ForkFrame> Forks { get; init; } = [];

    public ImmutableList<Bookmark> Bookmarks { get; init; } = [];

    /// <summary>The open human task at this node, when the token waits on one.</summary>
    public TaskState? Task { get; init; }

    /// <summary>The last human task decided on this path (scripts' <c>task</c>).</summary>
    public JsonElement? LastTask { get; init; }
}

/// <summary>A split this token passed: which activation of it, which branch, out of how many.</summary>
public sealed record ForkFrame(string SplitNodeId, string ActivationId, int Branch, int Branches);

public enum BookmarkKind
{
    /// <summary>One approver's slot of a human task; resumed by <see cref="CompleteTask"/>.</summary>
    Task,

    /// <summary>The next escalation of a human task; resumed by <see cref="FireTimer"/>.</summary>
    Escalation,

    /// <summary>A timer node; resumed by <see cref="FireTimer"/>.</summary>
    Timer,

    /// <summary>An action's result; resumed by <see cref="ActionCompleted"/> or <see cref="ActionFailed"/>.</summary>
    Action,

    /// <summary>A web hook delivery attempt's result; resumed by <see cref="WebhookDelivered"/> or <see cref="WebhookFailed"/>.</summary>
    Webhook,

    /// <summary>The back-off before the next web hook attempt; resumed by <see cref="FireTimer"/>.</summary>
    WebhookRetry,

    /// <summary>A failure an admin must look at; resumed by <see cref="RetryIncident"/>.</summary>
    Incident,
}

/// <summary>
/// Something a token waits for, under an id unique within the instance (<c>b7</c>). An id is used once: when the
/// bookmark is consumed or cancelled, a later input naming it is a no-op that says so. Timers are scheduled under
/// the bookmark's id, so a timer that fires after its bookmark was consumed changes nothing.
/// </summary>
public sealed record Bookmark
{
    public required string Id { get; init; }

    public required BookmarkKind Kind { get; init; }

    public required string NodeId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a timer, escalation or retry fires; when a task is due.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>Escalation: which one (index into the task's escalations). Incident: the escalation that failed, if one did.</summary>
    public int? Escalation { get; init; }

    /// <summary>Web hook: the attempt (1, 2 ...).</summary>
    public int? Attempt { get; init; }

    /// <summary>Task: which approver's slot (0-based) of <see cref="TaskState.Slots"/>.</summary>
    public int? Slot { get; init; }

    /// <summary>Web hook and its back-off: the delivery, the same for every attempt.</summary>
    public WebhookDelivery? Delivery { get; init; }

    /// <summary>Incident: its code (<c>SCRIPT_ERROR</c>, <c>ACTION_FAILED</c> ...) and message.</summary>
    public string? Code { get; init; }

    public string? Message { get; init; }
}

/// <summary>
/// One web hook delivery: its id (the receiver's key to drop repeats) and the exact body, kept so that every attempt
/// sends the same bytes under the same id.
/// </summary>
public sealed record WebhookDelivery(string DeliveryId, string Body);

/// <summary>An open human task: who it is for, how many must approve, and the decisions so far.</summary>
public sealed record TaskState
{
    public required TaskAssignee Assignee { get; init; }

    public int Slots { get; init; } = 1;

    public int Required { get; init; } = 1;

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DueAt { get; init; }

    public ImmutableList<TaskVote> Votes { get; init; } = [];
}

public sealed record TaskVote(string BookmarkId, string ActorId, string Outcome, string? Comment, DateTimeOffset At, string? FormResponseId);

/// <summary>Who a task is for: a role (at a location, or anywhere in the tenant) or one user.</summary>
public sealed record TaskAssignee(string? Role, string? UserId, Guid? LocationId)
{
    public override string ToString() =>
        UserId is not null ? $"user {UserId}" : LocationId is { } l ? $"role {Role} at location {l}" : $"role {Role}";
}

/// <summary>A join waiting for branches of one activation of its split.</summary>
public sealed record JoinState
{
    public required string JoinNodeId { get; init; }

    public required string ActivationId { get; init; }

    /// <summary>The frames below the split's own: the forks the continuing token carries on with.</summary>
    public ImmutableList<ForkFrame> Outer { get; init; } = [];

    public ImmutableSortedSet<int> Arrived { get; init; } = [];

    public JsonElement? LastTask { get; init; }
}
