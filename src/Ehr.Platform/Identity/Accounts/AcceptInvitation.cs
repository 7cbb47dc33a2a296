using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

public sealed record AcceptInvitationInput(string? Token, string? DisplayName, string? Password);

public sealed record AcceptedInvitation(Tenant Tenant, UserAccount User, Membership Membership, bool NewAccount);

/// <summary>
/// Accepts an invitation; no sign-in needed (the token is the proof). A new e-mail gets a new account with the given
/// name and password (checked against the tenant's password policy); an existing account must give its current
/// password, which counts towards its lock-out like any sign-in. The membership is created (or, for someone
/// re-invited, re-assigned and reactivated) once: the invitation row is locked while it is used, and a used, revoked
/// or expired token is refused with its own code. Portal links the invitation carries (a patient's own record, a
/// proxy's) pass to the account, so an existing portal user simply sees one more record; a staff member of the tenant
/// cannot accept a portal invitation (<c>STAFF_MEMBER</c>).
/// </summary>
public sealed class AcceptInvitation(
    PlatformDbContext db,
    TenantCatalog catalog,
    PasswordPolicy policy,
    IPasswordHasher<UserAccount> hasher,
    AuditSealer sealer,
    TimeProvider clock)
{
    public async Task<AcceptedInvitation> HandleAsync(AcceptInvitationInput input, string? clientAddress, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var hash = InviteUser.HashToken(input.Token ?? "");
        var invitation = (await db.Invitations.SelectFrom($"FROM platform.invitations WHERE token_hash = {hash} FOR UPDATE")
                             .ToListAsync(ct)).SingleOrDefault()
                         ?? throw new EhrException(ErrorCodes.InvitationInvalid, "This invitation link is not valid.", 404);
        if (invitation.AcceptedAt is not null)
        {
            throw new EhrException(ErrorCodes.InvitationUsed, "This invitation was already accepted: sign in instead.", 409);
        }

        if (invitation.RevokedAt is not null)
        {
            throw new EhrException(ErrorCodes.InvitationRevoked, "This invitation was withdrawn; ask for a new one.", 410);
        }

        if (invitation.ExpiresAt <= now)
        {
            throw new EhrException(ErrorCodes.InvitationExpired, "This invitation has expired; ask for a new one.", 410);
        }

        var slug = await db.Database.SqlQuery<string>($"SELECT slug AS \"Value\" FROM platform.tenants WHERE id = {invitation.TenantId}")
            .SingleAsync(ct);
        var tenant = await catalog.FindAsync(slug, ct)
                     ?? throw new EhrException(ErrorCodes.InvitationInvalid, "This invitation link is not valid.", 404);
        if (tenant.Status != TenantStatus.Active)
        {
            throw new EhrException(ErrorCodes.TenantSuspended, $"Tenant '{tenant.Slug}' is suspended.", 403);
        }

        var user = (await db.Users.SelectFrom($"FROM platform.users WHERE email = {invitation.Email} FOR UPDATE").ToListAsync(ct))
            .SingleOrDefault();
        var newAccount = user is null;
        user = user is null
            ? await NewAccountAsync(invitation, input, now, ct)
            : await ExistingAccountAsync(user, input, clientAddress, now, tx, ct);

        var membership = await db.Memberships.SingleOrDefaultAsync(m => m.UserId == user.Id && m.TenantId == tenant.Id, ct);
        var action = "membership.create";
        var portalInvitation = Portal.PortalRules.IsPortalOnly(invitation.Roles);
        if (portalInvitation && membership is { Status: MembershipStatus.Active } && !Portal.PortalRules.IsPortalOnly(membership.Roles))
        {
            // One membership per person and tenant: turning a staff member into a portal user would take their work
            // away (the patient role narrows everything). Nothing is written.
            throw new EhrException(ErrorCodes.StaffMember,
                "This account belongs to a staff member of this organisation; ask for the portal invitation to go to another e-mail.", 409);
        }

        if (membership is null)
        {
            membership = Membership.Create(user.Id, tenant.Id, invitation.Roles, invitation.LocationIds, [], now);
            db.Memberships.Add(membership);
        }
        else
        {
            // Re-invited after leaving or being deactivated: the invitation says what they may do now.
            action = "membership.rejoin";
            membership.Assign(invitation.Roles, invitation.LocationIds, now);
            if (membership.Status != MembershipStatus.Active)
            {
                membership.Reactivate(now);
            }
        }

        invitation.Accept(now);
        var linked = await Portal.PortalRules.AttachInvitedLinksAsync(db, invitation, user.Id, now, ct);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, tenant.Slug, SecurityEvents.InvitationAccepted,
            SecurityEvents.Success, clientAddress, newAccount ? "new account" : null));

        // Nobody is signed in: the audit entry's actor is the person accepting, inside the invitation's tenant.
        var actor = new Actor(user.Id.ToString(), tenant.Slug, membership.Roles, clientAddress, PurposeOfUse.SystemAdministration);
        try
        {
            await TenantAuditOfPlatformChange.CommitAsync(db, tenant, actor,
                [new AuditEvent(action, "Membership", membership.Id.ToString(), new
                {
                    userId = user.Id, email = user.Email, roles = membership.Roles, locationIds = membership.LocationIds,
                    invitationId = invitation.Id, invitedBy = invitation.InvitedBy,
                }), .. linked],
                sealer, clock, ct);
        }
        catch (DbUpdateException e) when (AccountInput.IsUniqueViolation(e))
        {
            // Two invitations for one new e-mail accepted at the same instant: the other one created the account.
            throw new EhrException(ErrorCodes.Conflict, "The account was created at the same moment; open the link again.", 409);
        }

        return new AcceptedInvitation(tenant, user, membership, newAccount);
    }

    private async Task<UserAccount> NewAccountAsync(Invitation invitation, AcceptInvitationInput input, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        AccountInput.DisplayName(input.DisplayName, "input.displayName", errors);
        var minimum = await policy.MinimumLengthAsync([invitation.TenantId], ct);
        errors.AddRange(PasswordPolicy.Check(input.Password, invitation.Email, minimum, "input.password"));
        AccountInput.ThrowIfAny(errors);

        var user = UserAccount.Create(invitation.Email, input.DisplayName!, now);
        user.SetPasswordHash(hasher.HashPassword(user, input.Password!), now);
        db.Users.Add(user);
        db.SecurityEvents.Add(SecurityEvent.Create(now, user.Id, user.Email, null, SecurityEvents.AccountCreated,
            SecurityEvents.Success, null, "from invitation " + invitation.Id));
        // The model has no navigations, so EF cannot order the user's insert before the membership's: write it now
        // (still inside the uncommitted platform transaction).
        await db.SaveChangesAsync(ct);
        return user;
    }

    private async Task<UserAccount> ExistingAccountAsync(UserAccount user, AcceptInvitationInput input, string? clientAddress,
        DateTimeOffset now, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, CancellationToken ct)
    {
        var verification = await AccountLookup.RequireCurrentPasswordAsync(db, hasher, user, input.Password, now, clientAddress,
            SecurityEvents.SignIn, "input.password", "This e-mail already has an account: enter its current password.", tx, ct);

        if (user.Status != UserStatus.Active)
        {
            throw new EhrException(ErrorCodes.AccountDeactivated, "This account is deactivated.", 403);
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.UpgradePasswordHash(hasher.HashPassword(user, input.Password!), now);
        }

        return user;
    }
}
