namespace Ehr.Platform.Identity;

/// <summary>
/// Fine-grained permissions checked in the module use cases, and the built-in roles as sets of them. Identity and
/// access (roles as tenant configuration, custom roles) builds on these names; never rename one.
/// </summary>
public static class Permissions
{
    public const string PatientRead = "patient.read";
    public const string PatientWrite = "patient.write";
    public const string AuditRead = "audit.read";
    public const string LocationRead = "location.read";
    public const string TenantAdmin = "tenant.admin";
    public const string PlatformAdmin = "platform.admin";
    public const string ApiClientManage = "apiclient.manage";
    public const string UserRead = "user.read";
    public const string UserManage = "user.manage";
    public const string SecurityManage = "security.manage";

    /// <summary>The platform-level role: runs tenants and jobs, holds no tenant permission.</summary>
    public const string PlatformAdminRole = "platform-admin";

    /// <summary>The role of a tenant's API clients (client credentials).</summary>
    public const string ApiClientRole = "api-client";

    private static readonly Dictionary<string, string[]> TenantRoles = new(StringComparer.Ordinal)
    {
        ["tenant-admin"] = [PatientRead, PatientWrite, AuditRead, LocationRead, TenantAdmin, UserRead, UserManage, SecurityManage, ApiClientManage],
        ["physician"] = [PatientRead, PatientWrite, LocationRead],
        ["nurse-practitioner"] = [PatientRead, PatientWrite, LocationRead],
        ["nurse"] = [PatientRead, PatientWrite, LocationRead],
        ["medical-assistant"] = [PatientRead, PatientWrite, LocationRead],
        ["front-desk"] = [PatientRead, PatientWrite, LocationRead],
        ["biller"] = [PatientRead, LocationRead],
        ["auditor"] = [AuditRead, LocationRead],
        ["api-client"] = [PatientRead, PatientWrite, LocationRead],
    };

    public static IReadOnlyCollection<string> BuiltInTenantRoles => TenantRoles.Keys;

    public static bool IsKnownRole(string role) =>
        TenantRoles.ContainsKey(role) || role == PlatformAdminRole;

    /// <summary>Every permission name.</summary>
    public static IReadOnlyList<string> All { get; } =
        TenantRoles.Values.SelectMany(p => p).Append(PlatformAdmin).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Whether <paramref name="permission"/> is one a tenant role can hold.</summary>
    public static bool IsTenantPermission(string permission) => TenantRoles.Values.Any(p => p.Contains(permission));

    internal static IEnumerable<string> ForTenantRole(string role) =>
        TenantRoles.TryGetValue(role, out var permissions) ? permissions : [];
}
