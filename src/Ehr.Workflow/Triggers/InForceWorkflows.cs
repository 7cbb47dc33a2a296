using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Store;
using Microsoft.Extensions.Logging;

namespace Ehr.Workflow.Triggers;

/// <summary>
/// The published workflow versions of a tenant and, for a location, the one in force per key: the location's newest
/// published override, else the tenant's newest published standard (ARCHITECTURE.md's resolution; starter packs'
/// workflows are imported as standards). Read once per consumer batch (a handful of rows); plans come from the cache.
/// </summary>
internal sealed class InForceWorkflows(TenantDbContext db, WorkflowPlans plans, ILogger<InForceWorkflows> log)
{
    private sealed record Published(Guid Id, string Key, Guid? LocationId, int Version);

    private List<Published>? _published;

    public async Task LoadAsync(CancellationToken ct)
    {
        var published = new List<Published>();
        await using var cmd = db.Command("SELECT id, key, location_id, version FROM artifacts WHERE kind = $1 AND status = 'published'", WorkflowKind.Name);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            published.Add(new Published(reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetInt32(3)));
        }

        _published = published;
    }

    /// <summary>The versions in force at <paramref name="locationId"/> whose start waits for events of <paramref name="eventType"/>.</summary>
    public async Task<IReadOnlyList<WorkflowVersion>> StartingOnAsync(string eventType, Guid? locationId, CancellationToken ct)
    {
        var inForce = (_published ?? throw new InvalidOperationException("Load first."))
            .Where(p => p.LocationId is null || p.LocationId == locationId)
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .Select(g => g.Where(p => p.LocationId is not null).MaxBy(p => p.Version) ?? g.MaxBy(p => p.Version)!)
            .OrderBy(p => p.Key, StringComparer.Ordinal);
        var starting = new List<WorkflowVersion>();
        foreach (var version in inForce)
        {
            WorkflowPlan plan;
            try
            {
                plan = await plans.GetAsync(db, version.Id, ct);
            }
            catch (EhrException e)
            {
                // One broken version (its actions no longer registered) must not hold up every other workflow's events.
                log.LogError("Workflow {Key} version {Version} of {Tenant} cannot run and is skipped: {Problem}", version.Key, version.Id,
                    db.Tenant.Slug, e.Message);
                continue;
            }

            if (plan.Start.Trigger is { Type: TriggerTypes.Event } trigger && trigger.Event == eventType)
            {
                starting.Add(new WorkflowVersion(version.Id, version.Key, version.LocationId, plan));
            }
        }

        return starting;
    }
}
