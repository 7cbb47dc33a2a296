using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

public sealed record ChangePasswordInput(string? CurrentPassword, string? NewPassword);

/// <summary>
/// A person changes their own password, giving the current one (a wrong one counts towards the lock-out like any
/// sign-in). The new one meets the strictest policy among the tenants they belong to. A new security stamp lets
/// sessions issued before the change be told apart.
/// </summary>
public sealed class ChangePassword(PlatformDbContext db, PasswordPolicy policy, IPasswordHasher<UserAccount> hasher, TimeProvider clock)
{
    public async Task HandleAsync(Guid userId, ChangePasswordInput input, string? clientAddress, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await AccountLookup.ActiveUserAsync(db, userId, ct, forUpdate: true);
        await AccountLookup.RequireCurrentPasswordAsync(db, hasher, user, input.CurrentPassword, now, clientAddress,
            SecurityEvents.PasswordChanged, "input.currentPassword", "The current password is wrong.", tx, ct);

        var tenantIds = await db.Memberships.Where(m => m.UserId == user.Id).Select(m => m.TenantId).ToListAsync(ct);
        var minimum = await policy.MinimumLengthAsync(tenantIds, ct);
        var errors = PasswordPolicy.Check(input.NewPassword, user.Email, minimum, "input.newPassword").ToList();
        if (errors.Count == 0 && hasher.VerifyHashedPassword(user, user.PasswordHash!, input.NewPassword!) != PasswordVerificationResult.Failed)
        {
            errors.Add(new FieldError("input.newPassword", ErrorCodes.Duplicate, "Choose a password different from the current one."));
        }

        AccountInput.ThrowIfAny(errors);
        user.SetPasswordHash(hasher.HashPassword(user, input.NewPassword!), now);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.PasswordChanged,
            SecurityEvents.Success, clientAddress));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
