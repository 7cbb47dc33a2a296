using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Tenancy;
using Npgsql;
using static Ehr.IntegrationTests.Tenancy.ProvisioningShould;

namespace Ehr.IntegrationTests.Tenancy;

/// <summary>Defence in depth: PostgreSQL itself refuses cross-tenant access, whatever SQL the application sends.</summary>
public sealed class DatabaseIsolationShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _a = null!;
    private Tenant _b = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _a = await _host.CreateTenantAsync("iso-a", "dermatology");
        _b = await _host.CreateTenantAsync("iso-b", "dermatology");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("SELECT count(*) FROM {b}.patients")]
    [InlineData("SELECT count(*) FROM {b}.audit_log")]
    [InlineData("UPDATE {b}.patients SET active = false")]
    [InlineData("DELETE FROM {b}.locations")]
    [InlineData("SELECT count(*) FROM platform.tenants")]
    public async Task RefuseTenantARoleAnythingOfTenantBOrThePlatform(string statement)
    {
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_a.SchemaName}");

        var error = await Assert.ThrowsAsync<PostgresException>(() => Exec(sql, statement.Replace("{b}", _b.SchemaName, StringComparison.Ordinal)));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task GiveTheLoginRoleNoTenantDataWithoutSettingTheTenantRole()
    {
        await using var sql = await _host.OpenSqlAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => Exec(sql, $"SELECT count(*) FROM {_a.SchemaName}.patients"));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
    }

    [Fact]
    public async Task HaveNoPublicFallbackForAMissingTable()
    {
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_a.SchemaName}; SET search_path = {_a.SchemaName}, ext");

        var error = await Assert.ThrowsAsync<PostgresException>(() => Exec(sql, "SELECT * FROM no_such_table"));
        var publicError = await Assert.ThrowsAsync<PostgresException>(() => Exec(sql, "CREATE TABLE public.leak (id int)"));

        Assert.Equal(PostgresErrorCodes.UndefinedTable, error.SqlState);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, publicError.SqlState);
    }

    [Theory]
    [InlineData("UPDATE audit_log SET actor_id = 'someone-else'")]
    [InlineData("INSERT INTO audit_log SELECT * FROM audit_log LIMIT 1")]
    [InlineData("UPDATE audit_head SET seq = 0")]
    [InlineData("SELECT count(*) FROM audit_pending")]
    [InlineData("DELETE FROM audit_pending")]
    [InlineData("DELETE FROM audit_log")]
    [InlineData("TRUNCATE audit_log")]
    [InlineData("ALTER TABLE audit_log DISABLE TRIGGER ALL")]
    [InlineData("DROP TABLE patients")]
    public async Task RefuseTheTenantRoleChangingTheAuditLogOrTheSchema(string statement)
    {
        await using var sql = await _host.OpenSqlAsync();
        await Exec(sql, $"SET ROLE {_a.SchemaName}; SET search_path = {_a.SchemaName}, ext");

        var error = await Assert.ThrowsAsync<PostgresException>(() => Exec(sql, statement));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.True(await Scalar<long>(sql, "SELECT count(*) FROM audit_log") > 0);
    }

    [Fact]
    public async Task LetTheLoginRoleSetOnlyTenantAndOwnerRoles()
    {
        await using var sql = await _host.OpenSqlAsync();
        var memberships = await Scalar<string[]>(sql,
            "SELECT coalesce(array_agg(r.rolname::text), '{}') FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = session_user)");
        var login = await Scalar<bool>(sql, "SELECT rolsuper OR rolinherit OR rolbypassrls FROM pg_roles WHERE rolname = session_user");

        Assert.False(login);
        Assert.All(memberships, m => Assert.True(m == "ehr_owner" || m.StartsWith("t_", StringComparison.Ordinal), m));
        Assert.Contains(_a.SchemaName, memberships);
    }
}
