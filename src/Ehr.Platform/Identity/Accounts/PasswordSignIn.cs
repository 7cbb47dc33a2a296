using Ehr.Platform.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

public enum SignInOutcome
{
    Succeeded,
    InvalidCredentials,
    LockedOut,
    Deactivated,
}

/// <summary>
/// The answer to a sign-in step. <see cref="User"/> is set only when the step succeeded (and, for
/// <see cref="SignInOutcome.Deactivated"/>, when the password was right). <see cref="LockedUntil"/> is set when the
/// account is locked, including by this very failure.
/// </summary>
public sealed record SignInAttemptResult(SignInOutcome Outcome, UserAccount? User = null, bool MfaRequired = false,
    DateTimeOffset? LockedUntil = null)
{
    public bool Succeeded => Outcome == SignInOutcome.Succeeded;
}

/// <summary>
/// The first sign-in step: e-mail and password. The user's row is locked (<c>FOR UPDATE</c>) for the attempt, so
/// parallel guesses queue up and each one counts; after <see cref="UserAccount.LockoutThreshold"/> failures in a row
/// the account refuses every password, the right one too, for a growing delay. An unknown e-mail costs one hash
/// verification like a wrong password, so timing does not tell which e-mails have accounts. Every attempt leaves a
/// <see cref="SecurityEvent"/>.
/// </summary>
/// <remarks>
/// With MFA enabled the failure count is not reset here but by the second factor (<see cref="VerifySecondFactor"/>):
/// otherwise someone who knows the password could reset the counter between guesses at the code.
/// </remarks>
public sealed class PasswordSignIn(PlatformDbContext db, IPasswordHasher<UserAccount> hasher, TimeProvider clock)
{
    public async Task<SignInAttemptResult> SignInAsync(string email, string password, string? clientAddress, CancellationToken ct)
    {
        var typed = UserAccount.NormalizeEmail(email ?? "");
        typed = typed.Length > 254 ? typed[..254] : typed;
        password ??= "";
        var now = clock.GetUtcNow();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = (await db.Users.SelectFrom($"FROM platform.users WHERE email = {typed} FOR UPDATE").ToListAsync(ct))
            .SingleOrDefault();
        var result = Attempt(user, password, now);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user?.Id, typed, null, SecurityEvents.SignIn, result.Outcome switch
        {
            SignInOutcome.Succeeded => SecurityEvents.Success,
            SignInOutcome.LockedOut => SecurityEvents.LockedOut,
            SignInOutcome.Deactivated => SecurityEvents.Deactivated,
            _ => SecurityEvents.Failure,
        }, clientAddress, Details(user, result)));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return result;
    }

    private SignInAttemptResult Attempt(UserAccount? user, string password, DateTimeOffset now)
    {
        if (user is null)
        {
            DummyVerification.Run(hasher, password);
            return new SignInAttemptResult(SignInOutcome.InvalidCredentials);
        }

        if (user.IsLockedOut(now))
        {
            return new SignInAttemptResult(SignInOutcome.LockedOut, LockedUntil: user.LockedUntil);
        }

        var verification = user.PasswordHash is null
            ? DummyVerification.Run(hasher, password)
            : hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verification == PasswordVerificationResult.Failed)
        {
            user.RecordFailedSignIn(now);
            return new SignInAttemptResult(SignInOutcome.InvalidCredentials, LockedUntil: user.IsLockedOut(now) ? user.LockedUntil : null);
        }

        if (user.Status != UserStatus.Active)
        {
            return new SignInAttemptResult(SignInOutcome.Deactivated, user);
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.UpgradePasswordHash(hasher.HashPassword(user, password), now);
        }

        if (!user.TotpEnabled)
        {
            user.RecordSuccessfulSignIn(now);
        }

        return new SignInAttemptResult(SignInOutcome.Succeeded, user, MfaRequired: user.TotpEnabled);
    }

    private static string? Details(UserAccount? user, SignInAttemptResult result) => result.Outcome switch
    {
        SignInOutcome.InvalidCredentials when user is null => "unknown account",
        SignInOutcome.InvalidCredentials => $"failures in a row: {user.FailedSignIns}" + (result.LockedUntil is { } until ? $"; locked until {until:O}" : ""),
        SignInOutcome.LockedOut => $"locked until {result.LockedUntil:O}",
        SignInOutcome.Succeeded when result.MfaRequired => "second factor required",
        _ => null,
    };
}

/// <summary>A verification against a fixed hash, so an attempt on an account without a password costs the same time.</summary>
internal static class DummyVerification
{
    private static readonly UserAccount Nobody = UserAccount.Create("nobody@invalid", "nobody", DateTimeOffset.UnixEpoch);
    private static string? _hash;

    public static PasswordVerificationResult Run(IPasswordHasher<UserAccount> hasher, string password)
    {
        _hash ??= hasher.HashPassword(Nobody, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        hasher.VerifyHashedPassword(Nobody, _hash, password);
        return PasswordVerificationResult.Failed;
    }
}
