using Ehr.Platform.Contracts;

namespace Ehr.Workflow.Definitions;

/// <summary>
/// The actions workflows may call and the events they may start on, as the modules registered them
/// (<see cref="WorkflowActionDescriptor"/>, <see cref="DomainEventDescriptor"/> singletons).
/// </summary>
public sealed class WorkflowCatalog
{
    public static readonly WorkflowCatalog Empty = new([], []);

    public WorkflowCatalog(IEnumerable<WorkflowActionDescriptor> actions, IEnumerable<DomainEventDescriptor> events)
    {
        Actions = Index(actions, a => a.Name, "action");
        Events = Index(events, e => e.Type, "event type");
    }

    public IReadOnlyDictionary<string, WorkflowActionDescriptor> Actions { get; }

    public IReadOnlyDictionary<string, DomainEventDescriptor> Events { get; }

    private static Dictionary<string, T> Index<T>(IEnumerable<T> items, Func<T, string> key, string what)
    {
        var index = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            // Two modules claiming one name is a wiring mistake: refuse to start rather than pick one.
            if (!index.TryAdd(key(item), item))
                throw new InvalidOperationException($"The workflow {what} '{key(item)}' is registered twice.");
        }

        return index;
    }
}

/// <summary>The outcomes a node can leave by, which its edges must cover exactly.</summary>
public static class NodeOutcomes
{
    public static IReadOnlyList<string> Of(WorkflowNode node, WorkflowCatalog catalog) => node.Kind switch
    {
        NodeKinds.Task => node.Outcomes ?? [],
        NodeKinds.Decision => (node.Cases ?? []).Select(c => c.Outcome).Append(node.Otherwise ?? WorkflowEdge.Next).Distinct(StringComparer.Ordinal).ToList(),
        NodeKinds.Action => node.Action is not null && catalog.Actions.TryGetValue(node.Action, out var action) ? action.Outcomes : [],
        NodeKinds.End => [],
        _ => [WorkflowEdge.Next],
    };
}
