using Ehr.Platform.Audit;
using Ehr.Platform.Persistence;
using Microsoft.Extensions.Logging;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// Commits a change to platform rows (memberships, invitations, policies) together with its entries in the tenant's
/// audit chain, as nearly atomically as two connections allow.
/// </summary>
/// <remarks>
/// The platform rows are written as the application's login role and the audit entry as the tenant's role, on two
/// connections, so they cannot share one transaction. The order keeps the gap as small as it can be: the tenant
/// transaction opens first and receives the audit entries; then the platform change commits; then the tenant
/// transaction commits. If the platform change fails (a stale version, a refused row), the audit entries roll back
/// with it, so the chain never records something that did not happen. The one window left is a failed COMMIT of the
/// tenant transaction right after the platform commit: the change then stands without its entry, and the entry is
/// logged at Critical level in full so an operator can restore it. (Closing that window needs a platform-side outbox
/// relayed into the chain; not done yet.)
/// </remarks>
public sealed class TenantAuditOfPlatformChange(TenantDbContext tenantDb, AuditTrail audit, ILogger<TenantAuditOfPlatformChange> log)
{
    internal async Task CommitAsync(IReadOnlyList<AuditEvent> entries, Func<CancellationToken, Task> commitPlatform, CancellationToken ct)
    {
        var platformCommitted = false;
        try
        {
            await tenantDb.InTransactionAsync(async token =>
            {
                await audit.RecordAsync(entries, token);
                await commitPlatform(token);
                platformCommitted = true;
                return 0;
            }, ct);
        }
        catch (Exception e) when (platformCommitted)
        {
            // The change is committed and cannot be taken back: report success to the caller (a retry would repeat
            // it) and make sure the lost audit entries reach an operator.
            foreach (var entry in entries)
            {
                log.LogCritical(e, "Audit entry lost for tenant {Tenant}: {Action} {ResourceType} {ResourceId} {@Details}",
                    tenantDb.Tenant.Slug, entry.Action, entry.ResourceType, entry.ResourceId, entry.Details);
            }
        }
    }
}
