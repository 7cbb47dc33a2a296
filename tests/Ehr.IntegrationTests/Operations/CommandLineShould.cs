using System.Diagnostics;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using static Ehr.IntegrationTests.Tenancy.ProvisioningShould;

namespace Ehr.IntegrationTests.Operations;

/// <summary>The host's verbs as an operator runs them (<c>./ehr tenants ...</c>): a real process, real exit codes.</summary>
public sealed class CommandLineShould : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreateListSuspendAndResumeATenant()
    {
        var slug = "cli-" + Guid.NewGuid().ToString("N")[..8];

        var created = await RunAsync("tenants", "create", slug, "--name", "Cli Clinic", "--pack", "dermatology");
        var listed = await RunAsync("tenants", "list");
        var suspended = await RunAsync("tenants", "suspend", slug);
        var catalog = _host.Services.GetRequiredService<TenantCatalog>();
        catalog.Forget(slug);
        var status = (await catalog.GetAsync(slug)).Status;
        var resumed = await RunAsync("tenants", "resume", slug);

        Assert.Equal(0, created.Exit);
        Assert.Contains(slug, listed.Output, StringComparison.Ordinal);
        Assert.Equal((0, 0), (suspended.Exit, resumed.Exit));
        Assert.Equal(TenantStatus.Suspended, status);
    }

    [Fact]
    public async Task ExplainAnInvalidTenantWithTheFieldAndExitNonZero()
    {
        var result = await RunAsync("tenants", "create", "Bad_Slug", "--name", "X", "--pack", "no-such-pack");

        Assert.Equal(2, result.Exit);
        Assert.Contains("VALIDATION_FAILED", result.Output, StringComparison.Ordinal);
        Assert.Contains("slug", result.Output, StringComparison.Ordinal);
        Assert.Contains("pack", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateTheAuthorizationKeysAndRefuseABadDelay()
    {
        var ring = _host.Services.GetRequiredService<Ehr.Platform.Identity.Authorization.KeyRing>();
        var before = ring.Fingerprint();

        var rotated = await RunAsync("keys", "rotate", "--activate-in", "60");
        var refused = await RunAsync("keys", "rotate", "--activate-in", "-5");

        Assert.Equal(0, rotated.Exit);
        Assert.Contains("New signing key", rotated.Output, StringComparison.Ordinal);
        Assert.NotEqual(before, ring.Fingerprint());
        Assert.Equal(2, refused.Exit);
        Assert.Contains("OUT_OF_RANGE", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrintATokenTheHostAccepts()
    {
        var tenant = await _host.CreateTenantAsync("cli-token", "dermatology");
        // The CLI signs with the key under the same data directory as the host it is meant for.
        var result = await RunAsync("token", "--tenant", tenant.Slug, "--user", "dr.cli", "--role", "physician", "--minutes", "5");
        using var client = _host.Client(result.Output.Trim());

        var viewer = await client.GraphQLAsync("{ viewer { id tenant roles } }");

        Assert.Equal(0, result.Exit);
        Assert.Equal("dr.cli", viewer.DataOrThrow["viewer"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task PrintAPatientTokenThatReadsOnlyTheNamedRecords()
    {
        var tenant = await _host.CreateTenantAsync("cli-patient", "dermatology");
        using var staff = _host.Client(_host.Token(tenant.Slug, "front.cli", "front-desk"));
        var own = (await staff.RegisterAsync(PatientGraph.Input("Own", "Record")))["id"]!.GetValue<string>();
        var other = (await staff.RegisterAsync(PatientGraph.Input("Other", "Record")))["id"]!.GetValue<string>();

        var result = await RunAsync("token", "--tenant", tenant.Slug, "--user", "pat.cli", "--role", "patient", "--patient", own);
        using var portal = _host.Client(result.Output.Trim());

        Assert.Equal(0, result.Exit);
        Assert.Equal(own, (await portal.GraphQLAsync(PatientGraph.Get, new { id = own })).DataOrThrow["patient"]!["id"]!.GetValue<string>());
        Assert.Null((await portal.GraphQLAsync(PatientGraph.Get, new { id = other })).DataOrThrow["patient"]);
    }

    [Fact]
    public async Task MigrateEveryTenantAndVerifyAuditChainsWithExitCodes()
    {
        var tenant = await _host.CreateTenantAsync("cli-audit", "dermatology");

        var migrated = await RunAsync("migrate");
        var intact = await RunAsync("audit", "verify", tenant.Slug);
        await using (var sql = await _host.OpenSqlAsync())
        {
            await Exec(sql, $"SET ROLE ehr_owner; UPDATE {tenant.SchemaName}.audit_log SET action = 'patient.read' WHERE seq = 2");
        }

        var broken = await RunAsync("audit", "verify", tenant.Slug);

        Assert.Equal(0, migrated.Exit);
        Assert.Contains("tenants at schema version", migrated.Output, StringComparison.Ordinal);
        Assert.Equal(0, intact.Exit);
        // The dermatology pack: 5 forms, 3 note templates and 2 workflows drafted and published, 1 custom role, 15
        // patients, the provisioning.
        Assert.Contains("37 entries", intact.Output, StringComparison.Ordinal);
        Assert.Equal(3, broken.Exit);
        Assert.Contains("BROKEN at entry 2", broken.Output, StringComparison.Ordinal);
    }

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ehr.Host.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestDatabase.RepoRoot,
        };
        psi.Environment["EHR_DATABASE_URL"] = TestDatabase.Url;
        psi.Environment["EHR_DATA_DIR"] = _host.DataDir;
        psi.Environment["StarterPacks__Directory"] = Path.Combine(TestDatabase.RepoRoot, "tenant-templates");
        psi.Environment["COLUMNS"] = "200";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
