using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Database;
using Ehr.Platform.Schema;
using Ehr.Platform.Tenancy;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ehr.IntegrationTests.Operations;

/// <summary>
/// The job store (Hangfire's tables) is installed by the platform migration, one host at a time: hosts migrating
/// together on a database where it does not exist yet all succeed, it is installed once, and jobs can be enqueued.
/// (Each host's own job storage no longer installs it: hosts started together raced to create the schema.)
/// </summary>
public sealed class JobStoreShould : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task BeInstalledOnceWhenHostsMigrateTogetherOnADatabaseWithoutIt()
    {
        // A job-store schema of its own stands for a new database (the cluster's own store is long installed). Built here,
        // not through a host: Hangfire's configuration is process-wide, and the other tests' hosts use it.
        var schema = "jobs_" + Guid.NewGuid().ToString("N")[..10];
        var configured = _host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var options = new DatabaseOptions { Url = configured.Url, OwnerRole = configured.OwnerRole, JobsSchema = schema };
        var migrators = Enumerable.Range(0, 4).Select(_ => new SchemaMigrator(
            _host.Services.GetRequiredService<NpgsqlDataSource>(), _host.Services.GetRequiredService<TenantCatalog>(),
            _host.Services.GetServices<ITenantSchemaContributor>(), Options.Create(options),
            _host.Services.GetRequiredService<ILogger<SchemaMigrator>>())).ToList();
        try
        {
            await Task.WhenAll(migrators.Select(m => Task.Run(() => m.MigratePlatformAsync())));

            var storageOptions = new PostgreSqlStorageOptions { SchemaName = schema, PrepareSchemaIfNecessary = false };
            var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(options.BuildConnectionString(), storageOptions), storageOptions);
            var jobs = new BackgroundJobClient(storage);
            Assert.False(string.IsNullOrEmpty(jobs.Enqueue(() => Console.WriteLine("job store check"))));

            await using var sql = await _host.OpenSqlAsync();
            await using var count = new NpgsqlCommand($"SELECT (SELECT count(*) FROM {schema}.job), (SELECT count(*) FROM {schema}.schema)", sql);
            await using var reader = await count.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            Assert.Equal(1L, reader.GetInt64(0));
            Assert.Equal(1L, reader.GetInt64(1));
        }
        finally
        {
            await using var sql = await _host.OpenSqlAsync();
            await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", sql);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
