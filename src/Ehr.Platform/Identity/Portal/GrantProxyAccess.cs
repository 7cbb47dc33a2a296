using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Ehr.Platform.Identity.Portal;

/// <param name="UserId">An existing portal user of this tenant; or give <paramref name="Email"/> instead.</param>
/// <param name="Email">
/// The proxy's e-mail: an existing portal user of this tenant with that e-mail gets the access at once; anyone else gets
/// a portal invitation that carries it.
/// </param>
/// <param name="Relationship">parent, guardian, caregiver or other.</param>
/// <param name="ExpiresAt">Optional; in the future. The access stops by itself then.</param>
public sealed record GrantProxyAccessInput(Guid? PatientId, Guid? UserId, string? Email, string? Relationship, DateTimeOffset? ExpiresAt);

/// <summary>
/// Gives a person proxy access to a patient's record in the portal (a parent for a child, a caregiver ...), optionally
/// until a date. Applies from the proxy's next request (<see cref="Authorization.AccessCheck"/> reads the links every
/// time). Audited in the tenant's chain against the patient. A person with live access to the record already (their
/// own or as proxy) is refused with <c>DUPLICATE</c>; everything is validated before anything is written.
/// </summary>
public sealed class GrantProxyAccess(
    PlatformDbContext db,
    TenantContext tenants,
    ActorContext actors,
    IPortalPatients patients,
    TenantAuditOfPlatformChange audit,
    IOptions<AccountsOptions> options,
    InvitationLinks links,
    TimeProvider clock)
{
    public async Task<PortalLinkView> HandleAsync(GrantProxyAccessInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.PortalManage);
        var tenant = tenants.Required;
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        await PortalRules.PatientAsync(patients, input.PatientId, "input.patientId", errors, ct);
        var relationship = input.Relationship?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(relationship))
        {
            errors.Add(new FieldError("input.relationship", ErrorCodes.Required, "The relationship is required."));
        }
        else if (!PortalRelationships.Proxy.Contains(relationship))
        {
            errors.Add(new FieldError("input.relationship", ErrorCodes.UnknownReference,
                $"Unknown relationship '{input.Relationship}'. Known: {string.Join(", ", PortalRelationships.Proxy)} (a patient's own access comes from inviting them)."));
        }

        if (input.ExpiresAt is { } expires && expires <= now)
        {
            errors.Add(new FieldError("input.expiresAt", ErrorCodes.OutOfRange, "The expiry must be in the future."));
        }

        // Who: an existing portal user by id, or an e-mail.
        Guid? userId = null;
        string? email = null;
        var personPath = "input.email";
        if (input.UserId is not null && input.Email is not null)
        {
            errors.Add(new FieldError("input.userId", ErrorCodes.InvalidFormat, "Give either the portal user's id or an e-mail, not both."));
        }
        else if (input.UserId is { } id)
        {
            personPath = "input.userId";
            var member = await db.Memberships.AsNoTracking()
                .Where(m => m.TenantId == tenant.Id && m.UserId == id && m.Status == MembershipStatus.Active)
                .Select(m => m.Roles).SingleOrDefaultAsync(ct);
            if (member is null || !PortalRules.IsPortalOnly(member))
            {
                errors.Add(new FieldError("input.userId", ErrorCodes.UnknownReference, "No active portal user of this organisation has this id."));
            }
            else
            {
                userId = id;
            }
        }
        else
        {
            AccountInput.Email(input.Email, "input.email", errors);
            if (errors.All(e => e.Path != "input.email"))
            {
                email = UserAccount.NormalizeEmail(input.Email!);
                if (await PortalRules.ActiveMemberByEmailAsync(db, tenant.Id, email, ct) is { } member)
                {
                    if (PortalRules.IsPortalOnly(member.Roles))
                    {
                        userId = member.UserId;
                    }
                    else
                    {
                        errors.Add(new FieldError("input.email", ErrorCodes.StaffMember,
                            "This e-mail belongs to a staff member of this organisation; a proxy needs a portal account of their own."));
                    }
                }
            }
        }

        AccountInput.ThrowIfAny(errors);
        var patientId = input.PatientId!.Value;

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await PortalRules.LockPatientAsync(db, tenant.Id, patientId, ct);
        if (userId is { } holder)
        {
            var live = await db.PortalLinks.AnyAsync(l => l.TenantId == tenant.Id && l.PatientId == patientId && l.UserId == holder
                && l.RevokedAt == null && (l.ExpiresAt == null || l.ExpiresAt > now), ct);
            if (live)
            {
                throw EhrException.Validation([new FieldError(personPath, ErrorCodes.Duplicate,
                    "This person already has access to this record; revoke it first to change it.")]);
            }
        }

        Invitation? invitation = null;
        string? link = null;
        if (userId is null)
        {
            (invitation, link) = InviteUser.Prepare(db, tenant, email!, [Permissions.PatientRole], [], actors.Current.Id, options.Value, now,
                $"Access to a patient record at {tenant.DisplayName}",
                $"{tenant.DisplayName} gives you access, as {relationship}, to a patient's record in its patient portal on Ehr.Saas.");
        }

        var portalLink = PortalLink.Create(tenant.Id, patientId, userId, invitation?.Id, relationship!, input.ExpiresAt, actors.Current.Id, now);
        db.PortalLinks.Add(portalLink);
        var entries = new List<AuditEvent>();
        if (invitation is not null)
        {
            entries.Add(new AuditEvent("invitation.create", "Invitation", invitation.Id.ToString(),
                new { email, roles = invitation.Roles, locationIds = invitation.LocationIds, expiresAt = invitation.ExpiresAt }));
        }

        entries.Add(new AuditEvent("portal.proxy.grant", "Patient", patientId.ToString(), new
        {
            linkId = portalLink.Id, userId, invitationId = invitation?.Id, email, relationship, expiresAt = input.ExpiresAt,
        }));
        await audit.CommitAsync(entries, ct);

        if (invitation is not null)
        {
            links.Made(invitation, tenant, link!);
        }

        return await PortalRules.ViewAsync(db, tenant.Id, portalLink.Id, now, ct);
    }
}
