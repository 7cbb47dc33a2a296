using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Portal;

/// <summary>
/// Who can see a patient's record in the portal: the patient's own account and their proxies, with pending invitations;
/// expired and revoked links too when asked. Refused like a read for a restricted record outside the caller's care team.
/// </summary>
public sealed class ListPortalAccess(PlatformDbContext db, TenantContext tenants, ActorContext actors, IPortalPatients patients, TimeProvider clock)
{
    public async Task<IReadOnlyList<PortalLinkView>> HandleAsync(Guid patientId, bool includeInactive, CancellationToken ct)
    {
        actors.Demand(Permissions.PortalManage);
        var tenantId = tenants.Required.Id;
        switch (await patients.CheckAsync(patientId, ct))
        {
            case PortalPatientCheck.NotFound:
                throw EhrException.NotFound("Patient " + patientId);
            case PortalPatientCheck.Restricted:
                throw EhrException.RestrictedRecord("Patient " + patientId);
        }

        var now = clock.GetUtcNow();
        var rows = await PortalRules.LinksAsync(db, tenantId, l => l.PatientId == patientId, ct);
        return rows.Select(r => r.ToView(now))
            .Where(v => includeInactive || v.Status is PortalLinkStatus.Active or PortalLinkStatus.Pending)
            .ToList();
    }
}
