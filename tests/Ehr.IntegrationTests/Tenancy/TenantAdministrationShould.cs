using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.IntegrationTests.Tenancy;

/// <summary>
/// Creating, suspending and resuming tenants check the platform-admin right in the operations themselves, whoever calls
/// them (the console, a future API): a tenant admin is refused and nothing changes; the operator's CLI still works.
/// </summary>
public sealed class TenantAdministrationShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("tenant-admin");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>An actor as a signed-in request binds it: the tenant of its token, its roles.</summary>
    private static ActorContext SignedIn(Tenant? tenant, string id, params string[] roles)
    {
        var tenants = new TenantContext();
        if (tenant is not null)
        {
            tenants.Bind(tenant);
        }

        var actors = new ActorContext(tenants);
        actors.Bind(new Actor(id, tenant?.Slug, roles, "127.0.0.1", PurposeOfUse.Treatment));
        return actors;
    }

    [Fact]
    public async Task RefuseATenantAdminCreatingSuspendingOrResumingATenant()
    {
        var admin = SignedIn(_tenant, "admin.tenants", "tenant-admin");
        var slug = "grab-" + Guid.NewGuid().ToString("N")[..8];
        var catalog = _host.Services.GetRequiredService<TenantCatalog>();

        var create = await Assert.ThrowsAsync<EhrException>(() =>
            _host.Services.GetRequiredService<TenantProvisioner>().CreateAsync(new CreateTenant(slug, "Grab", "primary-care"), admin));
        var suspend = await Assert.ThrowsAsync<EhrException>(() => catalog.SetStatusAsync(_tenant.Slug, TenantStatus.Suspended, admin));
        await catalog.SetStatusAsync(_tenant.Slug, TenantStatus.Suspended, PlatformAdministration.Operator("tests"));
        var resume = await Assert.ThrowsAsync<EhrException>(() => catalog.SetStatusAsync(_tenant.Slug, TenantStatus.Active, admin));
        var stillSuspended = (await catalog.ListAsync()).Single(t => t.Slug == _tenant.Slug).Status;
        await catalog.SetStatusAsync(_tenant.Slug, TenantStatus.Active, PlatformAdministration.Operator("tests"));

        Assert.All([create, suspend, resume], e => Assert.Equal(ErrorCodes.Forbidden, e.Code));
        Assert.Equal(["platform.admin", "platform.admin", "platform.admin"], admin.Denials);
        Assert.DoesNotContain(await catalog.ListAsync(), t => t.Slug == slug);
        Assert.Equal(TenantStatus.Suspended, stillSuspended);
        await using var sql = await _host.OpenSqlAsync();
        await using var schema = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname = $1", sql);
        schema.Parameters.AddWithValue(TenantSlug.SchemaName(slug));
        Assert.Equal(0L, (long)(await schema.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task RefuseAnUnauthenticatedCallerAndAPlatformTokenWithoutThePlatformRole()
    {
        var catalog = _host.Services.GetRequiredService<TenantCatalog>();

        var nobody = await Assert.ThrowsAsync<EhrException>(() =>
            catalog.SetStatusAsync(_tenant.Slug, TenantStatus.Suspended, new ActorContext(new TenantContext())));
        var physician = await Assert.ThrowsAsync<EhrException>(() =>
            catalog.SetStatusAsync(_tenant.Slug, TenantStatus.Suspended, SignedIn(null, "dr.platform", "physician")));

        Assert.Equal(ErrorCodes.Unauthenticated, nobody.Code);
        Assert.Equal(ErrorCodes.Forbidden, physician.Code);
        Assert.Equal(TenantStatus.Active, (await catalog.ListAsync()).Single(t => t.Slug == _tenant.Slug).Status);
    }

    [Fact]
    public async Task LetAPlatformAdminCreateSuspendAndResumeATenant()
    {
        var platformAdmin = SignedIn(null, "root.platform", "platform-admin");
        var slug = "made-" + Guid.NewGuid().ToString("N")[..8];
        var catalog = _host.Services.GetRequiredService<TenantCatalog>();

        var created = await _host.Services.GetRequiredService<TenantProvisioner>().CreateAsync(new CreateTenant(slug, "Made", "dermatology"), platformAdmin);
        var suspended = await catalog.SetStatusAsync(slug, TenantStatus.Suspended, platformAdmin);
        var resumed = await catalog.SetStatusAsync(slug, TenantStatus.Active, platformAdmin);

        Assert.Equal((slug, TenantStatus.Active), (created.Slug, created.Status));
        Assert.Equal(TenantStatus.Suspended, suspended.Status);
        Assert.Equal(TenantStatus.Active, resumed.Status);
        Assert.Empty(platformAdmin.Denials);
    }
}
