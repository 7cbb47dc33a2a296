using Ehr.Platform.Errors;

namespace Ehr.Platform.Tenancy;

/// <summary>
/// The tenant of the current scope (a request, a job, a CLI command). Bound once, before anything touches tenant data,
/// and never changed afterwards: a scope that needs another tenant is a new scope.
/// </summary>
public sealed class TenantContext
{
    private Tenant? _tenant;

    public Tenant? Tenant => _tenant;

    public bool IsBound => _tenant is not null;

    /// <summary>The bound tenant, or <c>TENANT_REQUIRED</c> when the scope has none.</summary>
    public Tenant Required => _tenant ?? throw new EhrException(ErrorCodes.TenantRequired,
        "This operation needs a tenant: send a token issued for one, or the tenant's host name.", 400);

    public void Bind(Tenant tenant)
    {
        if (_tenant is not null && _tenant.Id != tenant.Id)
        {
            throw new InvalidOperationException("The tenant of a scope cannot change once it is bound.");
        }

        _tenant = tenant;
    }
}
