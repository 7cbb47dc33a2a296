using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Platform.Audit;

/// <summary>
/// Records entries in a tenant's audit chain from outside that tenant's request scope: the authorization server
/// (token issuance and refresh): events that change nothing else. A platform change and its audit entries commit
/// together through <see cref="Identity.Accounts.TenantAuditOfPlatformChange"/> instead.
/// </summary>
public sealed class TenantAuditWriter(IServiceScopeFactory scopes)
{
    /// <summary>
    /// Records the permissions refused to the scope's actor (if any) in the tenant's audit chain, as one flagged
    /// <c>access.denied</c> entry. Called by the request pipeline and the console after the work.
    /// </summary>
    public async Task RecordDenialsAsync(Tenant? tenant, ActorContext actors, string where, CancellationToken ct)
    {
        if (tenant is null || !actors.IsBound || actors.Denials.Count == 0)
        {
            return;
        }

        await RecordAsync(tenant, actors.Current, new AuditEvent("access.denied", "Permission", null,
            new { permissions = actors.Denials.Distinct(StringComparer.Ordinal), where }, Outcome: "denied"), ct);
    }

    /// <summary>One entry in its own transaction (for events that change nothing else, like a token issuance).</summary>
    public async Task RecordAsync(Tenant tenant, Actor actor, AuditEvent entry, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(actor);
        var db = scope.ServiceProvider.GetRequiredService<TenantDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
        await db.InTransactionAsync(async token =>
        {
            await audit.RecordAsync(entry, token);
            return true;
        }, ct);
    }
}
