using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>
/// The platform's <see cref="IChartAccess"/> over <see cref="PatientAccess"/>, so records other modules keep about a
/// patient (form responses) are changed and read under the same rules as the chart.
/// </summary>
internal sealed class ChartAccess(TenantDbContext db, PatientAccess access) : IChartAccess
{
    public async Task RequireOpenAsync(Guid patientId, CancellationToken ct) => await access.RequireOpenAsync([patientId], ct);

    public async Task<bool> RecordReadAsync(Guid patientId, string action, string resourceType, string resourceId, Func<Guid?, object> details,
        string? released, CancellationToken ct)
    {
        var patient = await db.Set<Patient>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, ct)
            ?? throw EhrException.NotFound("Patient " + patientId);
        return await access.RecordChartReadAsync(patient, action, resourceType, resourceId, details, released, ct);
    }
}
