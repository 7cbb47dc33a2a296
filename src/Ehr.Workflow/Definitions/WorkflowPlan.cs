using Ehr.Platform.Contracts;

namespace Ehr.Workflow.Definitions;

/// <summary>
/// A published definition ready to run: validated, indexed, with each join paired to its split. Immutable and safe
/// to share between threads; build one per definition version (<see cref="WorkflowDefinitions.Load"/>) and keep it
/// as long as the version is in use.
/// </summary>
public sealed class WorkflowPlan
{
    private readonly Dictionary<string, WorkflowNode> _nodes;
    private readonly Dictionary<(string, string), IReadOnlyList<string>> _targets;
    private readonly Dictionary<string, IReadOnlyList<string>> _outcomes;
    private readonly GraphFacts _facts;

    internal WorkflowPlan(Guid versionId, WorkflowDefinition definition, WorkflowCatalog catalog, GraphFacts facts)
    {
        VersionId = versionId;
        Definition = definition;
        _facts = facts;
        _nodes = definition.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        Start = definition.Nodes.Single(n => n.Kind == NodeKinds.Start);
        _targets = definition.Edges
            .GroupBy(e => (e.From, e.OutcomeOrNext))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(e => e.To).ToList());
        _outcomes = definition.Nodes.ToDictionary(n => n.Id, n => NodeOutcomes.Of(n, catalog), StringComparer.Ordinal);
        Actions = definition.Nodes
            .Where(n => n.Kind == NodeKinds.Action)
            .Select(n => catalog.Actions[n.Action!])
            .DistinctBy(a => a.Name)
            .ToDictionary(a => a.Name, StringComparer.Ordinal);
    }

    /// <summary>The definition version this plan runs (the artifact version's id): instances pin it.</summary>
    public Guid VersionId { get; }

    public WorkflowDefinition Definition { get; }

    public WorkflowNode Start { get; }

    /// <summary>The actions this definition calls, as described when it was loaded.</summary>
    public IReadOnlyDictionary<string, WorkflowActionDescriptor> Actions { get; }

    public bool TryGetNode(string id, out WorkflowNode node) => _nodes.TryGetValue(id, out node!);

    public WorkflowNode Node(string id) => _nodes[id];

    public IReadOnlyList<string> Outcomes(string nodeId) => _outcomes[nodeId];

    /// <summary>Where an outcome leads: one node, or each branch of a split.</summary>
    public IReadOnlyList<string> Targets(string nodeId, string outcome) => _targets.GetValueOrDefault((nodeId, outcome)) ?? [];

    /// <summary>The split whose branches a join brings together.</summary>
    public string SplitOf(string joinId) => _facts.JoinSplits[joinId];

    public int Branches(string splitId) => _facts.SplitBranches[splitId];
}
