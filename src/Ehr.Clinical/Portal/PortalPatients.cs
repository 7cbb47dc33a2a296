using Ehr.Clinical.Patients;
using Ehr.Platform.Identity.Portal;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Portal;

/// <summary>
/// The clinical side of the platform's portal use cases: whether a patient exists in the scope's tenant and whether the
/// caller may read the record (restricted records: their care team, or a break-the-glass grant). Reads no
/// demographics, so it writes no audit entry of its own; the portal use case audits what it does with the answer.
/// </summary>
internal sealed class PortalPatients(TenantDbContext db, PatientAccess access) : IPortalPatients
{
    public async Task<PortalPatientCheck> CheckAsync(Guid patientId, CancellationToken ct)
    {
        var patient = await db.Set<Patient>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, ct);
        if (patient is null)
        {
            return PortalPatientCheck.NotFound;
        }

        var decision = await access.DecideAsync([patient], ct);
        return decision.Refused.Count > 0 ? PortalPatientCheck.Restricted : PortalPatientCheck.Found;
    }
}
