using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// The second sign-in step, after <see cref="PasswordSignIn"/> answered <c>MfaRequired</c>: a TOTP code (current step
/// or one either side, each step accepted once) or a one-time recovery code. A wrong code counts as a failed sign-in,
/// so the lock-out that slows password guessing slows code guessing too; success clears the count. The caller (the
/// authorization server's sign-in pages) is responsible for having seen the password step succeed for this user.
/// </summary>
public sealed class VerifySecondFactor(PlatformDbContext db, TotpSecrets secrets, TimeProvider clock)
{
    public Task<SignInAttemptResult> TotpAsync(Guid userId, string code, string? clientAddress, CancellationToken ct) =>
        VerifyAsync(userId, clientAddress, SecurityEvents.SecondFactor,
            (user, now, _) => Task.FromResult(secrets.Accept(user, code, now)), ct);

    public Task<SignInAttemptResult> RecoveryCodeAsync(Guid userId, string code, string? clientAddress, CancellationToken ct) =>
        VerifyAsync(userId, clientAddress, SecurityEvents.RecoveryCode,
            (user, now, token) => RecoveryCodes.UseAsync(db, user.Id, code, now, token), ct);

    private async Task<SignInAttemptResult> VerifyAsync(Guid userId, string? clientAddress, string evt,
        Func<UserAccount, DateTimeOffset, CancellationToken, Task<bool>> check, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await AccountLookup.ActiveUserAsync(db, userId, ct, forUpdate: true);
        if (!user.TotpEnabled)
        {
            throw new EhrException(ErrorCodes.MfaNotEnrolled, "Two-step sign-in is not on for this account.", 409);
        }

        SignInAttemptResult result;
        string outcome;
        if (user.IsLockedOut(now))
        {
            (result, outcome) = (new SignInAttemptResult(SignInOutcome.LockedOut, LockedUntil: user.LockedUntil), SecurityEvents.LockedOut);
        }
        else if (await check(user, now, ct))
        {
            user.RecordSuccessfulSignIn(now);
            (result, outcome) = (new SignInAttemptResult(SignInOutcome.Succeeded, user), SecurityEvents.Success);
        }
        else
        {
            user.RecordFailedSignIn(now);
            (result, outcome) = (new SignInAttemptResult(SignInOutcome.InvalidCredentials, LockedUntil: user.IsLockedOut(now) ? user.LockedUntil : null),
                SecurityEvents.Failure);
        }

        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, evt, outcome, clientAddress,
            outcome == SecurityEvents.Success ? null : $"failures in a row: {user.FailedSignIns}"));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return result;
    }
}
