using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Intake;

/// <summary>The tenant's intake-link settings (location.read: tenant configuration every staff member sees).</summary>
public sealed class GetIntakeSettings(TenantDbContext db, ActorContext actors)
{
    public async Task<IntakeSettings> HandleAsync(CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        return await CurrentAsync(db, tracked: false, ct);
    }

    internal static async Task<IntakeSettings> CurrentAsync(TenantDbContext db, bool tracked, CancellationToken ct)
    {
        var settings = tracked ? db.Set<IntakeSettings>() : db.Set<IntakeSettings>().AsNoTracking();
        return await settings.SingleOrDefaultAsync(ct) ?? IntakeSettings.Defaults();
    }
}
