namespace Ehr.Platform.Contracts;

/// <summary>
/// How to reach a patient, for messages other modules send them (an intake link): read under the chart's rules,
/// implemented by the clinical module, which owns patients.
/// </summary>
public interface IPatientContacts
{
    /// <summary>
    /// The patient's first e-mail address on record, or null when they have none. <c>NOT_FOUND</c> when this tenant has
    /// no such patient, <c>RESTRICTED_RECORD</c> when their record is not open to the caller.
    /// </summary>
    Task<string?> EmailAsync(Guid patientId, CancellationToken ct);
}
