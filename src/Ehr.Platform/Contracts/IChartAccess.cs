namespace Ehr.Platform.Contracts;

/// <summary>
/// The chart's access rules for records other modules keep about a patient (form responses): whether the patient
/// exists, whether their record is open to the caller (restricted records: care team, the patient, a break-the-glass
/// grant), and the audit entry and disclosure of a read. Implemented by the clinical module, which owns patients; the
/// caller keeps its own permission checks and the patient role's own-records rule.
/// </summary>
public interface IChartAccess
{
    /// <summary>
    /// Before a change about the patient: <c>NOT_FOUND</c> when this tenant has no such patient,
    /// <c>RESTRICTED_RECORD</c> when their record is not open to the caller.
    /// </summary>
    Task RequireOpenAsync(Guid patientId, CancellationToken ct);

    /// <summary>
    /// A read of part of the patient's chart, inside the caller's transaction: decides access, writes the read's audit
    /// entry (<paramref name="action"/> on <paramref name="resourceType"/>/<paramref name="resourceId"/>, details built
    /// with the break-the-glass grant used, if any; outcome <c>restricted</c> when refused) and, when something was
    /// released (<paramref name="released"/> names it) to an API client, the disclosure. Returns whether the record is
    /// open; the caller refuses with <c>RESTRICTED_RECORD</c> after committing, so the refused attempt stays on record.
    /// <c>NOT_FOUND</c> when this tenant has no such patient.
    /// </summary>
    Task<bool> RecordReadAsync(Guid patientId, string action, string resourceType, string resourceId, Func<Guid?, object> details,
        string? released, CancellationToken ct);
}
