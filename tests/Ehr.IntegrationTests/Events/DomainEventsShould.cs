using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.IntegrationTests.Events;

/// <summary>
/// The transactional outbox: events exist exactly when the change that raised them committed, are append-only, and
/// are read in an order that never skips an event whose transaction committed late.
/// </summary>
public sealed class DomainEventsShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("events");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task RaiseAnEventWithEveryChangeThatCommitted()
    {
        using var doctor = _host.Client(_host.Token(_tenant.Slug, "dr.events", "physician"));
        var id = (await doctor.RegisterAsync(PatientGraph.Input("Event", "Raised")))["id"]!.GetValue<string>();
        var refused = await doctor.GraphQLAsync(PatientGraph.Register, new { input = PatientGraph.Input("", "Refused") });
        Assert.Equal("VALIDATION_FAILED", refused.Code);

        var events = await EventuallyAsync(all => all.Any(e => e.SubjectId == id));
        var registered = Assert.Single(events, e => e.SubjectId == id);
        Assert.Equal(("patient.registered", "Patient", "dr.events"), (registered.Type, registered.SubjectType, registered.ActorId));
        // The refused registration raised nothing (the starter pack's patients were registered by provisioning).
        Assert.Single(events, e => e.ActorId == "dr.events");
    }

    [Fact]
    public async Task RaiseNothingWhenTheChangeRollsBack()
    {
        var subject = Guid.NewGuid().ToString();
        await Assert.ThrowsAsync<InvalidOperationException>(() => InTenantAsync(async (db, events) =>
            await db.InTransactionAsync<int>(async ct =>
            {
                await events.RaiseAsync(new DomainEvent("test.happened", "Test", subject), ct);
                throw new InvalidOperationException("the change failed");
            }, CancellationToken.None)));
        await InTenantAsync(async (db, events) => await db.InTransactionAsync(async ct =>
        {
            await events.RaiseAsync(new DomainEvent("test.marker", "Test", "marker-" + subject), ct);
            return 0;
        }, CancellationToken.None));

        var all = await EventuallyAsync(e => e.Any(x => x.SubjectId == "marker-" + subject));
        Assert.DoesNotContain(all, e => e.SubjectId == subject);
        // Outside a transaction there is no change for an event to belong to.
        await Assert.ThrowsAsync<InvalidOperationException>(() => InTenantAsync(async (_, events) =>
        {
            await events.RaiseAsync(new DomainEvent("test.outside", "Test", subject), CancellationToken.None);
            return 0;
        }));
    }

    [Fact]
    public async Task NeverSkipAnEventWhoseTransactionCommitsLate()
    {
        // A transaction starts first, raises an event and stays open ...
        await using var slow = await _host.OpenSqlAsync();
        await Exec(slow, $"SET ROLE {_tenant.SchemaName}; SET search_path = {_tenant.SchemaName}");
        await using var slowTx = await slow.BeginTransactionAsync();
        await Exec(slow, "INSERT INTO domain_events (id, type, subject_type, subject_id, payload, actor_id, occurred_at) " +
                         "VALUES (gen_random_uuid(), 'test.slow', 'Test', 'slow', '{}', 'test', now())");

        // ... while a later one raises and commits.
        await InTenantAsync(async (db, events) => await db.InTransactionAsync(async ct =>
        {
            await events.RaiseAsync(new DomainEvent("test.fast", "Test", "fast"), ct);
            return 0;
        }, CancellationToken.None));

        Assert.DoesNotContain(await ReadAsync(), e => e.SubjectId is "fast" or "slow");

        await slowTx.CommitAsync();
        var all = await EventuallyAsync(e => e.Any(x => x.SubjectId == "fast"));
        Assert.Equal(["slow", "fast"], all.Where(e => e.SubjectId is "fast" or "slow").Select(e => e.SubjectId));
        Assert.Equal(all.OrderBy(e => e.TxId).ThenBy(e => e.Seq).Select(e => e.Id), all.Select(e => e.Id));

        // Appending is all the tenant role may do.
        var refused = await Assert.ThrowsAsync<PostgresException>(() => Exec(slow, "DELETE FROM domain_events"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    private async Task<IReadOnlyList<StoredEvent>> EventuallyAsync(Func<IReadOnlyList<StoredEvent>, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var events = await ReadAsync();
            if (ready(events))
            {
                return events;
            }

            Assert.True(DateTime.UtcNow < deadline, "the events did not become readable");
            await Task.Delay(100);
        }
    }

    private Task<IReadOnlyList<StoredEvent>> ReadAsync() =>
        InTenantAsync((_, events) => events.ReadAsync(EventPosition.Start, 1000, CancellationToken.None));

    private async Task<T> InTenantAsync<T>(Func<TenantDbContext, DomainEvents, Task<T>> work)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(_tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(Actor.System("events test", _tenant.Slug));
        return await work(scope.ServiceProvider.GetRequiredService<TenantDbContext>(), scope.ServiceProvider.GetRequiredService<DomainEvents>());
    }

    private static async Task Exec(NpgsqlConnection sql, string statement)
    {
        await using var cmd = new NpgsqlCommand(statement, sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
