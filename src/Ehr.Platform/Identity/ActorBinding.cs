using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Identity.Roles;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Platform.Identity;

/// <summary>
/// Binding a scope's actor as the HTTP pipeline does (<see cref="ActorBindingMiddleware"/>), for scopes that outlive or
/// lie outside one request: the operations and deliveries of a WebSocket connection. The tenant must be bound first.
/// </summary>
public sealed class ActorBinding(ActorContext actors, TenantContext tenants, AccessCheck access, IServiceProvider services)
{
    /// <summary>
    /// The actor a token describes, as the catalog allows it now: status, membership, roles, locations, patient links,
    /// and whether the token or its authorization was revoked (null actor: refused). Development tokens name no catalog
    /// entry and are taken as they are (<c>Identity:DevelopmentTokens</c>), as on HTTP.
    /// </summary>
    public async Task<ResolvedAccess> RecheckAsync(Actor fromToken, bool developmentToken, CancellationToken ct) =>
        developmentToken ? new ResolvedAccess(fromToken) : await access.ResolveAsync(fromToken, tenants.Tenant, ct);

    /// <summary>Binds the actor, with the tenant's custom role keys resolved to their permissions (read afresh).</summary>
    public async Task BindAsync(Actor actor, CancellationToken ct)
    {
        actors.Bind(actor);
        // Custom role keys resolve through the tenant's role definitions, read afresh for every scope so a change
        // applies to the next one. Built-in keys need no lookup (a tenant cannot redefine them).
        var tenant = tenants.Tenant;
        if (tenant is not null && actor.TenantSlug == tenant.Slug && actor.Roles.Any(r => !Permissions.IsKnownRole(r)))
        {
            actors.UsePermissions(await services.GetRequiredService<RoleResolver>().PermissionsForAsync(actor, ct));
        }
    }
}
