namespace Ehr.Platform.Identity;

/// <summary>Claim names in our access tokens (JWT names, not the long WS-* URIs).</summary>
public static class EhrClaims
{
    public const string Subject = "sub";
    public const string Tenant = "tenant";
    public const string Role = "role";
    public const string Name = "name";

    /// <summary>A location the membership is restricted to (repeated); absent means every location.</summary>
    public const string Location = "location";

    /// <summary>For the patient role: a patient record the person may see (their own, or one they are proxy for).</summary>
    public const string Patient = "patient";

    /// <summary><c>client</c> on client-credentials tokens (API clients); absent for people.</summary>
    public const string ActorKind = "actor_kind";
}
