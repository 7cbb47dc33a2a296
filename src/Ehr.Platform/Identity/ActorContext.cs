using System.Net;
using System.Security.Claims;
using Ehr.Platform.Errors;
using Ehr.Platform.Tenancy;

namespace Ehr.Platform.Identity;

/// <summary>
/// Who is acting in the current scope, from where and why: what every audit entry records and every use case checks.
/// A person's tenant permissions apply only when their token was issued for the scope's tenant.
/// </summary>
public sealed class ActorContext(TenantContext tenantContext)
{
    private Actor? _actor;

    public Actor Current => _actor ?? throw new EhrException(ErrorCodes.Unauthenticated, "Sign in first.", 401);

    public bool IsBound => _actor is not null;

    public void Bind(Actor actor)
    {
        if (_actor is not null && _actor != actor)
        {
            throw new InvalidOperationException("The actor of a scope cannot change once it is bound.");
        }

        _actor = actor;
    }

    public bool Has(string permission)
    {
        if (_actor is null)
        {
            return false;
        }

        if (permission == Permissions.PlatformAdmin)
        {
            return _actor.Roles.Contains(Permissions.PlatformAdminRole);
        }

        if (_actor.IsSystem)
        {
            return true;
        }

        var tenant = tenantContext.Tenant;
        return tenant is not null &&
               string.Equals(_actor.TenantSlug, tenant.Slug, StringComparison.Ordinal) &&
               _actor.Roles.SelectMany(Permissions.ForTenantRole).Contains(permission);
    }

    /// <summary>Refuses with <c>UNAUTHENTICATED</c> or <c>FORBIDDEN</c> unless the actor holds the permission.</summary>
    public void Demand(string permission)
    {
        var actor = Current;
        if (!Has(permission))
        {
            throw EhrException.Forbidden($"'{actor.Id}' lacks the permission '{permission}'.");
        }
    }
}

/// <summary>An authenticated person or client, or the system itself (jobs, provisioning).</summary>
public sealed record Actor(string Id, string? TenantSlug, IReadOnlyList<string> Roles, string? ClientAddress,
    string Purpose, bool IsSystem = false)
{
    public static Actor System(string what, string? tenantSlug = null) =>
        new("system:" + what, tenantSlug, [], null, PurposeOfUse.SystemAdministration, IsSystem: true);

    public static Actor FromPrincipal(ClaimsPrincipal user, IPAddress? address, string purpose) => new(
        user.FindFirst(EhrClaims.Subject)?.Value ?? "anonymous",
        user.FindFirst(EhrClaims.Tenant)?.Value,
        user.FindAll(EhrClaims.Role).Select(c => c.Value).ToArray(),
        address?.ToString(),
        purpose);

    public bool Equals(Actor? other) => other is not null && Id == other.Id && TenantSlug == other.TenantSlug;

    public override int GetHashCode() => HashCode.Combine(Id, TenantSlug);
}

/// <summary>The HL7 v3 PurposeOfUse codes a client may send in <c>X-Purpose-Of-Use</c>; treatment when absent.</summary>
public static class PurposeOfUse
{
    public const string Treatment = "TREAT";
    public const string SystemAdministration = "SYSADMIN";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "TREAT", "ETREAT", "HPAYMT", "HOPERAT", "CAREMGT", "PATRQT", "PUBHLTH", "HRESCH", "HLEGAL", "HMARKT",
        "COVERAGE", "SYSADMIN", "HDIRECT", "FAMRQT", "PWATRNY", "SUPNWK",
    };
}
