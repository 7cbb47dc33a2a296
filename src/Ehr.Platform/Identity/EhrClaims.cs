namespace Ehr.Platform.Identity;

/// <summary>Claim names in our access tokens (JWT names, not the long WS-* URIs).</summary>
public static class EhrClaims
{
    public const string Subject = "sub";
    public const string Tenant = "tenant";
    public const string Role = "role";
    public const string Name = "name";
}
