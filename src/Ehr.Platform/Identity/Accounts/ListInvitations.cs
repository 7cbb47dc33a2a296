using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>The current tenant's invitations, newest first: open ones only unless asked for all.</summary>
public sealed class ListInvitations(PlatformDbContext db, TenantContext tenant, ActorContext actors, TimeProvider clock)
{
    public async Task<IReadOnlyList<InvitationView>> HandleAsync(bool includeClosed, int first, CancellationToken ct)
    {
        actors.Demand(Permissions.UserRead);
        if (first is < 1 or > 200)
        {
            throw EhrException.Validation([new FieldError("first", ErrorCodes.OutOfRange, "Between 1 and 200.")]);
        }

        var now = clock.GetUtcNow();
        var tenantId = tenant.Required.Id;
        var query = db.Invitations.AsNoTracking().Where(i => i.TenantId == tenantId);
        if (!includeClosed)
        {
            query = query.Where(i => i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now);
        }

        var rows = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(first).ToListAsync(ct);
        return rows.Select(i => InvitationView.From(i, now)).ToList();
    }
}
