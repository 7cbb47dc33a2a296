using System.Security.Cryptography;
using System.Text;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Locations;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>Settings of the accounts feature (section <c>Accounts</c>).</summary>
public sealed class AccountsOptions
{
    public const string SectionName = "Accounts";

    /// <summary>Prefixed to links in e-mails (for example <c>https://demo.ehr.example</c>); empty: links are relative.</summary>
    public string PublicUrl { get; set; } = "";

    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Log invitation links (they are credentials until used or expired). Only for development without a mail
    /// transport: <c>./ehr up</c> turns it on; servers leave it off.
    /// </summary>
    public bool LogInvitationLinks { get; set; }
}

public sealed record InviteUserInput(string? Email, IReadOnlyList<string>? Roles, IReadOnlyList<Guid>? LocationIds);

/// <summary>
/// Invites someone by e-mail to the current tenant with roles and optional location restrictions. The link carries a
/// random 32-byte token; only its SHA-256 is stored. The e-mail goes to the outbox in the same transaction as the
/// invitation, so neither exists without the other. Development has no mail transport: there the link is also logged
/// and shown to the sender (<see cref="InvitationLinks"/>).
/// </summary>
public sealed class InviteUser(
    PlatformDbContext db,
    TenantContext tenants,
    ActorContext actors,
    LocationDirectory locations,
    RoleGrants grants,
    TenantAuditOfPlatformChange audit,
    IOptions<AccountsOptions> options,
    InvitationLinks links,
    TimeProvider clock)
{
    public async Task<InvitationView> HandleAsync(InviteUserInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.UserManage);
        var tenant = tenants.Required;
        var errors = new List<FieldError>();
        AccountInput.Email(input.Email, "input.email", errors);
        await MembershipInput.ValidateAsync(input.Roles, input.LocationIds, "input", locations, await grants.CustomKeysAsync(ct), errors, ct);
        AccountInput.ThrowIfAny(errors);
        await grants.DemandGrantableAsync(input.Roles!, input.LocationIds ?? [], _ => true, "input", ct);

        var email = UserAccount.NormalizeEmail(input.Email!);
        var alreadyMember = await (from m in db.Memberships
                                   join u in db.Users on m.UserId equals u.Id
                                   where m.TenantId == tenant.Id && u.Email == email && m.Status == MembershipStatus.Active
                                   select m.Id).AnyAsync(ct);
        if (alreadyMember)
        {
            throw EhrException.Validation([new FieldError("input.email", ErrorCodes.Duplicate, "This person is already an active member.")]);
        }

        var now = clock.GetUtcNow();
        var (invitation, link) = Prepare(db, tenant, email, input.Roles!, input.LocationIds ?? [], actors.Current.Id, options.Value, now,
            $"You are invited to {tenant.DisplayName}",
            $"You have been invited to {tenant.DisplayName} on Ehr.Saas as {string.Join(", ", input.Roles!.Distinct(StringComparer.Ordinal))}.");

        await audit.CommitAsync(
            [new AuditEvent("invitation.create", "Invitation", invitation.Id.ToString(),
                new { email, roles = invitation.Roles, locationIds = invitation.LocationIds, expiresAt = invitation.ExpiresAt })],
            ct);

        links.Made(invitation, tenant, link);
        return InvitationView.From(invitation, now);
    }

    /// <summary>
    /// Adds an invitation and its e-mail (the outbox) to <paramref name="db"/>, unsaved, so the caller commits them with
    /// whatever else the invitation carries (portal links) and its audit entries. Returns the link, a credential.
    /// </summary>
    internal static (Invitation Invitation, string Link) Prepare(PlatformDbContext db, Tenant tenant, string email,
        IEnumerable<string> roles, IEnumerable<Guid> locations, string invitedBy, AccountsOptions options, DateTimeOffset now,
        string subject, string opening)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var invitation = Invitation.Create(tenant.Id, email, roles, locations, HashToken(token), invitedBy, now, options.InvitationLifetime);
        var link = $"{options.PublicUrl.TrimEnd('/')}/account/invitation?token={token}";
        db.Invitations.Add(invitation);
        db.OutboxEmails.Add(OutboxEmail.Create(tenant.Id, invitation.Email, subject,
            $"""
             {opening}

             Accept the invitation (the link works once and expires on {invitation.ExpiresAt:yyyy-MM-dd HH:mm} UTC):
             {link}

             If you did not expect this e-mail, ignore it.
             """, now));
        return (invitation, link);
    }

    internal static byte[] HashToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
