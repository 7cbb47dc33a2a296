using Ehr.Platform.Contracts;

namespace Ehr.Clinical.Patients;

/// <summary>The platform's <see cref="IPatientContacts"/>: a patient's e-mail address, once the chart's rules let the caller near the record.</summary>
internal sealed class PatientContacts(PatientAccess access) : IPatientContacts
{
    public async Task<string?> EmailAsync(Guid patientId, CancellationToken ct)
    {
        var patient = (await access.RequireOpenAsync([patientId], ct))[0];
        return patient.Telecom.FirstOrDefault(t => t.System == "email")?.Value;
    }
}
