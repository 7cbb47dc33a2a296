using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Ehr.Platform.Topics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.IntegrationTests.Topics;

/// <summary>The platform's tenant topics (LISTEN/NOTIFY) used directly, as a module's use case and a resolver would.</summary>
public sealed class TenantTopicsShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private Tenant _other = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("topics");
        _other = await _host.CreateTenantAsync("topics-other");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task AnnounceAChangeOnlyWhenItsTransactionCommits()
    {
        using var subscription = await SubscribeAsync(_tenant, TopicNames.WorkflowTask);
        var rolledBack = Guid.NewGuid();
        var committed = Guid.NewGuid();

        await PublishAsync(_tenant, TopicNames.WorkflowTask, rolledBack, commit: false);
        await PublishAsync(_tenant, TopicNames.WorkflowTask, committed, commit: true);
        var first = await NextAsync(subscription);

        Assert.Equal(TopicSignal.Changed(committed), first);
    }

    [Fact]
    public async Task SignalOnlyTheSubscribersOfThePublishingTenant()
    {
        using var ours = await SubscribeAsync(_tenant, TopicNames.WorkflowTask);
        using var theirs = await SubscribeAsync(_other, TopicNames.WorkflowTask);
        var forThem = Guid.NewGuid();
        var forUs = Guid.NewGuid();

        await PublishAsync(_other, TopicNames.WorkflowTask, forThem, commit: true);
        await PublishAsync(_tenant, TopicNames.WorkflowTask, forUs, commit: true);

        Assert.Equal(TopicSignal.Changed(forUs), await NextAsync(ours));
        Assert.Equal(TopicSignal.Changed(forThem), await NextAsync(theirs));
    }

    [Fact]
    public async Task RefuseATopicNobodyListensTo()
    {
        await using var scope = TenantScope(_tenant);
        var topics = scope.ServiceProvider.GetRequiredService<ITenantTopics>();

        Assert.Throws<ArgumentException>(() => topics.Subscribe("no.such-topic"));
        await Assert.ThrowsAsync<ArgumentException>(() => topics.PublishAsync("no.such-topic", Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task RefuseToPublishOutsideATransaction()
    {
        await using var scope = TenantScope(_tenant);

        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            scope.ServiceProvider.GetRequiredService<ITenantTopics>().PublishAsync(TopicNames.WorkflowTask, Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task ReconnectAndAskSubscribersToReReadAfterLosingTheDatabase()
    {
        await using var host = await TestHost.StartAsync();
        await using var scope = TenantScope(_tenant, host);
        using var subscription = scope.ServiceProvider.GetRequiredService<ITenantTopics>().Subscribe(TopicNames.WorkflowTask);
        await subscription.ListeningAsync(CancellationToken.None);
        var listener = host.Services.GetRequiredService<TopicListener>();
        var backend = listener.BackendProcessId!.Value;

        await using (var sql = await _host.OpenSqlAsync())
        await using (var kill = new NpgsqlCommand("SELECT pg_terminate_backend($1)", sql))
        {
            kill.Parameters.AddWithValue(backend);
            await kill.ExecuteNonQueryAsync();
        }

        var signal = await NextAsync(subscription);
        var after = Guid.NewGuid();
        await PublishAsync(_tenant, TopicNames.WorkflowTask, after, commit: true, host);

        Assert.Equal(TopicSignal.Resynchronize, signal);
        Assert.NotEqual(backend, listener.BackendProcessId);
        Assert.Equal(TopicSignal.Changed(after), await NextAsync(subscription));
    }

    private AsyncServiceScope TenantScope(Tenant tenant, TestHost? host = null)
    {
        var scope = (host ?? _host).Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        return scope;
    }

    private async Task<ITopicSubscription> SubscribeAsync(Tenant tenant, string topic)
    {
        await using var scope = TenantScope(tenant);
        var subscription = scope.ServiceProvider.GetRequiredService<ITenantTopics>().Subscribe(topic);
        await subscription.ListeningAsync(CancellationToken.None);
        return subscription;
    }

    private async Task PublishAsync(Tenant tenant, string topic, Guid id, bool commit, TestHost? host = null)
    {
        await using var scope = TenantScope(tenant, host);
        var db = scope.ServiceProvider.GetRequiredService<TenantDbContext>();
        await using var tx = await db.Database.BeginTransactionAsync();
        await scope.ServiceProvider.GetRequiredService<ITenantTopics>().PublishAsync(topic, id, CancellationToken.None);
        if (commit)
        {
            await tx.CommitAsync();
        }
        else
        {
            await tx.RollbackAsync();
        }
    }

    private static async Task<TopicSignal> NextAsync(ITopicSubscription subscription)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var signals = subscription.GetAsyncEnumerator(guard.Token);
        return await signals.MoveNextAsync() ? signals.Current : throw new InvalidOperationException("The subscription ended.");
    }
}
