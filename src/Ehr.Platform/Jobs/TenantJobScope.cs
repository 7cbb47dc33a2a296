using Ehr.Platform.Identity;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Platform.Jobs;

/// <summary>
/// Background jobs carry the tenant's slug as an argument and re-enter that tenant here: a fresh DI scope with the
/// tenant and a system actor bound, exactly as a request would have them.
/// </summary>
public sealed class TenantJobScope(IServiceScopeFactory scopes, TenantCatalog catalog)
{
    public async Task<T> RunAsync<T>(string tenantSlug, string what, Func<IServiceProvider, Task<T>> work, CancellationToken ct)
    {
        var tenant = await catalog.GetAsync(tenantSlug, ct);
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(Actor.System(what, tenant.Slug));
        return await work(scope.ServiceProvider);
    }
}
