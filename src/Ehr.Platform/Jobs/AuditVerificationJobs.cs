using Ehr.Platform.Audit;
using Ehr.Platform.Tenancy;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ehr.Platform.Jobs;

/// <summary>
/// Audit-chain verification: on demand (<c>./ehr audit verify</c>) and nightly for every tenant, one job per tenant so
/// a large tenant neither delays nor hides the others. Each result is kept in <c>platform.audit_verifications</c>.
/// </summary>
public sealed class AuditVerificationJobs(
    TenantCatalog catalog,
    TenantJobScope tenants,
    NpgsqlDataSource dataSource,
    IBackgroundJobClient jobs,
    ILogger<AuditVerificationJobs> log)
{
    public const string RecurringJobId = "audit-verify-nightly";

    /// <summary>The nightly entry point: enqueues one verification per active tenant.</summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task DispatchAllAsync(CancellationToken ct)
    {
        foreach (var tenant in await catalog.ListAsync(ct))
        {
            if (tenant.Status == TenantStatus.Active)
            {
                jobs.Enqueue<AuditVerificationJobs>(j => j.VerifyTenantAsync(tenant.Slug, CancellationToken.None));
            }
        }
    }

    /// <summary>Verifies one tenant's chain and records the outcome. Safe to run twice: it only reads and appends a result.</summary>
    [AutomaticRetry(Attempts = 3)]
    public async Task<AuditVerification> VerifyTenantAsync(string tenantSlug, CancellationToken ct)
    {
        var tenant = await catalog.GetAsync(tenantSlug, ct);
        var result = await tenants.RunAsync(tenantSlug, "audit-verify",
            sp => sp.GetRequiredService<AuditVerifier>().VerifyAsync(ct), ct);
        await using var cmd = dataSource.CreateCommand(
            "INSERT INTO platform.audit_verifications (tenant_id, entries, intact, first_broken_seq, problem) VALUES ($1, $2, $3, $4, $5)");
        cmd.Parameters.AddWithValue(tenant.Id);
        cmd.Parameters.AddWithValue(result.Entries);
        cmd.Parameters.AddWithValue(result.Intact);
        cmd.Parameters.AddWithValue((object?)result.FirstBrokenSeq ?? DBNull.Value);
        cmd.Parameters.AddWithValue((object?)result.Problem ?? DBNull.Value);
        await cmd.ExecuteNonQueryAsync(ct);
        if (result.Intact)
        {
            log.LogInformation("Audit chain of {Tenant} intact ({Entries} entries)", tenantSlug, result.Entries);
        }
        else
        {
            log.LogCritical("Audit chain of {Tenant} is BROKEN at entry {Seq}: {Problem}", tenantSlug, result.FirstBrokenSeq, result.Problem);
        }

        return result;
    }
}
