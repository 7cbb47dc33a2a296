using Ehr.Platform.Errors;
using Ehr.Platform.Jobs;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ehr.Workflow.Effects;

/// <summary>
/// Workflow timers as Hangfire jobs: one scheduled job per timer, escalation or web hook back-off, its arguments the
/// tenant, the instance and the bookmark (the timer's key); its job id is kept on the bookmark row so the step that
/// consumes the bookmark first deletes it. A job that fires anyway (deleted too late, or scheduled twice by a process
/// that died before recording the first) meets a consumed bookmark and changes nothing.
/// </summary>
public sealed class WorkflowTimers(TenantJobScope tenants, ILogger<WorkflowTimers> log)
{
    [AutomaticRetry(Attempts = 10)]
    public Task FireAsync(string tenantSlug, Guid instanceId, string bookmarkId, CancellationToken ct) =>
        FireNowAsync(tenantSlug, instanceId, bookmarkId, ct);

    /// <summary>Fires the timer (the job's work, also the in-process fast path's); true when this fired it, false when it was consumed already.</summary>
    internal async Task<bool> FireNowAsync(string tenantSlug, Guid instanceId, string bookmarkId, CancellationToken ct)
    {
        try
        {
            var resumed = await tenants.RunAsync(tenantSlug, "workflow-timer",
                sp => sp.GetRequiredService<WorkflowRuntime>().ResumeAsync(instanceId, new FireTimer(bookmarkId), "workflow.timer", ct), ct);
            if (!resumed.Applied)
            {
                log.LogDebug("Timer {Bookmark} of {Instance} ({Tenant}): {Code}", bookmarkId, instanceId, tenantSlug, resumed.Result.Code);
            }

            return resumed.Applied;
        }
        catch (EhrException e) when (e.Code == ErrorCodes.NotFound)
        {
            log.LogWarning("Timer {Bookmark} fired for instance {Instance} that {Tenant} does not have", bookmarkId, instanceId, tenantSlug);
            return false;
        }
    }
}
