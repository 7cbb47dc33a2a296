using System.Security.Claims;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Web;

/// <summary>The signed-in person as the console shows them, with the permissions the catalog gives them now.</summary>
public sealed record ConsoleUser(string Id, string Name, string? Email, Tenant? Tenant, IReadOnlyList<string> Roles,
    IReadOnlySet<string> Permissions)
{
    public bool Can(string permission) => Permissions.Contains(permission);

    /// <summary>The locations the membership is restricted to; empty means every location of the tenant.</summary>
    public IReadOnlyList<Guid> Locations { get; init; } = [];
}

/// <summary>
/// Runs the console's work for the signed-in person: each operation in a fresh DI scope with the tenant and the
/// actor bound exactly as an API request would have them (roles from the catalog, checked each time, so a
/// deactivation or a role change applies to the very next click), and a short-lived unit of work instead of one
/// DbContext for the life of the circuit.
/// </summary>
public sealed class ConsoleSession(AuthenticationStateProvider authentication, IServiceScopeFactory scopes, TenantCatalog catalog)
{
    /// <summary>The browser's address, captured when the page was first served (a circuit has no request of its own).</summary>
    public string? ClientAddress { get; set; }

    public async Task<ConsoleUser> UserAsync(CancellationToken ct = default) =>
        await RunAsync(sp =>
        {
            var actors = sp.GetRequiredService<ActorContext>();
            var actor = actors.Current;
            var permissions = Permissions.All.Where(actors.Has).ToHashSet(StringComparer.Ordinal);
            var principal = sp.GetRequiredService<ConsolePrincipal>().User;
            return Task.FromResult(new ConsoleUser(actor.Id, principal.FindFirst("name")?.Value ?? actor.Id,
                principal.FindFirst("email")?.Value, sp.GetRequiredService<TenantContext>().Tenant, actor.Roles, permissions)
            {
                Locations = actor.Locations,
            });
        }, ct);

    public async Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> work, CancellationToken ct = default)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.Identity?.IsAuthenticated != true)
        {
            throw new EhrException(ErrorCodes.Unauthenticated, "Sign in first.", 401);
        }

        await using var scope = scopes.CreateAsyncScope();
        var slug = user.FindFirst(EhrClaims.Tenant)?.Value;
        Tenant? tenant = null;
        if (slug is not null)
        {
            tenant = await catalog.FindAsync(slug, ct);
            if (tenant is null || tenant.Status != TenantStatus.Active)
            {
                throw new EhrException(ErrorCodes.TenantSuspended, $"Tenant '{slug}' is not available.", 403);
            }

            scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        }

        var fromCookie = Actor.FromPrincipal(user, ClientAddress is null ? null : System.Net.IPAddress.Parse(ClientAddress), PurposeOfUse.Treatment);
        var resolved = await scope.ServiceProvider.GetRequiredService<AccessCheck>().ResolveAsync(fromCookie, tenant, ct);
        if (resolved.Actor is null)
        {
            throw new EhrException(ErrorCodes.AccessRevoked, "Your access has been revoked. Sign in again.", 401);
        }

        var actors = scope.ServiceProvider.GetRequiredService<ActorContext>();
        actors.Bind(resolved.Actor);
        scope.ServiceProvider.GetRequiredService<ConsolePrincipal>().User = user;
        try
        {
            return await work(scope.ServiceProvider);
        }
        finally
        {
            await scope.ServiceProvider.GetRequiredService<Ehr.Platform.Audit.TenantAuditWriter>()
                .RecordDenialsAsync(tenant, actors, "console", CancellationToken.None);
        }
    }
}

/// <summary>The console cookie's principal inside an operation's scope (for the name and e-mail it carries).</summary>
internal sealed class ConsolePrincipal
{
    public ClaimsPrincipal User { get; set; } = new();
}
