using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

public sealed record NewUser(string? Email, string? DisplayName, string? Password, bool PlatformAdmin = false);

/// <summary>
/// Creates a global account with a password (operators: <c>./ehr users create</c>, and the demo set-up). People
/// joining a tenant normally arrive through an invitation instead (<see cref="AcceptInvitation"/>).
/// </summary>
public sealed class CreateUser(PlatformDbContext db, IPasswordHasher<UserAccount> hasher, TimeProvider clock)
{
    public async Task<UserAccount> HandleAsync(NewUser input, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        AccountInput.Email(input.Email, "email", errors);
        AccountInput.DisplayName(input.DisplayName, "name", errors);
        errors.AddRange(PasswordPolicy.Check(input.Password, input.Email ?? "", PasswordPolicy.PlatformMinimumLength, "password"));
        AccountInput.ThrowIfAny(errors);

        var email = UserAccount.NormalizeEmail(input.Email!);
        if (await db.Users.AnyAsync(u => u.Email == email, ct))
        {
            throw Duplicate();
        }

        var now = clock.GetUtcNow();
        var user = UserAccount.Create(email, input.DisplayName!, now, input.PlatformAdmin);
        user.SetPasswordHash(hasher.HashPassword(user, input.Password!), now);
        db.Users.Add(user);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.AccountCreated,
            SecurityEvents.Success, null, input.PlatformAdmin ? "platform admin" : null));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (AccountInput.IsUniqueViolation(e))
        {
            throw Duplicate();
        }

        return user;
    }

    private static EhrException Duplicate() =>
        EhrException.Validation([new FieldError("email", ErrorCodes.Duplicate, "An account with this e-mail address exists.")]);
}
