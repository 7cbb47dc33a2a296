using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.IntegrationTests.Accounts;

/// <summary>A platform change and its entry in the tenant's audit chain commit together or not at all.</summary>
public sealed class PlatformChangeAuditShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private AccountServices _accounts = null!;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("change-audit");
        _accounts = new AccountServices(_host);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task CommitRenameAsync(Guid userId, string name, string details)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        (await db.Users.SingleAsync(u => u.Id == userId)).Rename(name, DateTimeOffset.UtcNow);
        await TenantAuditOfPlatformChange.CommitAsync(db, _tenant, Actor.System("test", _tenant.Slug),
            [new AuditEvent("test.rename", "User", userId.ToString(), details)],
            _host.Services.GetRequiredService<AuditSealer>(), TimeProvider.System, CancellationToken.None);
        // The tenant role was only for that transaction: the same context reads platform tables again.
        Assert.Equal(name, await db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync());
    }

    [Fact]
    public async Task RollTheChangeBackWhenItsAuditEntryCannotBeWritten()
    {
        var user = await _accounts.CreateUserAsync(AccountServices.UniqueEmail("atomic"), "quill meadow sunrise tonic");

        // PostgreSQL refuses a NUL character in text: the audit insert fails after the platform row was written.
        await Assert.ThrowsAnyAsync<Exception>(() => CommitRenameAsync(user.Id, "Renamed Without Trace", "{\"x\":\"\u0000\"}"));

        Assert.Equal("Test Person", (await _accounts.UserAsync(user.Id)).DisplayName);
    }

    [Fact]
    public async Task CommitTheChangeWithItsAuditEntryAndLeaveTheConnectionAsTheAppRole()
    {
        var user = await _accounts.CreateUserAsync(AccountServices.UniqueEmail("together"), "quill meadow sunrise tonic");

        await CommitRenameAsync(user.Id, "Renamed With Trace", "{\"why\":\"test\"}");
        await CommitRenameAsync(user.Id, "Renamed Twice", "{\"why\":\"again\"}");

        Assert.Equal("Renamed Twice", (await _accounts.UserAsync(user.Id)).DisplayName);
        using var admin = _host.Client(_host.Token(_tenant.Slug, "admin.audit", "tenant-admin"));
        var entries = await admin.AuditAsync(user.Id.ToString());
        Assert.Equal(["test.rename", "test.rename"], entries.Select(e => e["action"]!.GetValue<string>()));
    }
}
