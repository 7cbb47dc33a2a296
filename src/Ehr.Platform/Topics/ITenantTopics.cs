using System.Text.RegularExpressions;

namespace Ehr.Platform.Topics;

/// <summary>
/// Tenant-scoped publish/subscribe across every host of a deployment (PostgreSQL LISTEN/NOTIFY). A module announces
/// that a record changed; subscribers in the same tenant, on any host, are told its id and re-read it through their
/// use cases (permissions, audit). Nothing but the tenant and the id travels: never health information.
/// </summary>
public interface ITenantTopics
{
    /// <summary>
    /// Announces that record <paramref name="id"/> of <paramref name="topic"/> changed in the scope's tenant. Joins the
    /// caller's transaction (<c>pg_notify</c>), which PostgreSQL delivers at commit: a change that rolls back is never
    /// announced, and subscribers that re-read at once find it committed.
    /// </summary>
    Task PublishAsync(string topic, Guid id, CancellationToken ct);

    /// <summary>
    /// Signals of <paramref name="topic"/> in the scope's tenant, from every host, until the subscription is disposed.
    /// </summary>
    ITopicSubscription Subscribe(string topic);
}

/// <summary>What a subscriber is told.</summary>
public enum TopicSignalKind
{
    /// <summary>The record <see cref="TopicSignal.Id"/> changed (created, updated, completed ...): re-read it.</summary>
    Changed,

    /// <summary>
    /// Signals may have been lost (this host's listener reconnected after losing the database, or the subscriber fell
    /// too far behind): re-read whatever the subscriber shows instead of relying on the signals in between.
    /// </summary>
    Resynchronize,
}

/// <summary>One signal: a changed record's id, or a request to re-read (<see cref="TopicSignalKind.Resynchronize"/>).</summary>
public readonly record struct TopicSignal(TopicSignalKind Kind, Guid Id)
{
    public static TopicSignal Changed(Guid id) => new(TopicSignalKind.Changed, id);

    public static readonly TopicSignal Resynchronize = new(TopicSignalKind.Resynchronize, Guid.Empty);
}

/// <summary>A live subscription: read its signals in order; dispose it to stop.</summary>
public interface ITopicSubscription : IAsyncEnumerable<TopicSignal>, IDisposable
{
    string Topic { get; }

    /// <summary>
    /// Completes once this host listens for the topic (at once, but for the first moments after start-up or while the
    /// database is unreachable): from then on, every commit that publishes on the topic reaches this subscription.
    /// </summary>
    Task ListeningAsync(CancellationToken ct);
}

/// <summary>The topics of the deployment. A topic is listened to on every host, so new ones are added here.</summary>
public static partial class TopicNames
{
    /// <summary>A notification was added (payload: the notification's id). Published by <c>Notifier</c>.</summary>
    public const string Notification = "notification";

    /// <summary>A workflow task was created or changed (assigned, completed, escalated ...); payload: the task's id.</summary>
    public const string WorkflowTask = "workflow.task";

    public static IReadOnlyList<string> All { get; } = [Notification, WorkflowTask];

    /// <summary>The PostgreSQL channel of a topic (one per topic family, on every host's listening connection).</summary>
    public static string Channel(string topic) => "ehr:" + topic;

    internal static bool IsWellFormed(string topic) => topic.Length <= 50 && Pattern().IsMatch(topic);

    [GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*$")]
    private static partial Regex Pattern();
}
