using System.Collections.Concurrent;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Definitions;

namespace Ehr.Workflow.Store;

/// <summary>
/// Runnable plans of published workflow versions, built once per version and kept: a published version never changes
/// (the artifact store's trigger sees to it), so its plan never goes stale, and a new version has a new id. Keyed by
/// tenant and version id, so a resume neither reads the definition nor parses and checks it again. Bounded: past
/// <see cref="Capacity"/> plans the oldest cached are dropped (and built again if used), so a process holds at most that
/// many whatever the number of tenants, versions or instances.
/// </summary>
public sealed class WorkflowPlans
{
    public const int DefaultCapacity = 2048;

    private readonly WorkflowDefinitions _definitions;
    private readonly ConcurrentDictionary<(Guid Tenant, Guid Version), WorkflowPlan> _plans = new();
    private readonly ConcurrentQueue<(Guid Tenant, Guid Version)> _order = new();
    private readonly Lock _evicting = new();

    public WorkflowPlans(WorkflowDefinitions definitions)
        : this(definitions, DefaultCapacity)
    {
    }

    internal WorkflowPlans(WorkflowDefinitions definitions, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _definitions = definitions;
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>How many plans are cached now.</summary>
    public int Count => _plans.Count;

    internal Task<WorkflowPlan> GetAsync(TenantDbContext db, Guid versionId, CancellationToken ct) =>
        GetOrLoadAsync(db.Tenant.Id, versionId, () => LoadAsync(db, versionId, ct));

    /// <summary>The cached plan of a version, else <paramref name="load"/>'s, then cached (a failed load is not).</summary>
    internal async Task<WorkflowPlan> GetOrLoadAsync(Guid tenantId, Guid versionId, Func<Task<WorkflowPlan>> load)
    {
        var key = (tenantId, versionId);
        if (_plans.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var plan = await load();
        if (_plans.TryAdd(key, plan))
        {
            _order.Enqueue(key);
            Evict();
            return plan;
        }

        return _plans.TryGetValue(key, out var other) ? other : plan;
    }

    private void Evict()
    {
        lock (_evicting)
        {
            while (_plans.Count > Capacity && _order.TryDequeue(out var oldest))
            {
                _plans.TryRemove(oldest, out _);
            }
        }
    }

    private async Task<WorkflowPlan> LoadAsync(TenantDbContext db, Guid versionId, CancellationToken ct)
    {
        string content, key, status;
        await using (var cmd = db.Command("SELECT content::text, key, status FROM artifacts WHERE id = $1 AND kind = $2", versionId, WorkflowKind.Name))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                throw EhrException.NotFound("Workflow definition version " + versionId);
            }

            (content, key, status) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }

        if (status == Platform.Artifacts.ArtifactStatus.Draft)
        {
            throw new EhrException(ErrorCodes.Conflict, $"Workflow '{key}' version {versionId} is a draft: only published versions run.", 409);
        }

        var loaded = _definitions.Load(content, versionId);
        if (loaded.Plan is null)
        {
            // Published content passed these checks; failing now means the catalog changed under it (an action or
            // event no module registers any more). Its instances wait until the module is back.
            throw new EhrException(ErrorCodes.Conflict,
                $"Workflow '{key}' version {versionId} no longer loads: {string.Join("; ", loaded.Problems.Select(p => p.ToString()))}", 409);
        }

        return loaded.Plan;
    }
}
