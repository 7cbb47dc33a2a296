using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// Completes TOTP enrolment: a valid code from the authenticator app turns MFA on and returns ten one-time recovery
/// codes, shown this once (only their hashes are kept). The security stamp changes, so other sessions can be told apart.
/// </summary>
public sealed class ConfirmTotpEnrolment(PlatformDbContext db, TotpSecrets secrets, TimeProvider clock)
{
    public async Task<IReadOnlyList<string>> HandleAsync(Guid userId, string code, string? clientAddress, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await AccountLookup.ActiveUserAsync(db, userId, ct, forUpdate: true);
        if (user.TotpEnabled)
        {
            throw new EhrException(ErrorCodes.MfaAlreadyEnabled, "Two-step sign-in is already on for this account.", 409);
        }

        if (user.TotpSecret is null)
        {
            throw new EhrException(ErrorCodes.MfaNotEnrolled, "Start the enrolment first.", 409);
        }

        if (secrets.MatchForConfirmation(user, code, now) is not { } step)
        {
            db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.TotpEnabled,
                SecurityEvents.Failure, clientAddress, "wrong code"));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            throw InvalidCode();
        }

        user.ConfirmTotp(step, now);
        var existing = await db.RecoveryCodes.Where(r => r.UserId == user.Id).ToListAsync(ct);
        var codes = RecoveryCodes.Replace(db, user.Id, existing, now);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.TotpEnabled,
            SecurityEvents.Success, clientAddress));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return codes;
    }

    internal static EhrException InvalidCode() =>
        EhrException.Validation([new FieldError("code", ErrorCodes.InvalidCode, "The code is wrong or has expired; use the one your app shows now.")]);
}
