using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// Withdraws an open invitation: its link stops working at once. Revoking twice is harmless; an accepted invitation
/// cannot be revoked (deactivate the member instead).
/// </summary>
public sealed class RevokeInvitation(PlatformDbContext db, TenantContext tenants, ActorContext actors,
    TenantAuditOfPlatformChange audit, TimeProvider clock)
{
    public async Task<InvitationView> HandleAsync(Guid invitationId, CancellationToken ct)
    {
        actors.Demand(Permissions.UserManage);
        var tenantId = tenants.Required.Id;
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var invitation = (await db.Invitations.SelectFrom(
                    $"FROM platform.invitations WHERE id = {invitationId} AND tenant_id = {tenantId} FOR UPDATE")
                .ToListAsync(ct)).SingleOrDefault()
            ?? throw EhrException.NotFound("Invitation " + invitationId);
        if (invitation.AcceptedAt is not null)
        {
            throw new EhrException(ErrorCodes.InvitationUsed, "This invitation was already accepted; deactivate the member instead.", 409);
        }

        if (invitation.RevokedAt is null)
        {
            invitation.Revoke(now);
            await audit.CommitAsync(
                [new AuditEvent("invitation.revoke", "Invitation", invitation.Id.ToString(), new { email = invitation.Email })],
                ct);
        }

        return InvitationView.From(invitation, now);
    }
}
