using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Clinical.Patients;

internal static class PatientWrites
{
    /// <summary>Patients (and their proxies) read their records in the portal; they never change them through these use cases.</summary>
    public static void RefusePatientScoped(Actor actor)
    {
        if (actor.IsPatientScoped)
        {
            throw EhrException.Forbidden($"'{actor.Id}' holds the patient role, which reads its own records and writes none.");
        }
    }
}
