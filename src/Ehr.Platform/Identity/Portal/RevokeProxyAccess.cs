using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Portal;

/// <summary>
/// Ends a portal link (a proxy's access, or a patient's own): it stops applying on the holder's next request. A link
/// still waiting for its invitation ends too, and so does that invitation when it carries nothing else. Revoking twice
/// is harmless; the link stays on record.
/// </summary>
public sealed class RevokeProxyAccess(PlatformDbContext db, TenantContext tenants, ActorContext actors,
    TenantAuditOfPlatformChange audit, TimeProvider clock)
{
    public async Task<PortalLinkView> HandleAsync(Guid linkId, CancellationToken ct)
    {
        actors.Demand(Permissions.PortalManage);
        var tenantId = tenants.Required.Id;
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var link = (await db.PortalLinks.SelectFrom(
                    $"FROM platform.portal_links WHERE id = {linkId} AND tenant_id = {tenantId} FOR UPDATE")
                .ToListAsync(ct)).SingleOrDefault()
            ?? throw EhrException.NotFound("Portal access " + linkId);
        if (link.RevokedAt is null)
        {
            var by = actors.Current.Id;
            link.Revoke(by, now);
            var entries = new List<AuditEvent>
            {
                new("portal.access.revoke", "Patient", link.PatientId.ToString(),
                    new { linkId = link.Id, userId = link.UserId, invitationId = link.InvitationId, relationship = link.Relationship }),
            };
            if (link.UserId is null && link.InvitationId is { } invitationId)
            {
                var invitation = await db.Invitations.SingleAsync(i => i.Id == invitationId, ct);
                var carriesMore = await db.PortalLinks.AnyAsync(l => l.InvitationId == invitationId && l.Id != link.Id && l.RevokedAt == null, ct);
                if (invitation.IsOpen(now) && !carriesMore)
                {
                    invitation.Revoke(now);
                    entries.Add(new AuditEvent("invitation.revoke", "Invitation", invitation.Id.ToString(), new { email = invitation.Email }));
                }
            }

            await audit.CommitAsync(entries, ct);
        }

        return await PortalRules.ViewAsync(db, tenantId, link.Id, now, ct);
    }
}
