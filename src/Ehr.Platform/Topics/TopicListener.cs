using System.Text.RegularExpressions;
using System.Threading.Channels;
using Ehr.Platform.Database;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ehr.Platform.Topics;

/// <summary>
/// This host's one listening connection: <c>LISTEN</c> on every topic's channel, <c>WaitAsync</c> for notifications,
/// and each one handed to the local subscribers of its topic in the tenant the notification names. The connection is
/// opened when the first subscriber arrives (hosts that serve no subscription never hold one) and reopened with
/// growing back-off (0.5 s doubling to 30 s) when it breaks; after a reconnection every subscriber is told to
/// re-read (<see cref="TopicSignalKind.Resynchronize"/>), since whatever was published meanwhile did not reach it.
/// </summary>
internal sealed partial class TopicListener(IOptions<DatabaseOptions> database, ILogger<TopicListener> log) : BackgroundService
{
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    /// <summary>How long a quiet connection waits before proving it is still alive with a round trip.</summary>
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Channel, string Role), List<LocalSubscription>> _subscribers = new();
    private readonly TaskCompletionSource _firstSubscriber = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes while the listening connection is up (a new task once it broke, until it is back).</summary>
    public Task Listening
    {
        get
        {
            lock (_gate)
            {
                return _listening.Task;
            }
        }
    }

    /// <summary>The listening connection's backend process (tests end it to prove the listener reconnects).</summary>
    internal int? BackendProcessId { get; private set; }

    /// <summary>Subscribers on this host (for tests and metrics).</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Values.Sum(l => l.Count);
            }
        }
    }

    public LocalSubscription Add(string topic, string tenantRole)
    {
        if (!TopicNames.All.Contains(topic))
        {
            throw new ArgumentException($"Unknown topic '{topic}': add it to TopicNames.All.", nameof(topic));
        }

        var subscription = new LocalSubscription(this, topic, tenantRole);
        lock (_gate)
        {
            var key = (TopicNames.Channel(topic), tenantRole);
            if (!_subscribers.TryGetValue(key, out var list))
            {
                _subscribers[key] = list = [];
            }

            list.Add(subscription);
        }

        _firstSubscriber.TrySetResult();
        return subscription;
    }

    internal void Remove(LocalSubscription subscription)
    {
        lock (_gate)
        {
            var key = (TopicNames.Channel(subscription.Topic), subscription.TenantRole);
            if (_subscribers.TryGetValue(key, out var list) && list.Remove(subscription) && list.Count == 0)
            {
                _subscribers.Remove(key);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await _firstSubscriber.Task.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var connectionString = new NpgsqlConnectionStringBuilder(database.Value.BuildConnectionString())
        {
            // Its own physical connection, outside the pool (which resets and recycles connections).
            Pooling = false,
            KeepAlive = 30,
            ApplicationName = "ehr-topics",
        }.ConnectionString;
        var backoff = MinBackoff;
        var failedBefore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => Dispatch(e.Channel, e.Payload);
                var listen = string.Join("; ", TopicNames.All.Select(t => $"LISTEN \"{TopicNames.Channel(t)}\""));
                await using (var command = new NpgsqlCommand(listen, connection))
                {
                    await command.ExecuteNonQueryAsync(stoppingToken);
                }

                BackendProcessId = connection.ProcessID;
                lock (_gate)
                {
                    _listening.TrySetResult();
                }

                if (failedBefore)
                {
                    log.LogInformation("Topic listener reconnected; subscribers re-read what they show");
                    ResynchronizeAll();
                }

                failedBefore = false;
                backoff = MinBackoff;
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(Heartbeat, stoppingToken))
                    {
                        await using var ping = new NpgsqlCommand("SELECT 1", connection);
                        await ping.ExecuteNonQueryAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    if (_listening.Task.IsCompleted)
                    {
                        _listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                if (!failedBefore)
                {
                    log.LogWarning(e, "Topic listener lost its database connection; retrying with back-off");
                }

                failedBefore = true;
                try
                {
                    await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250)), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    /// <summary>Payload <c>&lt;tenant role&gt;:&lt;uuid&gt;</c>; anything else is ignored.</summary>
    internal void Dispatch(string channel, string payload)
    {
        var match = PayloadPattern().Match(payload);
        if (!match.Success || !Guid.TryParse(match.Groups[2].ValueSpan, out var id))
        {
            log.LogWarning("Ignored a malformed notification on {Channel}", channel);
            return;
        }

        LocalSubscription[] targets;
        lock (_gate)
        {
            if (!_subscribers.TryGetValue((channel, match.Groups[1].Value), out var list))
            {
                return;
            }

            targets = [.. list];
        }

        foreach (var target in targets)
        {
            target.Deliver(TopicSignal.Changed(id));
        }
    }

    private void ResynchronizeAll()
    {
        LocalSubscription[] all;
        lock (_gate)
        {
            all = [.. _subscribers.Values.SelectMany(l => l)];
        }

        foreach (var subscription in all)
        {
            subscription.Deliver(TopicSignal.Resynchronize);
        }
    }

    [GeneratedRegex("^(t_[a-z0-9_]{1,62}):([0-9a-f-]{36})$")]
    private static partial Regex PayloadPattern();
}

/// <summary>
/// One subscriber's queue. Bounded: a subscriber that falls more than <see cref="Capacity"/> signals behind loses them
/// and is told to re-read instead, so a slow client cannot make the host hold unbounded memory.
/// </summary>
internal sealed class LocalSubscription(TopicListener listener, string topic, string tenantRole) : ITopicSubscription
{
    public const int Capacity = 1024;

    private readonly Channel<TopicSignal> _queue = Channel.CreateBounded<TopicSignal>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private int _overflowed;

    public string Topic { get; } = topic;

    public string TenantRole { get; } = tenantRole;

    public Task ListeningAsync(CancellationToken ct) => listener.Listening.WaitAsync(ct);

    internal void Deliver(TopicSignal signal)
    {
        if (!_queue.Writer.TryWrite(signal))
        {
            Interlocked.Exchange(ref _overflowed, 1);
        }
    }

    public async IAsyncEnumerator<TopicSignal> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (await _queue.Reader.WaitToReadAsync(cancellationToken))
        {
            if (Interlocked.Exchange(ref _overflowed, 0) == 1)
            {
                while (_queue.Reader.TryRead(out _))
                {
                }

                yield return TopicSignal.Resynchronize;
                continue;
            }

            while (_queue.Reader.TryRead(out var signal))
            {
                yield return signal;
            }
        }
    }

    public void Dispose()
    {
        listener.Remove(this);
        _queue.Writer.TryComplete();
    }
}
