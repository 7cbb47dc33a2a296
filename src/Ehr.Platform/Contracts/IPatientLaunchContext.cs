namespace Ehr.Platform.Contracts;

/// <summary>
/// The patient a form or a note is started for, as a launch context (SDC <c>%patient</c>): a FHIR R4 Patient in JSON
/// (names, birth date, gender, identifiers with the MRN, telecom, address). The patients live in the clinical module,
/// which implements this (dependency inversion) and reads the record under the caller's access rules: it demands
/// <c>patient.read</c>, answers <c>NOT_FOUND</c> for a patient this tenant does not have and
/// <c>RESTRICTED_RECORD</c> for a restricted record the caller may not open (the refused attempt stays audited),
/// audits the read (<c>patient.read</c>, with the purpose) and records it as a disclosure to an API client.
/// </summary>
public interface IPatientLaunchContext
{
    /// <param name="purpose">What the data is read for, recorded in the audit entry, e.g. <c>note prefill</c>.</param>
    Task<string> ReadPatientAsync(Guid patientId, string purpose, CancellationToken ct);
}
