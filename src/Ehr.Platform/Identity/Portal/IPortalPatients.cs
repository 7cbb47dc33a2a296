namespace Ehr.Platform.Identity.Portal;

/// <summary>What the portal use cases need to know about a patient before granting anyone access to the record.</summary>
public enum PortalPatientCheck
{
    /// <summary>The patient exists in this tenant and the caller may read the record.</summary>
    Found,

    /// <summary>This tenant has no patient with that id.</summary>
    NotFound,

    /// <summary>The record is restricted and the caller is not on its care team (and holds no break-the-glass grant).</summary>
    Restricted,
}

/// <summary>
/// The patient records the portal grants access to live in the clinical module, which the platform must not reference:
/// the clinical module implements this contract (dependency inversion), within the scope's tenant and actor.
/// </summary>
public interface IPortalPatients
{
    Task<PortalPatientCheck> CheckAsync(Guid patientId, CancellationToken ct);
}
