using System.Runtime.CompilerServices;
using Ehr.GraphQL.Transport;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Notifications;
using Ehr.Platform.Topics;
using Ehr.Workflow.Tasks;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// Subscriptions, served over WebSocket (graphql-transport-ws) only. Each field starts through its use case (which
/// demands the permission, so a caller without it gets an <c>error</c> at once), listens to a tenant topic, and reads
/// every announced record again through the use case in a fresh scope with the caller's access checked anew (a
/// revoked caller's socket is closed with 4403; a caller who lost the permission gets <c>error</c> FORBIDDEN).
/// </summary>
internal sealed class SubscriptionType : ObjectGraphType
{
    /// <summary>How long a new subscription waits for this host's topic listener to be connected (start-up).</summary>
    internal static readonly TimeSpan ListenerWait = TimeSpan.FromSeconds(5);

    public SubscriptionType()
    {
        Name = "Subscription";
        Field<NonNullGraphType<NotificationType>>("notificationAdded")
            .Description("Each notification for the tenant's auditors as it is added (break-the-glass alerts), from every host.")
            .RequiresPermission(Permissions.AuditRead)
            .ResolveStreamAsync(async c =>
            {
                var scopes = Scopes(c);
                var subscription = c.RequestServices!.GetRequiredService<FollowNotifications>().Start();
                await WaitForListenerAsync(subscription, c.CancellationToken);
                var clock = c.RequestServices!.GetRequiredService<TimeProvider>();
                return new AsyncEnumerableObservable<Notification>(subscription,
                    ct => NotificationsAsync(subscription, scopes, clock.GetUtcNow(), ct));
            })
            .Resolve(c => c.Source);

        Field<NonNullGraphType<WorkflowTaskChangedType>>("workflowTaskChanged")
            .Description("Each change of a task in your inbox (created, claimed, released, delegated, reassigned, completed, cancelled; every task with workflow.manage), from every host. task is null when a task you were shown is no longer yours to see.")
            .RequiresPermission(Permissions.WorkflowTask)
            .ResolveStreamAsync(async c =>
            {
                var scopes = Scopes(c);
                var subscription = c.RequestServices!.GetRequiredService<FollowWorkflowTasks>().Start();
                await WaitForListenerAsync(subscription, c.CancellationToken);
                var since = c.RequestServices!.GetRequiredService<TimeProvider>().GetUtcNow();
                return new AsyncEnumerableObservable<WorkflowTaskUpdate>(subscription,
                    ct => FollowWorkflowTasks.StreamAsync(subscription, async (read, token) =>
                    {
                        await using var scope = await scopes.OpenAsync(token);
                        return await read(scope.Services);
                    }, since, null, ct));
            })
            .Resolve(c => c.Source);
    }

    private static IOperationScopes Scopes(IResolveFieldContext context) =>
        (context.UserContext as EhrUserContext)?.Scopes
        ?? throw new EhrException("BAD_REQUEST", "Subscriptions are served over WebSocket (graphql-transport-ws) at this path.", 400);

    private static async Task WaitForListenerAsync(ITopicSubscription subscription, CancellationToken ct)
    {
        try
        {
            await subscription.ListeningAsync(ct).WaitAsync(ListenerWait, ct);
        }
        catch (TimeoutException)
        {
            // The database is not reachable yet: the subscription is told to re-read once the listener connects.
        }
    }

    /// <summary>
    /// Each announced notification, read again in a fresh scope. After a re-read signal (signals lost while this host's
    /// listener reconnected) the notifications added since the last one delivered are read instead, skipping those
    /// already delivered.
    /// </summary>
    private static async IAsyncEnumerable<Notification> NotificationsAsync(ITopicSubscription subscription, IOperationScopes scopes,
        DateTimeOffset since, [EnumeratorCancellation] CancellationToken ct)
    {
        var delivered = new HashSet<Guid>();
        var order = new Queue<Guid>();
        // Commits are not in created_at order: a later re-read looks a little further back.
        var watermark = since - TimeSpan.FromSeconds(5);
        await foreach (var signal in subscription.WithCancellation(ct))
        {
            IReadOnlyList<Notification> found;
            await using (var scope = await scopes.OpenAsync(ct))
            {
                var feed = scope.Services.GetRequiredService<FollowNotifications>();
                found = signal.Kind == TopicSignalKind.Changed
                    ? await feed.ReadAsync(signal.Id, ct) is { } one ? [one] : []
                    : await feed.SinceAsync(watermark, ct);
            }

            foreach (var notification in found)
            {
                if (!delivered.Add(notification.Id))
                {
                    continue;
                }

                order.Enqueue(notification.Id);
                if (order.Count > 1000)
                {
                    delivered.Remove(order.Dequeue());
                }

                if (notification.CreatedAt - TimeSpan.FromSeconds(5) > watermark)
                {
                    watermark = notification.CreatedAt - TimeSpan.FromSeconds(5);
                }

                yield return notification;
            }
        }
    }
}

internal sealed class WorkflowTaskChangedType : ObjectGraphType<WorkflowTaskUpdate>
{
    public WorkflowTaskChangedType()
    {
        Name = "WorkflowTaskChanged";
        this.ProjectsParent();
        Description = "A task changed: as you may see it now, or task null when a task you were shown left your inbox.";
        Field<NonNullGraphType<IdGraphType>>("taskId").Resolve(c => c.Source.TaskId);
        Field<WorkflowTaskType>("task").Resolve(c => c.Source.Task);
    }
}

/// <summary>
/// An async stream as the observable graphql-dotnet subscribes to: read on its own task from the first subscription,
/// stopped (and <paramref name="owned"/> disposed) when unsubscribed. One subscriber: the transport's operation.
/// </summary>
internal sealed class AsyncEnumerableObservable<T>(IDisposable owned, Func<CancellationToken, IAsyncEnumerable<T>> source) : IObservable<T>
{
    private int _subscribed;

    public IDisposable Subscribe(IObserver<T> observer)
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 1)
        {
            throw new InvalidOperationException("This stream has one subscriber.");
        }

        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source(stop.Token).WithCancellation(stop.Token))
                {
                    observer.OnNext(item);
                }

                observer.OnCompleted();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Unsubscribed.
            }
            catch (Exception e)
            {
                observer.OnError(e);
            }
            finally
            {
                owned.Dispose();
            }
        });
        return new Unsubscriber(stop, owned);
    }

    private sealed class Unsubscriber(CancellationTokenSource stop, IDisposable owned) : IDisposable
    {
        public void Dispose()
        {
            stop.Cancel();
            owned.Dispose();
        }
    }
}
