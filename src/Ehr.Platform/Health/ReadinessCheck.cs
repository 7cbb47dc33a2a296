using Ehr.Platform.Schema;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Ehr.Platform.Health;

/// <summary>Ready when the database answers, the platform schema is current and no active tenant is behind.</summary>
internal sealed class ReadinessCheck(NpgsqlDataSource dataSource, SchemaMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var platform = await migrator.PlatformVersionAsync(cancellationToken);
            if (platform != migrator.LatestPlatformVersion)
            {
                return HealthCheckResult.Unhealthy($"Platform schema at {platform}, expected {migrator.LatestPlatformVersion}: run migrate.");
            }

            await using var cmd = dataSource.CreateCommand(
                "SELECT count(*) FROM platform.tenants WHERE status = 'active' AND schema_version < $1");
            cmd.Parameters.AddWithValue(migrator.LatestTenantVersion);
            var behind = (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
            return behind == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{behind} tenant(s) not at schema version {migrator.LatestTenantVersion}: run migrate.");
        }
        catch (NpgsqlException e)
        {
            return HealthCheckResult.Unhealthy("Database unreachable.", e);
        }
    }
}
