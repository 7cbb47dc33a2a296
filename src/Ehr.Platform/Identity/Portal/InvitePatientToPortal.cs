using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Ehr.Platform.Identity.Portal;

public sealed record InvitePatientToPortalInput(Guid? PatientId, string? Email);

/// <summary>
/// Invites a patient to the portal from their record: an invitation for the patient role (the ordinary invitation flow,
/// e-mail in the outbox) carrying a <c>self</c> link to the record. The link gives access once the invitation is
/// accepted, by a new account or an existing one (which then sees this record too). Refused for a patient who already
/// has portal access or an open portal invitation (revoke it to send another), for an unknown patient and for an
/// e-mail of one of the tenant's staff.
/// </summary>
public sealed class InvitePatientToPortal(
    PlatformDbContext db,
    TenantContext tenants,
    ActorContext actors,
    IPortalPatients patients,
    TenantAuditOfPlatformChange audit,
    IOptions<AccountsOptions> options,
    InvitationLinks links,
    TimeProvider clock)
{
    public async Task<PortalLinkView> HandleAsync(InvitePatientToPortalInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.PortalManage);
        var tenant = tenants.Required;
        var errors = new List<FieldError>();
        await PortalRules.PatientAsync(patients, input.PatientId, "input.patientId", errors, ct);
        AccountInput.Email(input.Email, "input.email", errors);
        AccountInput.ThrowIfAny(errors);

        var patientId = input.PatientId!.Value;
        var email = UserAccount.NormalizeEmail(input.Email!);
        if (await PortalRules.ActiveMemberByEmailAsync(db, tenant.Id, email, ct) is { } member && !PortalRules.IsPortalOnly(member.Roles))
        {
            throw EhrException.Validation([new FieldError("input.email", ErrorCodes.StaffMember,
                "This e-mail belongs to a staff member of this organisation; the patient needs an e-mail of their own for the portal.")]);
        }

        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await PortalRules.LockPatientAsync(db, tenant.Id, patientId, ct);
        // One own-record access per patient: a linked account, or an invitation that can still be accepted.
        var hasAccess = await (from l in db.PortalLinks
                               where l.TenantId == tenant.Id && l.PatientId == patientId && l.Relationship == PortalRelationships.Self
                                     && l.RevokedAt == null
                               from i in db.Invitations.Where(i => i.Id == l.InvitationId).DefaultIfEmpty()
                               where l.UserId != null || (i != null && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
                               select l.Id).AnyAsync(ct);
        if (hasAccess)
        {
            throw EhrException.Validation([new FieldError("input.patientId", ErrorCodes.Duplicate,
                "This patient already has portal access or an open portal invitation; revoke it first to invite again.")]);
        }

        var (invitation, link) = InviteUser.Prepare(db, tenant, email, [Permissions.PatientRole], [], actors.Current.Id, options.Value, now,
            $"Your patient portal at {tenant.DisplayName}",
            $"{tenant.DisplayName} invites you to its patient portal on Ehr.Saas, where you can see your record.");
        var portalLink = PortalLink.Create(tenant.Id, patientId, null, invitation.Id, PortalRelationships.Self, null, actors.Current.Id, now);
        db.PortalLinks.Add(portalLink);
        await audit.CommitAsync(
        [
            new AuditEvent("invitation.create", "Invitation", invitation.Id.ToString(),
                new { email, roles = invitation.Roles, locationIds = invitation.LocationIds, expiresAt = invitation.ExpiresAt }),
            new AuditEvent("portal.invite", "Patient", patientId.ToString(),
                new { linkId = portalLink.Id, invitationId = invitation.Id, email, relationship = portalLink.Relationship }),
        ], ct);

        links.Made(invitation, tenant, link);
        return await PortalRules.ViewAsync(db, tenant.Id, portalLink.Id, now, ct);
    }
}
