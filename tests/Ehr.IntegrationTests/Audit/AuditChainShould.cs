using Ehr.Clinical.Patients;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Jobs;
using Ehr.Platform.Tenancy;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.DependencyInjection;
using static Ehr.IntegrationTests.Tenancy.ProvisioningShould;

namespace Ehr.IntegrationTests.Audit;

public sealed class AuditChainShould : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task StayLinearUnderConcurrentWriters()
    {
        var tenant = await _host.CreateTenantAsync("audit-conc", "dermatology");
        var before = await VerifyAsync(tenant);

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => InTenant(tenant, sp =>
            sp.GetRequiredService<RegisterPatient>().HandleAsync(new PatientInput(new NameInput("Con" + i, "Current"), "1990-01-01", "unknown"), default))));

        var after = await VerifyAsync(tenant);
        Assert.True(after.Intact, after.Problem);
        Assert.Equal(before.Entries + 24, after.Entries);
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {tenant.SchemaName}");
        Assert.Equal(after.Entries, await Scalar<long>(sql, $"SELECT max(seq) FROM {tenant.SchemaName}.audit_log"));
        Assert.Equal(after.Entries, await Scalar<long>(sql, $"SELECT count(DISTINCT prev_hash) FROM {tenant.SchemaName}.audit_log"));
    }

    [Theory]
    [InlineData("UPDATE {s}.audit_log SET actor_id = 'mallory' WHERE seq = 5", 5L)]
    [InlineData("UPDATE {s}.audit_log SET details = NULL WHERE seq = 3", 3L)]
    [InlineData("DELETE FROM {s}.audit_log WHERE seq = 7", 7L)]
    [InlineData("DELETE FROM {s}.audit_log WHERE seq = (SELECT max(seq) FROM {s}.audit_log)", 37L)]
    public async Task CatchTamperingByTheSchemaOwner(string tamper, long brokenAt)
    {
        // The dermatology pack writes 37 entries (5 forms, 3 note templates and 2 workflows, each drafted and published,
        // 1 custom role, 15 patients, the provisioning). Only the owner role can change them; the tenant role cannot (see DatabaseIsolationShould).
        // Verification must still catch the owner.
        var tenant = await _host.CreateTenantAsync("audit-tamper", "dermatology");
        Assert.True((await VerifyAsync(tenant)).Intact);
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, "SET ROLE ehr_owner; " + tamper.Replace("{s}", tenant.SchemaName, StringComparison.Ordinal));

        var result = await VerifyAsync(tenant);

        Assert.False(result.Intact);
        Assert.Equal(brokenAt, result.FirstBrokenSeq);
    }

    [Fact]
    public async Task SealEntriesThatWereCommittedButNeverSignalled()
    {
        // As if the process died right after committing: the entries are in audit_pending and nobody was told.
        var tenant = await _host.CreateTenantAsync("audit-orphan", "dermatology");
        await using (var sql = await _host.OpenSqlAsync())
        {
            await Exec(sql, $"SET ROLE {tenant.SchemaName}; SET search_path = {tenant.SchemaName}, ext; " +
                "INSERT INTO audit_pending (occurred_at, tenant, actor_id, actor_roles, action, resource_type, purpose, outcome) " +
                $"SELECT now(), '{tenant.Slug}', 'dr.crash', 'physician', 'patient.read', 'Patient', 'TREAT', 'success' FROM generate_series(1, 3)");
        }

        var sealedCount = await _host.Services.GetRequiredService<AuditSealer>().SealAsync(tenant);
        var result = await VerifyAsync(tenant);

        Assert.Equal(3, sealedCount);
        Assert.True(result.Intact, result.Problem);
        Assert.Equal(40L, result.Entries);
    }

    [Fact]
    public async Task RecordEveryVerificationFromTheNightlyJobPerTenant()
    {
        var tenant = await _host.CreateTenantAsync("audit-job", "dermatology");
        var other = await _host.CreateTenantAsync("audit-job-other", "dermatology");
        // The nightly job is run with a job client that keeps what it is given: the shared host's workers serve every
        // tenant of the test run, so how soon they reach this one says nothing about the job.
        var enqueued = new KeptJobs();
        var jobs = ActivatorUtilities.CreateInstance<AuditVerificationJobs>(_host.Services, (IBackgroundJobClient)enqueued);

        await jobs.DispatchAllAsync(default);

        var verifications = enqueued.Jobs.Where(j => j.Method.Name == nameof(AuditVerificationJobs.VerifyTenantAsync)).ToList();
        Assert.Equal(enqueued.Jobs.Count, verifications.Count);
        Assert.Single(verifications, j => Equals(j.Args[0], tenant.Slug));
        Assert.Single(verifications, j => Equals(j.Args[0], other.Slug));
        Assert.Equal(verifications.Count, verifications.Select(j => j.Args[0]).Distinct().Count());

        // Each enqueued job, performed as a worker would, appends one result for its own tenant only.
        foreach (var job in verifications.Where(j => Equals(j.Args[0], tenant.Slug) || Equals(j.Args[0], other.Slug)))
        {
            await (Task)job.Method.Invoke(jobs, job.Args.ToArray())!;
        }
        await using var sql = await _host.OpenSqlAsync();
        Assert.Equal(1L, await Scalar<long>(sql, "SELECT count(*) FROM platform.audit_verifications WHERE tenant_id = $1 AND intact", tenant.Id));
        Assert.Equal(1L, await Scalar<long>(sql, "SELECT count(*) FROM platform.audit_verifications WHERE tenant_id = $1 AND intact", other.Id));
    }

    private sealed class KeptJobs : IBackgroundJobClient
    {
        public List<Job> Jobs { get; } = [];

        public string Create(Job job, IState state)
        {
            Assert.IsType<EnqueuedState>(state);
            Jobs.Add(job);
            return Jobs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool ChangeState(string jobId, IState state, string expectedState) => throw new NotSupportedException();
    }

    private Task<AuditVerification> VerifyAsync(Tenant tenant) =>
        InTenant(tenant, sp => sp.GetRequiredService<AuditVerifier>().VerifyAsync());

    private async Task<T> InTenant<T>(Tenant tenant, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(Actor.System("test", tenant.Slug));
        return await work(scope.ServiceProvider);
    }
}
