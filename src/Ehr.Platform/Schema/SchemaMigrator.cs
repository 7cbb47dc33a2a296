using System.Diagnostics;
using Ehr.Platform.Database;
using Ehr.Platform.Tenancy;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ehr.Platform.Schema;

/// <summary>
/// Brings the platform schema and every tenant schema to the current version. Each tenant migrates in its own
/// transaction under an advisory lock, so running it twice (or on two hosts) is harmless and a failing tenant rolls
/// back alone while the others carry on.
/// </summary>
public sealed class SchemaMigrator
{
    private const long PlatformLockKey = 0x6568725f706c6174; // "ehr_plat"
    private const long JobsLockKey = 0x6568725f6a6f6273; // "ehr_jobs"

    private readonly NpgsqlDataSource _dataSource;
    private readonly TenantCatalog _catalog;
    private readonly DatabaseOptions _options;
    private readonly ILogger<SchemaMigrator> _log;
    private readonly IReadOnlyList<SchemaMigration> _platform;

    public SchemaMigrator(NpgsqlDataSource dataSource, TenantCatalog catalog, IEnumerable<ITenantSchemaContributor> contributors,
        IOptions<DatabaseOptions> options, ILogger<SchemaMigrator> log)
    {
        _dataSource = dataSource;
        _catalog = catalog;
        _options = options.Value;
        _log = log;
        _platform = SchemaMigration.FromResources(typeof(SchemaMigrator).Assembly, "platform", "Schema/Platform");
        TenantMigrations = contributors.OrderBy(c => c.Order).SelectMany(c => c.Migrations).ToList();
        var duplicate = TenantMigrations.GroupBy(m => m.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Tenant migration '{duplicate.Key}' is declared twice.");
        }
    }

    public IReadOnlyList<SchemaMigration> TenantMigrations { get; }

    /// <summary>The schema version of a fully migrated tenant: the number of tenant migrations.</summary>
    public int LatestTenantVersion => TenantMigrations.Count;

    public int LatestPlatformVersion => _platform.Count;

    public async Task MigratePlatformAsync(CancellationToken ct = default)
    {
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await ExecAsync(conn, $"SELECT pg_advisory_xact_lock({PlatformLockKey})", ct);
        var appRole = await SessionUserAsync(conn, ct);
        await ExecAsync(conn,
            $"SET LOCAL ROLE {SqlIdentifier.Quote(_options.OwnerRole)}; " +
            "CREATE SCHEMA IF NOT EXISTS platform; " +
            "CREATE TABLE IF NOT EXISTS platform.schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now()); " +
            $"GRANT USAGE ON SCHEMA platform TO {SqlIdentifier.Quote(appRole)}; " +
            $"GRANT SELECT ON platform.schema_migrations TO {SqlIdentifier.Quote(appRole)};",
            ct);
        var applied = await AppliedAsync(conn, "platform.schema_migrations", ct);
        foreach (var migration in _platform.Where(m => !applied.Contains(m.Id)))
        {
            await ExecAsync(conn, Render(migration.Sql, appRole, tenantRole: null), ct);
            await RecordAsync(conn, "platform.schema_migrations", migration.Id, ct);
            _log.LogInformation("Platform migration {Migration} applied", migration.Id);
        }

        await tx.CommitAsync(ct);
        await InstallJobStoreAsync(ct);
    }

    /// <summary>
    /// The job store's tables, installed and upgraded here, one host at a time, rather than by each host's job storage
    /// as it starts: hosts started together on a new database raced to create the schema (a duplicate-schema error, then
    /// a half-run upgrade). Hangfire's installer runs its own transactions, so the lock is a session lock.
    /// </summary>
    private async Task InstallJobStoreAsync(CancellationToken ct)
    {
        await using var conn = await _dataSource.OpenConnectionAsync(ct);
        await ExecAsync(conn, $"SELECT pg_advisory_lock({JobsLockKey})", ct);
        try
        {
            PostgreSqlObjectsInstaller.Install(conn, _options.JobsSchema);
        }
        finally
        {
            await ExecAsync(conn, $"SELECT pg_advisory_unlock({JobsLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The platform's applied migration count, or -1 when the platform schema does not exist yet.</summary>
    public async Task<int> PlatformVersionAsync(CancellationToken ct = default)
    {
        await using var cmd = _dataSource.CreateCommand(
            "SELECT CASE WHEN to_regclass('platform.schema_migrations') IS NULL THEN -1 ELSE (SELECT count(*)::int FROM platform.schema_migrations) END");
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Applies the missing tenant migrations on <paramref name="conn"/>, inside the caller's transaction, and records
    /// the tenant's new schema version. Returns how many were applied.
    /// </summary>
    internal async Task<int> ApplyTenantAsync(NpgsqlConnection conn, Tenant tenant, CancellationToken ct)
    {
        var schema = SqlIdentifier.Quote(tenant.SchemaName);
        var appRole = await SessionUserAsync(conn, ct);
        await ExecAsync(conn,
            $"SELECT pg_advisory_xact_lock(hashtext('ehr.migrate.' || '{tenant.SchemaName}')); " +
            $"SET LOCAL ROLE {SqlIdentifier.Quote(_options.OwnerRole)}; SET LOCAL search_path = {schema}, ext; " +
            "CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());",
            ct);
        var applied = await AppliedAsync(conn, "schema_migrations", ct);
        var count = 0;
        foreach (var migration in TenantMigrations.Where(m => !applied.Contains(m.Id)))
        {
            await ExecAsync(conn, Render(migration.Sql, appRole, tenant.SchemaName), ct);
            await RecordAsync(conn, "schema_migrations", migration.Id, ct);
            count++;
        }

        await ExecAsync(conn, "RESET ROLE; SET LOCAL search_path TO DEFAULT;", ct);
        await using var update = new NpgsqlCommand(
            "UPDATE platform.tenants SET schema_version = $2, updated_at = now() WHERE id = $1", conn);
        update.Parameters.AddWithValue(tenant.Id);
        update.Parameters.AddWithValue(applied.Count + count);
        await update.ExecuteNonQueryAsync(ct);
        return count;
    }

    /// <summary>Migrates every tenant with bounded parallelism; reports each one, never stops at the first failure.</summary>
    public async Task<TenantMigrationReport> MigrateTenantsAsync(IReadOnlyList<Tenant>? only = null,
        IProgress<TenantMigrationResult>? progress = null, CancellationToken ct = default)
    {
        var tenants = only ?? await _catalog.ListAsync(ct);
        var results = new List<TenantMigrationResult>(tenants.Count);
        var gate = new object();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(tenants,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MigrationParallelism), CancellationToken = ct },
            async (tenant, token) =>
            {
                TenantMigrationResult result;
                try
                {
                    await using var conn = await _dataSource.OpenConnectionAsync(token);
                    await using var tx = await conn.BeginTransactionAsync(token);
                    var applied = await ApplyTenantAsync(conn, tenant, token);
                    await tx.CommitAsync(token);
                    result = new TenantMigrationResult(tenant.Slug, applied, null);
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    _log.LogError(e, "Migrating tenant {Tenant} failed", tenant.Slug);
                    result = new TenantMigrationResult(tenant.Slug, 0, e.Message);
                }

                lock (gate)
                {
                    results.Add(result);
                }

                progress?.Report(result);
            });
        return new TenantMigrationReport(results.OrderBy(r => r.Slug, StringComparer.Ordinal).ToList(), clock.Elapsed);
    }

    internal string Render(string sql, string appRole, string? tenantRole)
    {
        var rendered = sql
            .Replace("{{owner_role}}", SqlIdentifier.Quote(_options.OwnerRole), StringComparison.Ordinal)
            .Replace("{{app_role}}", SqlIdentifier.Quote(appRole), StringComparison.Ordinal);
        return tenantRole is null
            ? rendered
            : rendered.Replace("{{tenant_role}}", SqlIdentifier.Quote(tenantRole), StringComparison.Ordinal);
    }

    private static async Task<string> SessionUserAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT session_user", conn);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<HashSet<string>> AppliedAsync(NpgsqlConnection conn, string table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT id FROM {table}", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static async Task RecordAsync(NpgsqlConnection conn, string table, string id, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"INSERT INTO {table} (id) VALUES ($1)", conn);
        cmd.Parameters.AddWithValue(id);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

public sealed record TenantMigrationResult(string Slug, int Applied, string? Error)
{
    public bool Succeeded => Error is null;
}

public sealed record TenantMigrationReport(IReadOnlyList<TenantMigrationResult> Tenants, TimeSpan Elapsed)
{
    public IReadOnlyList<TenantMigrationResult> Failed => Tenants.Where(t => !t.Succeeded).ToList();
}
