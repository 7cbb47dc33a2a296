using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// The scopes this server grants. <c>ehr</c> gives a person's session every permission their roles hold (what the
/// console and a tenant's own apps ask for); a permission name as a scope (<c>patient.read</c>) narrows a token to
/// that permission, which is how API clients are scoped.
/// </summary>
public static class EhrScopes
{
    public const string FullAccess = "ehr";

    public static IReadOnlyList<string> Standard { get; } = [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.OfflineAccess, FullAccess];

    /// <summary>Permissions an API client may be granted: every tenant permission but administering the tenant itself or other API clients.</summary>
    public static bool IsGrantableToClients(string permission) =>
        Permissions.IsTenantPermission(permission) && permission is not (Permissions.TenantAdmin or Permissions.ApiClientManage);
}
