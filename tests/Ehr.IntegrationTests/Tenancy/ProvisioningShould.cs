using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Errors;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Schema;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.IntegrationTests.Tenancy;

public sealed class ProvisioningShould : IAsyncLifetime
{
    private TestHost _host = null!;

    public async Task InitializeAsync() => _host = await TestHost.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task CreateRoleSchemaTablesAndStarterPack()
    {
        var tenant = await _host.CreateTenantAsync("prov");

        await using var sql = await _host.OpenSqlAsync();
        Assert.Equal(1L, await Scalar<long>(sql, "SELECT count(*) FROM pg_roles WHERE rolname = $1 AND NOT rolcanlogin", tenant.SchemaName));
        Assert.Equal(tenant.SchemaName, await Scalar<string>(sql, "SELECT nspname::text FROM pg_namespace WHERE nspname = $1", tenant.SchemaName));
        var migrator = _host.Services.GetRequiredService<SchemaMigrator>();
        Assert.Equal(migrator.LatestTenantVersion, (await _host.Services.GetRequiredService<TenantCatalog>().GetAsync(tenant.Slug)).SchemaVersion);

        await Exec(sql, $"SET ROLE {tenant.SchemaName}");
        Assert.Equal(3L, await Scalar<long>(sql, $"SELECT count(*) FROM {tenant.SchemaName}.locations"));
        Assert.Equal(40L, await Scalar<long>(sql, $"SELECT count(*) FROM {tenant.SchemaName}.patients"));
        Assert.Equal(9L, await Scalar<long>(sql, $"SELECT count(*) FROM {tenant.SchemaName}.artifacts WHERE kind = 'form' AND status = 'published'"));
        Assert.Equal(4L, await Scalar<long>(sql, $"SELECT count(*) FROM {tenant.SchemaName}.artifacts WHERE kind = 'note-template' AND status = 'published'"));
        Assert.Equal(4L, await Scalar<long>(sql, $"SELECT count(*) FROM {tenant.SchemaName}.artifacts WHERE kind = 'workflow' AND status = 'published'"));
        Assert.Equal(2L, await Scalar<long>(sql, $"SELECT count(*) FROM {tenant.SchemaName}.roles"));
        // Every demo registration, every starter form's, note template's and workflow's draft and publication, the
        // custom roles and the provisioning itself are in the audit chain.
        Assert.Equal(40L + (2 * 9) + (2 * 4) + (2 * 4) + 2 + 1, await Scalar<long>(sql, $"SELECT count(*) FROM {tenant.SchemaName}.audit_log"));
    }

    [Fact]
    public async Task LeaveNoTraceWhenTheStarterPackFails()
    {
        // A pack whose second patient is invalid: the first one registers, then the whole tenant must vanish.
        var packs = Directory.CreateTempSubdirectory("ehr-packs-");
        var bad = Directory.CreateDirectory(Path.Combine(packs.FullName, "broken"));
        await File.WriteAllTextAsync(Path.Combine(bad.FullName, "pack.json"), """{ "displayName": "Broken" }""");
        await File.WriteAllTextAsync(Path.Combine(bad.FullName, "locations.json"), """[{ "code": "A", "name": "A", "timezone": "UTC" }]""");
        await File.WriteAllTextAsync(Path.Combine(bad.FullName, "patients.json"), """
            [ { "name": { "given": "Ok", "family": "Fine" }, "birthDate": "1980-01-01", "administrativeSex": "female" },
              { "name": { "given": "Not", "family": "Valid" }, "birthDate": "2999-01-01", "administrativeSex": "female" } ]
            """);
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["StarterPacks:Directory"] = packs.FullName });
        var slug = "broken-" + Guid.NewGuid().ToString("N")[..8];

        var error = await Assert.ThrowsAsync<EhrException>(() =>
            host.Services.GetRequiredService<TenantProvisioner>().CreateAsync(new CreateTenant(slug, "Broken", "broken"), PlatformAdministration.Operator("tests")));

        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
        await using var sql = await host.OpenSqlAsync();
        var schema = TenantSlug.SchemaName(slug);
        Assert.Equal(0L, await Scalar<long>(sql, "SELECT count(*) FROM pg_roles WHERE rolname = $1", schema));
        Assert.Equal(0L, await Scalar<long>(sql, "SELECT count(*) FROM pg_namespace WHERE nspname = $1", schema));
        Assert.Equal(0L, await Scalar<long>(sql, "SELECT count(*) FROM platform.tenants WHERE slug = $1", slug));
        Assert.Null(await host.Services.GetRequiredService<TenantCatalog>().FindAsync(slug));
    }

    [Theory]
    [InlineData("ab", ErrorCodes.OutOfRange)]
    [InlineData("Clinic", ErrorCodes.InvalidFormat)]
    [InlineData("clinic-", ErrorCodes.InvalidFormat)]
    [InlineData("clinic--a", ErrorCodes.InvalidFormat)]
    [InlineData("9lives", ErrorCodes.InvalidFormat)]
    [InlineData("clinic_a", ErrorCodes.InvalidFormat)]
    [InlineData("platform", ErrorCodes.Reserved)]
    [InlineData("graphql", ErrorCodes.Reserved)]
    [InlineData("a-very-long-tenant-slug-that-goes-past-forty", ErrorCodes.OutOfRange)]
    public async Task RefuseBadSlugsWithTheFieldPath(string slug, string code)
    {
        var error = await Assert.ThrowsAsync<EhrException>(() =>
            _host.Services.GetRequiredService<TenantProvisioner>().CreateAsync(new CreateTenant(slug, "X", "primary-care"), PlatformAdministration.Operator("tests")));

        Assert.Equal(ErrorCodes.ValidationFailed, error.Code);
        var field = Assert.Single(error.FieldErrors);
        Assert.Equal("slug", field.Path);
        Assert.Equal(code, field.Code);
    }

    [Fact]
    public async Task RefuseADuplicateSlugAndAnUnknownPack()
    {
        var tenant = await _host.CreateTenantAsync("dup", "dermatology");
        var provisioner = _host.Services.GetRequiredService<TenantProvisioner>();

        var duplicate = await Assert.ThrowsAsync<EhrException>(() => provisioner.CreateAsync(new CreateTenant(tenant.Slug, "Again", "dermatology"), PlatformAdministration.Operator("tests")));
        var unknownPack = await Assert.ThrowsAsync<EhrException>(() => provisioner.CreateAsync(new CreateTenant("fresh-" + Guid.NewGuid().ToString("N")[..6], "X", "no-such-pack"), PlatformAdministration.Operator("tests")));

        Assert.Equal(("slug", ErrorCodes.Duplicate), (duplicate.FieldErrors[0].Path, duplicate.FieldErrors[0].Code));
        Assert.Equal(("pack", ErrorCodes.UnknownReference), (unknownPack.FieldErrors[0].Path, unknownPack.FieldErrors[0].Code));
        Assert.Equal(15L, await CountPatients(tenant));
    }

    [Fact]
    public async Task MigrateIdempotentlyAndReportAFailingTenantWithoutStoppingOthers()
    {
        var good = await _host.CreateTenantAsync("mig-good", "dermatology");
        var bad = await _host.CreateTenantAsync("mig-bad", "dermatology");
        var services = _host.Services;
        var failing = new FailingFor(bad.SchemaName);
        var migrator = new SchemaMigrator(services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<TenantCatalog>(),
            services.GetServices<ITenantSchemaContributor>().Append(failing),
            services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Ehr.Platform.Database.DatabaseOptions>>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<SchemaMigrator>.Instance);
        var catalog = services.GetRequiredService<TenantCatalog>();
        catalog.Forget(good.Slug);
        catalog.Forget(bad.Slug);
        var only = new[] { await catalog.GetAsync(good.Slug), await catalog.GetAsync(bad.Slug) };

        var first = await migrator.MigrateTenantsAsync(only);
        var second = await migrator.MigrateTenantsAsync(only);

        var goodFirst = first.Tenants.Single(t => t.Slug == good.Slug);
        Assert.True(goodFirst.Succeeded);
        Assert.Equal(1, goodFirst.Applied);
        var badFirst = Assert.Single(first.Failed);
        Assert.Equal(bad.Slug, badFirst.Slug);
        Assert.Contains("boom", badFirst.Error, StringComparison.Ordinal);
        Assert.Equal(0, second.Tenants.Single(t => t.Slug == good.Slug).Applied);
        Assert.Equal(bad.Slug, Assert.Single(second.Failed).Slug);
        // The failed tenant rolled back whole: still at its old version, its data intact.
        catalog.Forget(bad.Slug);
        Assert.Equal(bad.SchemaVersion, (await catalog.GetAsync(bad.Slug)).SchemaVersion);
        Assert.Equal(15L, await CountPatients(bad));
    }

    private async Task<long> CountPatients(Tenant tenant)
    {
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {tenant.SchemaName}");
        return await Scalar<long>(sql, $"SELECT count(*) FROM {tenant.SchemaName}.patients");
    }

    private sealed class FailingFor(string schema) : ITenantSchemaContributor
    {
        public int Order => 10_000;

        public IReadOnlyList<SchemaMigration> Migrations { get; } =
        [
            new("test/0001_fails_for_one_tenant",
                $"CREATE TABLE IF NOT EXISTS test_marker (id int); DO $$ BEGIN IF current_schema() = '{schema}' THEN RAISE EXCEPTION 'boom'; END IF; END $$;"),
        ];
    }

    internal static async Task<T> Scalar<T>(NpgsqlConnection sql, string text, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(text, sql);
        foreach (var a in args)
        {
            cmd.Parameters.AddWithValue(a);
        }

        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    internal static async Task Exec(NpgsqlConnection sql, string text)
    {
        await using var cmd = new NpgsqlCommand(text, sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
