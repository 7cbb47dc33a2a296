using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// A new set of ten recovery codes, replacing every old one (used or not). Asks for a current authenticator code, so a
/// stolen session alone cannot mint codes that bypass MFA; a wrong code counts towards the lock-out like any other.
/// </summary>
public sealed class RegenerateRecoveryCodes(PlatformDbContext db, TotpSecrets secrets, TimeProvider clock)
{
    public async Task<IReadOnlyList<string>> HandleAsync(Guid userId, string code, string? clientAddress, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await AccountLookup.ActiveUserAsync(db, userId, ct, forUpdate: true);
        if (!user.TotpEnabled)
        {
            throw new EhrException(ErrorCodes.MfaNotEnrolled, "Two-step sign-in is not on for this account.", 409);
        }

        if (user.IsLockedOut(now))
        {
            throw new EhrException(ErrorCodes.LockedOut, $"Too many wrong codes; try again after {user.LockedUntil:u}.", 429);
        }

        if (!secrets.Accept(user, code, now))
        {
            user.RecordFailedSignIn(now);
            db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.RecoveryCodesRegenerated,
                SecurityEvents.Failure, clientAddress, "wrong code"));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            throw ConfirmTotpEnrolment.InvalidCode();
        }

        var existing = await db.RecoveryCodes.Where(r => r.UserId == user.Id).ToListAsync(ct);
        var codes = RecoveryCodes.Replace(db, user.Id, existing, now);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.RecoveryCodesRegenerated,
            SecurityEvents.Success, clientAddress));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return codes;
    }
}
