using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>An account as operators list it, with its memberships as <c>slug: role, role</c>.</summary>
public sealed record UserSummary(
    string Email,
    string DisplayName,
    UserStatus Status,
    bool PlatformAdmin,
    bool MfaEnabled,
    DateTimeOffset? LockedUntil,
    IReadOnlyList<string> Memberships);

/// <summary>Operator views and fixes of accounts (<c>./ehr users list | unlock | reset-mfa</c>); no tenant permission involved.</summary>
public sealed class UserDirectory(PlatformDbContext db, TenantCatalog catalog, TimeProvider clock)
{
    public async Task<IReadOnlyList<UserSummary>> ListAsync(string? tenantSlug, CancellationToken ct)
    {
        var tenants = (await catalog.ListAsync(ct)).ToDictionary(t => t.Id, t => t.Slug);
        var users = db.Users.AsNoTracking();
        if (tenantSlug is not null)
        {
            var tenant = await catalog.GetAsync(tenantSlug, ct);
            users = users.Where(u => db.Memberships.Any(m => m.UserId == u.Id && m.TenantId == tenant.Id));
        }

        var rows = await users.OrderBy(u => u.Email).ToListAsync(ct);
        var ids = rows.Select(u => u.Id).ToList();
        var memberships = (await db.Memberships.AsNoTracking().Where(m => ids.Contains(m.UserId)).ToListAsync(ct)).ToLookup(m => m.UserId);
        return rows.Select(u => new UserSummary(u.Email, u.DisplayName, u.Status, u.IsPlatformAdmin, u.TotpEnabled, u.LockedUntil,
            memberships[u.Id].Select(m => $"{tenants.GetValueOrDefault(m.TenantId, "?")}: {string.Join(", ", m.Roles)}" +
                                          (m.Status == MembershipStatus.Active ? "" : " (deactivated)")).Order(StringComparer.Ordinal).ToList())).ToList();
    }

    /// <summary>
    /// Turns two-step sign-in off for someone who lost both their authenticator and their recovery codes (after the
    /// operator has verified who they are); they enrol again at their next sign-in.
    /// </summary>
    public async Task ResetMfaAsync(string email, CancellationToken ct)
    {
        var normalized = UserAccount.NormalizeEmail(email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == normalized, ct)
                   ?? throw EhrException.Validation([new FieldError("email", ErrorCodes.UnknownReference, $"No account '{normalized}'.")]);
        var now = clock.GetUtcNow();
        user.ResetTotp(now);
        db.RecoveryCodes.RemoveRange(await db.RecoveryCodes.Where(r => r.UserId == user.Id).ToListAsync(ct));
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.MfaReset, SecurityEvents.Success,
            null, "by an operator"));
        await AccountLookup.SaveAsync(db, ct);
    }

    /// <summary>Lifts a lock-out and clears the failure count (the person called the help desk).</summary>
    public async Task UnlockAsync(string email, CancellationToken ct)
    {
        var normalized = UserAccount.NormalizeEmail(email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == normalized, ct)
                   ?? throw EhrException.Validation([new FieldError("email", ErrorCodes.UnknownReference, $"No account '{normalized}'.")]);
        var now = clock.GetUtcNow();
        user.Unlock(now);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.AccountUnlocked, SecurityEvents.Success,
            null, "by an operator"));
        await AccountLookup.SaveAsync(db, ct);
    }
}
