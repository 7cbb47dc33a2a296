using System.Threading.Channels;

namespace Ehr.Workflow.Effects;

/// <summary>
/// Wakes this process's dispatcher for a tenant: after a step that left effects to carry out commits here, or when a
/// PostgreSQL notification (events raised, effects written by another process) arrives. Signals are coalesced by the
/// dispatcher; one lost with a crash is made up for by its sweep.
/// </summary>
public sealed class WorkflowSignals
{
    /// <summary>The channel on which steps that wrote effects are announced across processes (payload: tenant slug).</summary>
    public const string EffectsChannel = "ehr_workflow_effects";

    private readonly Channel<string> _tenants = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    internal ChannelReader<string> Reader => _tenants.Reader;

    public void Wake(string tenantSlug) => _tenants.Writer.TryWrite(tenantSlug);
}
