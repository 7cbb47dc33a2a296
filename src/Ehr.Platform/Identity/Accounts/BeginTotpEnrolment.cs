using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.AspNetCore.Identity;
using System.Security.Cryptography;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using OtpNet;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>What an authenticator app needs: the <c>otpauth://</c> URI (for a QR code) and the secret in base32 (to type in).</summary>
public sealed record TotpEnrolment(string Secret, string Uri);

/// <summary>
/// Starts TOTP enrolment for a person: a new random 20-byte secret, stored protected, not active until
/// <see cref="ConfirmTotpEnrolment"/> sees a valid code. Refused while MFA is enabled: replacing an active secret
/// would switch MFA off until the new one is confirmed, which a stolen session must not be able to do.
/// </summary>
public sealed class BeginTotpEnrolment(PlatformDbContext db, TotpSecrets secrets, TimeProvider clock)
{
    public async Task<TotpEnrolment> HandleAsync(Guid userId, string? clientAddress, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var user = await AccountLookup.ActiveUserAsync(db, userId, ct);
        if (user.TotpEnabled)
        {
            throw new EhrException(ErrorCodes.MfaAlreadyEnabled, "Two-step sign-in is already on for this account.", 409);
        }

        var secret = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(TotpCodes.SecretBytes));
        user.BeginTotpEnrolment(secrets.Protect(secret), now);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.TotpEnrolmentBegun,
            SecurityEvents.Success, clientAddress));
        await AccountLookup.SaveAsync(db, ct);
        return new TotpEnrolment(secret, TotpCodes.Uri(secret, user.Email));
    }
}

/// <summary>Loading and saving accounts the same way in every use case.</summary>
internal static class AccountLookup
{
    public static async Task<UserAccount> ActiveUserAsync(PlatformDbContext db, Guid userId, CancellationToken ct, bool forUpdate = false)
    {
        var user = forUpdate
            ? (await db.Users.SelectFrom($"FROM platform.users WHERE id = {userId} FOR UPDATE").ToListAsync(ct)).SingleOrDefault()
            : await db.Users.SingleOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            throw EhrException.NotFound("Account " + userId);
        }

        return user.Status == UserStatus.Active
            ? user
            : throw new EhrException(ErrorCodes.AccountDeactivated, "This account is deactivated.", 403);
    }

    /// <summary>
    /// Checks a person's current password before a sensitive change (accepting an invitation with an existing
    /// account, changing the password). A locked account is refused; a wrong password counts as a failed sign-in,
    /// committed in <paramref name="tx"/> before the refusal (<c>INVALID_CREDENTIALS</c> at <paramref name="path"/>).
    /// </summary>
    public static async Task<PasswordVerificationResult> RequireCurrentPasswordAsync(PlatformDbContext db,
        IPasswordHasher<UserAccount> hasher, UserAccount user, string? password, DateTimeOffset now, string? clientAddress,
        string securityEvent, string path, string message, IDbContextTransaction tx, CancellationToken ct)
    {
        if (user.IsLockedOut(now))
        {
            throw new EhrException(ErrorCodes.LockedOut, $"Too many failed attempts; try again after {user.LockedUntil:u}.", 429);
        }

        var verification = user.PasswordHash is null
            ? DummyVerification.Run(hasher, password ?? "")
            : hasher.VerifyHashedPassword(user, user.PasswordHash, password ?? "");
        if (verification == PasswordVerificationResult.Failed)
        {
            // The failure must count even though the change is refused: commit it, then refuse.
            user.RecordFailedSignIn(now);
            db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, securityEvent,
                SecurityEvents.Failure, clientAddress, "wrong current password"));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            throw EhrException.Validation([new FieldError(path, ErrorCodes.InvalidCredentials, message)]);
        }

        return verification;
    }

    /// <summary>Saves; two changes of one account at once are refused with <c>CONFLICT</c> rather than merged.</summary>
    public static async Task SaveAsync(PlatformDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new EhrException(ErrorCodes.Conflict, "The account was changed at the same moment; try again.", 409);
        }
    }
}
