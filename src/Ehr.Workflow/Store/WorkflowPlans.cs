using System.Collections.Concurrent;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Definitions;

namespace Ehr.Workflow.Store;

/// <summary>
/// Runnable plans of published workflow versions, built once per version and kept: a published version never changes
/// (the artifact store's trigger sees to it), so its plan never goes stale. Keyed by tenant and version id. A process
/// holds one plan per version in use, whatever the number of instances.
/// </summary>
public sealed class WorkflowPlans(WorkflowDefinitions definitions)
{
    private readonly ConcurrentDictionary<(Guid Tenant, Guid Version), WorkflowPlan> _plans = new();

    internal async Task<WorkflowPlan> GetAsync(TenantDbContext db, Guid versionId, CancellationToken ct)
    {
        if (_plans.TryGetValue((db.Tenant.Id, versionId), out var cached))
        {
            return cached;
        }

        await using var cmd = db.Command("SELECT content::text, key, status FROM artifacts WHERE id = $1 AND kind = $2", versionId, WorkflowKind.Name);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw EhrException.NotFound("Workflow definition version " + versionId);
        }

        var (content, key, status) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        await reader.CloseAsync();
        if (status == Platform.Artifacts.ArtifactStatus.Draft)
        {
            throw new EhrException(ErrorCodes.Conflict, $"Workflow '{key}' version {versionId} is a draft: only published versions run.", 409);
        }

        var loaded = definitions.Load(content, versionId);
        if (loaded.Plan is null)
        {
            // Published content passed these checks; failing now means the catalog changed under it (an action or
            // event no module registers any more). Its instances wait until the module is back.
            throw new EhrException(ErrorCodes.Conflict,
                $"Workflow '{key}' version {versionId} no longer loads: {string.Join("; ", loaded.Problems.Select(p => p.ToString()))}", 409);
        }

        return _plans.GetOrAdd((db.Tenant.Id, versionId), loaded.Plan);
    }
}
