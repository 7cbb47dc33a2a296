using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Identity.ApiClients;
using Ehr.Platform.Identity.Authorization;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Persistence;

/// <summary>
/// The unit of work over the <c>platform</c> schema: global identities, memberships, invitations, API clients, the
/// authorization server's stores (OpenIddict) and the Data Protection key ring. It runs as the application's login
/// role, which holds exactly the grants <c>Schema/Platform/*.sql</c> gives it and none on any tenant schema.
/// Tables are created by those scripts, never by EF.
/// </summary>
public sealed class PlatformDbContext(DbContextOptions<PlatformDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<UserAccount> Users => Set<UserAccount>();

    public DbSet<RecoveryCode> RecoveryCodes => Set<RecoveryCode>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<Invitation> Invitations => Set<Invitation>();

    public DbSet<OutboxEmail> OutboxEmails => Set<OutboxEmail>();

    public DbSet<TenantSecurityPolicy> SecurityPolicies => Set<TenantSecurityPolicy>();

    public DbSet<SecurityEvent> SecurityEvents => Set<SecurityEvent>();

    public DbSet<ApiClient> ApiClients => Set<ApiClient>();

    public DbSet<SigningKeyRecord> SigningKeys => Set<SigningKeyRecord>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Identity.Portal.PortalLink> PortalLinks => Set<Identity.Portal.PortalLink>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var b = modelBuilder;
        b.HasDefaultSchema("platform");
        b.UseOpenIddict();
        b.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>().ToTable("oidc_applications");
        b.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreAuthorization>().ToTable("oidc_authorizations");
        b.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreScope>().ToTable("oidc_scopes");
        b.Entity<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreToken>().ToTable("oidc_tokens");
        b.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        b.Entity<UserAccount>(e =>
        {
            e.ToTable("users");
            e.Property(u => u.Status).HasConversion(s => s.ToString().ToLowerInvariant(), s => Enum.Parse<UserStatus>(s, true));
            e.Property(u => u.Version).IsConcurrencyToken();
            e.HasIndex(u => u.Email).IsUnique();
        });
        b.Entity<RecoveryCode>().ToTable("recovery_codes");
        b.Entity<Membership>(e =>
        {
            e.ToTable("memberships");
            e.Property(m => m.Status).HasConversion(s => s.ToString().ToLowerInvariant(), s => Enum.Parse<MembershipStatus>(s, true));
            e.Property(m => m.Version).IsConcurrencyToken();
            e.HasIndex(m => new { m.UserId, m.TenantId }).IsUnique();
        });
        b.Entity<Invitation>().ToTable("invitations");
        b.Entity<OutboxEmail>().ToTable("email_outbox");
        b.Entity<TenantSecurityPolicy>(e =>
        {
            e.ToTable("tenant_security_policies");
            e.HasKey(p => p.TenantId);
            e.Property(p => p.Version).IsConcurrencyToken();
        });
        b.Entity<SecurityEvent>(e =>
        {
            e.ToTable("security_events");
            e.Property(x => x.Id).UseIdentityAlwaysColumn();
        });
        b.Entity<ApiClient>(e =>
        {
            e.ToTable("api_clients");
            e.Property(c => c.Status).HasConversion(s => s.ToString().ToLowerInvariant(), s => Enum.Parse<ApiClientStatus>(s, true));
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasIndex(c => c.ClientId).IsUnique();
        });
        b.Entity<SigningKeyRecord>().ToTable("signing_keys");
        b.Entity<Identity.Portal.PortalLink>(e =>
        {
            e.ToTable("portal_links");
            e.Property(l => l.Version).IsConcurrencyToken();
        });
    }
}
