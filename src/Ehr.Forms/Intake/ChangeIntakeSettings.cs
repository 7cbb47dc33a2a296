using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Intake;

/// <summary>
/// Changes how long the tenant's intake links work by default (form.manage), within the bounds; the version seen
/// (0 for the defaults) guards against lost updates. Audited (<c>intake.settings.change</c>). Links already sent keep
/// their expiry.
/// </summary>
public sealed class ChangeIntakeSettings(TenantDbContext db, ActorContext actors, AuditTrail audit, TimeProvider clock)
{
    public async Task<IntakeSettings> HandleAsync(int expectedVersion, int lifetimeHours, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var settings = await GetIntakeSettings.CurrentAsync(db, tracked: true, token);
                var before = settings.LifetimeHours;
                var isNew = settings.Version == 0;
                settings.Change(expectedVersion, lifetimeHours, actors.Current.Id, clock.GetUtcNow());
                if (isNew)
                {
                    db.Add(settings);
                }

                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("intake.settings.change", "IntakeSettings", null,
                    new { before = new { lifetimeHours = before }, after = new { lifetimeHours = settings.LifetimeHours } }), token);
                return settings;
            }, ct);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // Someone else changed them first (or created the row at the same moment).
            db.ChangeTracker.Clear();
            var current = await GetIntakeSettings.CurrentAsync(db, tracked: false, ct);
            throw EhrException.VersionConflict("Intake settings", expectedVersion, current.Version);
        }
    }
}
