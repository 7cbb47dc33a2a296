using Ehr.Platform.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>Accounts: passwords, sign-in, MFA, memberships, invitations and tenant security policies.</summary>
public static class AccountsModule
{
    public static IServiceCollection AddEhrAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AccountsOptions>().Bind(configuration.GetSection(AccountsOptions.SectionName));
        // One key ring for every host and worker, in platform.data_protection_keys: TOTP secrets (and the
        // authorization server's cookies) stay readable whichever instance wrote them. The keys are encrypted at rest
        // with a certificate kept outside the database (KeyEncryptionCertificate).
        services.AddDataProtection().PersistKeysToDbContext<PlatformDbContext>().SetApplicationName("Ehr.Saas")
            .ProtectKeysWithCertificate(KeyEncryptionCertificate.FromConfiguration(configuration));
        // PBKDF2-HMAC-SHA512 (Identity's V3 format) with the framework's current iteration count; older hashes are
        // upgraded when their owner next signs in.
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        services.AddSingleton<TotpSecrets>();

        services.AddScoped<PasswordPolicy>();
        services.AddScoped<CreateUser>();
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<VerifySecondFactor>();
        services.AddScoped<BeginTotpEnrolment>();
        services.AddScoped<ConfirmTotpEnrolment>();
        services.AddScoped<RegenerateRecoveryCodes>();
        services.AddScoped<ChangePassword>();

        services.AddScoped<TenantAuditOfPlatformChange>();
        services.AddScoped<ListMembers>();
        services.AddScoped<SearchStaffDirectory>();
        services.AddScoped<StaffMembers>();
        services.AddScoped<ListInvitations>();
        services.AddScoped<InvitationLinks>();
        services.AddScoped<InviteUser>();
        services.AddScoped<AcceptInvitation>();
        services.AddScoped<ChangeMemberRoles>();
        services.AddScoped<RoleGrants>();
        services.AddScoped<DeactivateMember>();
        services.AddScoped<ReactivateMember>();
        services.AddScoped<RevokeInvitation>();
        services.AddScoped<GetSecurityPolicy>();
        services.AddScoped<ChangeSecurityPolicy>();
        services.AddScoped<GrantMembership>();
        services.AddScoped<UserDirectory>();
        return services;
    }
}
