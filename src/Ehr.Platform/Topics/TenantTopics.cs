using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Npgsql;
using NpgsqlTypes;

namespace Ehr.Platform.Topics;

/// <summary>The scope's tenant's side of the topics: publishing inside its transaction, subscribing on this host.</summary>
internal sealed class TenantTopics(TenantDbContext db, TenantContext tenants, TopicListener listener) : ITenantTopics
{
    public async Task PublishAsync(string topic, Guid id, CancellationToken ct)
    {
        if (!TopicNames.All.Contains(topic))
        {
            throw new ArgumentException($"Unknown topic '{topic}': add it to TopicNames.All.", nameof(topic));
        }

        _ = tenants.Required;
        var (connection, transaction) = db.RequireTransaction("Topic announcements");
        // current_user is the tenant role the session entered (TenantSession): the database, not the caller, names the
        // tenant, so an announcement can only ever reach the subscribers of the tenant whose transaction made it.
        await using var command = new NpgsqlCommand("SELECT pg_notify($1, current_user || ':' || $2::text)", connection, transaction);
        command.Parameters.AddWithValue(TopicNames.Channel(topic));
        command.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
        await command.ExecuteNonQueryAsync(ct);
    }

    public ITopicSubscription Subscribe(string topic) => listener.Add(topic, tenants.Required.SchemaName);
}
