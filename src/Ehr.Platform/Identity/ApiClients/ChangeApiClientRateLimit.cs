using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.ApiClients;

/// <summary>
/// Changes an API client's rate limit (requests per minute, deployment-wide). It applies from the client's next request
/// on every host: the access check reads the limit on each request and the counts already made are judged against it,
/// so a lower limit can refuse at once and a higher one admits at once. The caller names the version it saw
/// (<c>VERSION_CONFLICT</c> otherwise); a revoked client cannot be changed. Audited with the limits before and after.
/// </summary>
public sealed class ChangeApiClientRateLimit(PlatformDbContext db, ActorContext actors, TenantContext tenants, TenantAuditOfPlatformChange audit)
{
    public async Task<ApiClient> HandleAsync(string clientId, int rateLimitPerMinute, int expectedVersion, CancellationToken ct)
    {
        actors.Demand(Permissions.ApiClientManage);
        var tenant = tenants.Required;
        if (rateLimitPerMinute is < ManageApiClients.MinRateLimitPerMinute or > ManageApiClients.MaxRateLimitPerMinute)
        {
            throw EhrException.Validation([new FieldError("rateLimitPerMinute", ErrorCodes.OutOfRange, ManageApiClients.RateLimitRange)]);
        }

        var client = await db.ApiClients.SingleOrDefaultAsync(c => c.ClientId == clientId && c.TenantId == tenant.Id, ct)
                     ?? throw EhrException.NotFound($"API client '{clientId}'");
        if (client.Status != ApiClientStatus.Active)
        {
            throw new EhrException(ErrorCodes.Conflict, $"API client '{clientId}' is revoked.", 409);
        }

        var before = client.RateLimitPerMinute;
        client.ChangeRateLimit(expectedVersion, rateLimitPerMinute);
        try
        {
            await audit.CommitAsync([new AuditEvent("apiclient.rate_limit", "ApiClient", clientId,
                new { before, after = rateLimitPerMinute, version = client.Version })], ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.ApiClients.AsNoTracking().Where(c => c.ClientId == clientId).Select(c => c.Version).SingleAsync(ct);
            throw EhrException.VersionConflict($"API client '{clientId}'", expectedVersion, current);
        }

        return client;
    }
}
