using System.Text.Json;
using Ehr.Platform.Contracts;
using Ehr.Workflow.Scripts;
using static Ehr.Workflow.Definitions.WorkflowProblemCodes;

namespace Ehr.Workflow.Definitions;

/// <summary>What publishing learned about a definition's graph that running it needs.</summary>
internal sealed record GraphFacts(IReadOnlyDictionary<string, string> JoinSplits, IReadOnlyDictionary<string, int> SplitBranches);

/// <summary>
/// Checks a whole workflow definition before it can be published. Every problem names its node (null for the whole
/// definition), a stable code from <see cref="WorkflowProblemCodes"/>, a plain message and the path in the JSON. The
/// schema has already checked shapes (<see cref="WorkflowJson.Parse"/>); this checks meaning: the graph, scripts,
/// variables, and the actions and events the modules registered.
/// </summary>
public sealed class DefinitionValidator(WorkflowCatalog catalog, ScriptSandbox scripts)
{
    /// <summary>A web hook waits at most this long for an answer: longer and the tenant's endpoint should answer later itself.</summary>
    public static readonly TimeSpan LongestWebhookTimeout = TimeSpan.FromSeconds(60);

    public IReadOnlyList<WorkflowProblem> Validate(WorkflowDefinition definition) => Analyse(definition).Problems;

    internal (IReadOnlyList<WorkflowProblem> Problems, GraphFacts Facts) Analyse(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var run = new Run(definition, catalog, scripts);
        run.Check();
        return (run.Problems, run.Facts);
    }

    private sealed class Run(WorkflowDefinition definition, WorkflowCatalog catalog, ScriptSandbox scripts)
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly Dictionary<string, WorkflowValueType> _declared = new(StringComparer.Ordinal);
        private readonly List<(int Node, string Path, string Name, IReadOnlySet<string> WrittenBefore)> _reads = [];
        private readonly List<HashSet<string>> _writes = [];
        private readonly Dictionary<string, string> _joinSplits = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _splitBranches = new(StringComparer.Ordinal);
        private readonly HashSet<int> _unknownAction = [];

        public List<WorkflowProblem> Problems { get; } = [];

        public GraphFacts Facts => new(_joinSplits, _splitBranches);

        private IReadOnlyList<WorkflowNode> Nodes => definition.Nodes;

        private void Add(int? node, string code, string message, string? path = null) =>
            Problems.Add(new WorkflowProblem(node is { } n ? Nodes[n].Id : null, code, message, path ?? (node is { } i ? $"nodes[{i}]" : null)));

        public void Check()
        {
            IndexNodes();
            DeclareVariables();
            for (var i = 0; i < Nodes.Count; i++)
            {
                _writes.Add(new HashSet<string>(StringComparer.Ordinal));
                CheckNode(i, Nodes[i]);
            }

            var (graph, wellFormed) = CheckEdges();
            // Reachability, loops, joins and variable flow are only meaningful over a whole graph: with a broken edge,
            // duplicate ids or no single start they would mostly repeat that one mistake, so they wait for its fix.
            if (wellFormed && _index.Count == Nodes.Count) CheckGraph(graph);
        }

        private void IndexNodes()
        {
            for (var i = 0; i < Nodes.Count; i++)
            {
                if (!_index.TryAdd(Nodes[i].Id, i))
                    Add(i, NodeIdDuplicate, $"The node id '{Nodes[i].Id}' is used by more than one node.", $"nodes[{i}].id");
            }

            var starts = Enumerable.Range(0, Nodes.Count).Where(i => Nodes[i].Kind == NodeKinds.Start).ToList();
            if (starts.Count == 0)
                Add(null, StartCount, "A workflow needs exactly one start node; this one has none.", "nodes");
            foreach (var extra in starts.Skip(1))
                Add(extra, StartCount, $"A workflow needs exactly one start node; '{Nodes[starts[0]].Id}' is already one.");
        }

        private void DeclareVariables()
        {
            foreach (var (name, variable) in definition.Variables)
            {
                _declared[name] = variable.Type;
                if (variable.Default is { } value && !Fits(variable.Type, value))
                    Add(null, VariableTypeMismatch, $"The default of '{name}' is not of its type ({Name(variable.Type)}).", $"variables.{name}.default");
            }

            foreach (var (i, start) in Nodes.Select((n, i) => (i, n)).Where(p => p.n.Kind == NodeKinds.Start))
            {
                foreach (var (name, input) in start.Trigger?.Inputs ?? new Dictionary<string, InputDefinition>())
                {
                    var path = $"nodes[{i}].trigger.inputs.{name}";
                    if (!_declared.TryAdd(name, input.Type))
                        Add(i, VariableDuplicate, $"The input '{name}' has the name of a variable; an input becomes the variable of its name, so declare it once.", path);
                    if (input.Default is { } value && !Fits(input.Type, value))
                        Add(i, VariableTypeMismatch, $"The default of input '{name}' is not of its type ({Name(input.Type)}).", $"{path}.default");
                }
            }
        }

        private void CheckNode(int i, WorkflowNode node)
        {
            var at = $"nodes[{i}]";
            switch (node.Kind)
            {
                case NodeKinds.Start:
                    CheckStart(i, node, at);
                    break;
                case NodeKinds.Task:
                    CheckTask(i, node, at);
                    break;
                case NodeKinds.Decision:
                    foreach (var (c, k) in (node.Cases ?? []).Select((c, k) => (c, k)))
                        CheckScript(i, $"{at}.cases[{k}].when", c.When);
                    break;
                case NodeKinds.Join:
                    if (node.Mode == JoinModes.NOfM && node.Count is null)
                        Add(i, Required, "A join of mode nOfM needs its count (how many branches must arrive).", $"{at}.count");
                    if (node.Mode != JoinModes.NOfM && node.Count is not null)
                        Add(i, JoinCountInvalid, $"Only a join of mode nOfM has a count; mode {node.Mode} does not.", $"{at}.count");
                    break;
                case NodeKinds.Timer:
                    if ((node.Duration is null) == (node.At is null))
                        Add(i, ChooseOne, "A timer needs exactly one of duration (how long to wait) or at (an expression giving the date-time).");
                    CheckDuration(i, $"{at}.duration", node.Duration);
                    if (node.At is not null) CheckScript(i, $"{at}.at", node.At);
                    break;
                case NodeKinds.Notify:
                    CheckNotification(i, at, node.To ?? [], node.Data);
                    break;
                case NodeKinds.Set:
                    CheckSet(i, node, at);
                    break;
                case NodeKinds.Action:
                    CheckAction(i, node, at);
                    break;
                case NodeKinds.Webhook:
                    CheckWebhook(i, node, at);
                    break;
            }
        }

        private void CheckStart(int i, WorkflowNode node, string at)
        {
            if (node.Trigger is not { Type: TriggerTypes.Event } trigger) return;
            if (trigger.Event is not null && !catalog.Events.ContainsKey(trigger.Event))
                Add(i, EventUnknown, $"No module raises the event '{trigger.Event}'.{Known(catalog.Events.Keys)}", $"{at}.trigger.event");
            if (trigger.Filter is not null) CheckScript(i, $"{at}.trigger.filter", trigger.Filter);
        }

        private void CheckTask(int i, WorkflowNode node, string at)
        {
            CheckAssignee(i, $"{at}.assignee", node.Assignee);
            var outcomes = node.Outcomes ?? [];
            if (node.Quorum is { } quorum)
            {
                if (quorum.Required > quorum.Approvers)
                    Add(i, QuorumInvalid, $"The quorum needs {quorum.Required} approvals out of {quorum.Approvers} approvers: it could never be met.", $"{at}.quorum.required");
                if (!outcomes.Contains(TaskOutcomes.Approve))
                    Add(i, QuorumInvalid, "A quorum counts approvals; add approve to the outcomes.", $"{at}.quorum");
            }

            CheckDuration(i, $"{at}.due", node.Due);
            var previous = TimeSpan.Zero;
            foreach (var (escalation, k) in (node.Escalations ?? []).Select((e, k) => (e, k)))
            {
                var path = $"{at}.escalations[{k}]";
                if (CheckDuration(i, $"{path}.after", escalation.After) is { } after)
                {
                    if (after <= previous)
                        Add(i, EscalationOrder, "Escalations come in order: each one later than the one before.", $"{path}.after");
                    previous = after;
                }

                var chosen = new object?[] { escalation.Reassign, escalation.Notify, escalation.Outcome }.Count(x => x is not null);
                if (chosen != 1)
                    Add(i, ChooseOne, "An escalation does exactly one of: reassign, notify, or outcome.", path);
                if (escalation.Outcome is not null && !outcomes.Contains(escalation.Outcome))
                    Add(i, EscalationOutcomeUnknown, $"The escalation takes the outcome '{escalation.Outcome}', which this task does not have ({string.Join(", ", outcomes)}).", $"{path}.outcome");
                if (escalation.Reassign is not null) CheckAssignee(i, $"{path}.reassign", escalation.Reassign);
                if (escalation.Notify is { } notify) CheckNotification(i, $"{path}.notify", notify.To, notify.Data);
            }

            CheckOutput(i, at, node.Output);
        }

        private void CheckSet(int i, WorkflowNode node, string at)
        {
            // Assignments run in order: each may read the ones before it.
            var before = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, script) in node.Assign ?? new Dictionary<string, string>())
            {
                var path = $"{at}.assign.{name}";
                if (!_declared.ContainsKey(name))
                    Add(i, VariableUndeclared, $"'{name}' is not a declared variable; declare it under variables.", path);
                CheckScript(i, path, script, before);
                before.Add(name);
                _writes[i].Add(name);
            }
        }

        private void CheckAction(int i, WorkflowNode node, string at)
        {
            var inputs = node.Inputs ?? new Dictionary<string, string>();
            if (node.Action is null || !catalog.Actions.TryGetValue(node.Action, out var action))
            {
                _unknownAction.Add(i);
                Add(i, ActionUnknown, $"No module offers the action '{node.Action}'.{Known(catalog.Actions.Keys)}", $"{at}.action");
            }
            else
            {
                var declared = action.Inputs.ToDictionary(p => p.Name, StringComparer.Ordinal);
                foreach (var name in inputs.Keys.Where(n => !declared.ContainsKey(n)))
                    Add(i, ActionInputUnknown, $"The action {action.Name} has no input '{name}' (it takes {string.Join(", ", declared.Keys.DefaultIfEmpty("none"))}).", $"{at}.inputs.{name}");
                foreach (var missing in action.Inputs.Where(p => p.Required && !inputs.ContainsKey(p.Name)))
                    Add(i, ActionInputMissing, $"The action {action.Name} needs its input '{missing.Name}': {missing.Description}", $"{at}.inputs.{missing.Name}");
            }

            foreach (var (name, script) in inputs) CheckScript(i, $"{at}.inputs.{name}", script);
            CheckOutput(i, at, node.Output);
        }

        private void CheckWebhook(int i, WorkflowNode node, string at)
        {
            foreach (var (name, script) in node.Payload ?? new Dictionary<string, string>())
                CheckScript(i, $"{at}.payload.{name}", script);
            if (CheckDuration(i, $"{at}.timeout", node.Timeout) is { } timeout && timeout > LongestWebhookTimeout)
                Add(i, DurationInvalid, $"A web hook waits at most {LongestWebhookTimeout.TotalSeconds:0} seconds (PT60S) for an answer.", $"{at}.timeout");
            if (node.Retry is { } retry)
            {
                var initial = CheckDuration(i, $"{at}.retry.initialDelay", retry.InitialDelay);
                var max = CheckDuration(i, $"{at}.retry.maxDelay", retry.MaxDelay);
                if (initial is { } a && max is { } b && a > b)
                    Add(i, RetryInvalid, "The first retry delay is longer than the longest delay.", $"{at}.retry.maxDelay");
            }

            CheckOutput(i, at, node.Output);
        }

        private void CheckAssignee(int i, string path, AssigneeDefinition? assignee)
        {
            if (assignee is null) return;
            if (new[] { assignee.Role, assignee.User, assignee.Expression }.Count(x => x is not null) != 1)
                Add(i, ChooseOne, "An assignee is exactly one of: role, user, or expression.", path);
            if (assignee.AtSubjectLocation && assignee.Role is null)
                Add(i, NotAllowed, "atSubjectLocation narrows a role; it needs role.", $"{path}.atSubjectLocation");
            if (assignee.Expression is not null) CheckScript(i, $"{path}.expression", assignee.Expression);
        }

        private void CheckNotification(int i, string at, IReadOnlyList<RecipientDefinition> to, IReadOnlyDictionary<string, string>? data)
        {
            foreach (var (recipient, k) in to.Select((r, k) => (r, k)))
            {
                var path = $"{at}.to[{k}]";
                if (new[] { recipient.Role, recipient.User, recipient.Patient, recipient.Expression }.Count(x => x is not null) != 1)
                    Add(i, ChooseOne, "A recipient is exactly one of: role, user, patient, or expression.", path);
                if (recipient.AtSubjectLocation && recipient.Role is null)
                    Add(i, NotAllowed, "atSubjectLocation narrows a role; it needs role.", $"{path}.atSubjectLocation");
                if (recipient.Patient is not null) CheckScript(i, $"{path}.patient", recipient.Patient);
                if (recipient.Expression is not null) CheckScript(i, $"{path}.expression", recipient.Expression);
            }

            foreach (var (name, script) in data ?? new Dictionary<string, string>())
                CheckScript(i, $"{at}.data.{name}", script);
        }

        private void CheckOutput(int i, string at, string? output)
        {
            if (output is null) return;
            if (!_declared.TryGetValue(output, out var type))
                Add(i, VariableUndeclared, $"The output goes to '{output}', which is not a declared variable; declare it under variables.", $"{at}.output");
            else if (type is not (WorkflowValueType.Object or WorkflowValueType.Any))
                Add(i, VariableTypeMismatch, $"The output is an object; '{output}' is declared as {Name(type)}.", $"{at}.output");
            _writes[i].Add(output);
        }

        private TimeSpan? CheckDuration(int i, string path, string? text)
        {
            if (text is null) return null;
            if (Durations.TryParse(text, out var duration) && duration > TimeSpan.Zero) return duration;
            Add(i, DurationInvalid, $"'{text}' is not a duration longer than zero and at most {Durations.Longest.TotalDays:0} days.", path);
            return null;
        }

        private void CheckScript(int i, string path, string script, IReadOnlySet<string>? writtenBefore = null)
        {
            if (scripts.CompileError(script) is { } error)
            {
                Add(i, ScriptInvalid, $"The script does not compile: {error}", path);
                return;
            }

            var unknown = scripts.UnknownNames(script);
            if (unknown.Count > 0)
                Add(i, ScriptUnknownName, $"The script uses {string.Join(", ", unknown)}, which {(unknown.Count == 1 ? "is" : "are")} not defined here (a script sees vars, event, subject, task, now and standard JavaScript).", path);
            foreach (var name in scripts.VariablesRead(script))
            {
                if (!_declared.ContainsKey(name))
                    Add(i, VariableUndeclared, $"The script reads vars.{name}, which is not a declared variable.", path);
                else
                    _reads.Add((i, path, name, writtenBefore ?? new HashSet<string>()));
            }
        }

        /// <summary>The edges that make a graph; false when any edge is malformed (the graph checks then wait).</summary>
        private (WorkflowGraph Graph, bool WellFormed) CheckEdges()
        {
            var edges = new List<(int, int)>();
            var taken = new HashSet<(int, string)>();
            var branchTargets = new HashSet<(int, int)>();
            // Outcomes that have an edge, even a broken one: a broken edge is reported once, not also as a missing one.
            var covered = new Dictionary<(int, string), int>();
            var wellFormed = true;
            for (var j = 0; j < definition.Edges.Count; j++)
            {
                var edge = definition.Edges[j];
                var at = $"edges[{j}]";
                var known = _index.TryGetValue(edge.From, out var from);
                var outcome = edge.OutcomeOrNext;
                if (known) covered[(from, outcome)] = covered.GetValueOrDefault((from, outcome)) + 1;
                if (!known)
                {
                    wellFormed = false;
                    Problems.Add(new WorkflowProblem(null, EdgeUnknownNode, $"The edge leaves '{edge.From}', which is not a node.", $"{at}.from"));
                }

                if (!_index.TryGetValue(edge.To, out var to))
                {
                    wellFormed = false;
                    Problems.Add(new WorkflowProblem(known ? edge.From : null, EdgeUnknownNode, $"The edge goes to '{edge.To}', which is not a node.", $"{at}.to"));
                    continue;
                }

                if (!known) continue;
                var source = Nodes[from];
                if (Nodes[to].Kind == NodeKinds.Start)
                {
                    wellFormed = false;
                    Add(from, EdgeIntoStart, $"The edge goes back into the start node '{edge.To}'; a workflow starts once. Loop to the node after it.", $"{at}.to");
                    continue;
                }

                if (source.Kind == NodeKinds.End)
                {
                    wellFormed = false;
                    Add(from, EdgeFromEnd, "An end node has no way out: the instance is over when it gets there.", at);
                    continue;
                }

                if (_unknownAction.Contains(from))
                {
                    // Its outcomes are unknown, so its edges cannot be checked; they still shape the graph.
                    edges.Add((from, to));
                    continue;
                }

                var outcomes = NodeOutcomes.Of(source, catalog);
                if (!outcomes.Contains(outcome))
                {
                    wellFormed = false;
                    Add(from, EdgeUnknownOutcome, $"The edge leaves by '{outcome}', which is not an outcome of this {source.Kind} (it has {string.Join(", ", outcomes)}).", edge.Outcome is null ? at : $"{at}.outcome");
                    continue;
                }

                if (source.Kind == NodeKinds.Split)
                {
                    if (!branchTargets.Add((from, to)))
                    {
                        wellFormed = false;
                        Add(from, EdgeDuplicateOutcome, $"The split already has a branch to '{edge.To}'.", at);
                        continue;
                    }
                }
                else if (!taken.Add((from, outcome)))
                {
                    wellFormed = false;
                    Add(from, EdgeDuplicateOutcome, $"The outcome '{outcome}' already has an edge; an outcome leads to one node (use a split for parallel branches).", at);
                    continue;
                }

                edges.Add((from, to));
            }

            for (var i = 0; i < Nodes.Count; i++)
            {
                if (_unknownAction.Contains(i) || _index[Nodes[i].Id] != i) continue;
                var node = Nodes[i];
                if (node.Kind == NodeKinds.Split)
                {
                    var branches = branchTargets.Count(b => b.Item1 == i);
                    _splitBranches[node.Id] = branches;
                    if (branches < 2)
                    {
                        wellFormed = false;
                        Add(i, SplitTooFewBranches, $"A split starts parallel branches; it needs at least two edges, it has {branches}.");
                    }

                    continue;
                }

                foreach (var outcome in NodeOutcomes.Of(node, catalog).Where(o => !covered.ContainsKey((i, o))))
                {
                    wellFormed = false;
                    Add(i, OutcomeWithoutEdge, $"The outcome '{outcome}' has no edge: add one to say where the instance goes then.");
                }
            }

            return (new WorkflowGraph(Nodes, edges), wellFormed);
        }

        private void CheckGraph(WorkflowGraph graph)
        {
            var starts = Enumerable.Range(0, Nodes.Count).Where(i => Nodes[i].Kind == NodeKinds.Start).ToList();
            if (starts.Count != 1) return;
            var start = starts[0];
            var reachable = graph.Forward([start]);
            for (var i = 0; i < Nodes.Count; i++)
            {
                if (!reachable[i]) Add(i, NodeUnreachable, "No path from the start leads here.");
            }

            var ends = Enumerable.Range(0, Nodes.Count).Where(i => Nodes[i].Kind == NodeKinds.End).ToList();
            if (ends.Count == 0)
            {
                Add(null, NoEnd, "A workflow needs an end node.", "nodes");
            }
            else
            {
                var finishing = graph.Backward(ends);
                for (var i = 0; i < Nodes.Count; i++)
                {
                    if (reachable[i] && !finishing[i]) Add(i, EndUnreachable, "No path leads from here to an end: an instance that gets here could never finish.");
                }
            }

            foreach (var cycle in graph.Cycles())
            {
                if (cycle.Any(n => NodeKinds.Waits(Nodes[n].Kind))) continue;
                Add(cycle[0], CycleWithoutWait, $"The nodes {string.Join(" → ", cycle.Select(n => Nodes[n].Id))} form a loop with nothing that waits (a task, timer, action or web hook): it would spin for ever.");
            }

            CheckJoins(graph, start, reachable);
            CheckReadsBeforeWrites(graph, start, reachable);
        }

        private void CheckJoins(WorkflowGraph graph, int start, bool[] reachable)
        {
            var idom = graph.ImmediateDominators(start);
            var pairs = new List<(int Split, int Join)>();
            for (var join = 0; join < Nodes.Count; join++)
            {
                if (Nodes[join].Kind != NodeKinds.Join || !reachable[join]) continue;
                var split = graph.MatchingSplit(join, idom);
                if (split < 0)
                {
                    Add(join, JoinWithoutSplit, "Every path here must pass one split whose branches this join brings together; there is none.");
                    continue;
                }

                pairs.Add((split, join));
                _joinSplits[Nodes[join].Id] = Nodes[split].Id;
            }

            var splitOfJoin = pairs.ToDictionary(p => p.Join, p => p.Split);
            foreach (var (split, join) in pairs)
            {
                var node = Nodes[join];
                var branches = graph.Successors(split);
                var needed = node.Mode switch
                {
                    JoinModes.All => branches.Count,
                    JoinModes.Any => 1,
                    _ => node.Count ?? 1,
                };
                if (node.Mode == JoinModes.NOfM && node.Count is { } count && count > branches.Count)
                    Add(join, JoinCountInvalid, $"The join waits for {count} branches; its split '{Nodes[split].Id}' starts only {branches.Count}.", $"nodes[{join}].count");

                var stop = new HashSet<int> { split, join };
                var arriving = branches.Count(b => b == join || graph.Forward([b], stop)[join]);
                if (arriving < needed)
                    Add(join, JoinBranchesMissing, $"The join waits for {needed} of the {branches.Count} branches of '{Nodes[split].Id}', but only {arriving} can reach it: the instance would wait for ever.");

                var region = graph.Region(split, join);
                for (var n = 0; n < Nodes.Count; n++)
                {
                    if (!region[n]) continue;
                    var outsider = graph.Predecessors(n).FirstOrDefault(p => p != split && !region[p], -1);
                    if (outsider >= 0)
                        Add(outsider, JoinRegionEntered, $"An edge from '{Nodes[outsider].Id}' enters '{Nodes[n].Id}', inside the branches from '{Nodes[split].Id}' to '{Nodes[join].Id}': an instance coming that way would never be counted by the join.");
                    if (Nodes[n].Kind == NodeKinds.Split && !splitOfJoin.Any(p => p.Value == n && region[p.Key]))
                        Add(n, JoinNotNested, $"This split is inside the branches from '{Nodes[split].Id}' to '{Nodes[join].Id}' but is not joined inside them: its branches would reach '{Nodes[join].Id}' as if they were one.");
                    if (Nodes[n].Kind == NodeKinds.Join && splitOfJoin.TryGetValue(n, out var inner) && !region[inner])
                        Add(n, JoinNotNested, $"This join is inside the branches from '{Nodes[split].Id}' to '{Nodes[join].Id}' but closes '{Nodes[inner].Id}', outside them.");
                }
            }
        }

        /// <summary>
        /// Definite assignment over the graph: a variable is written before a node when every path from the start
        /// writes it (for a join of mode all, when any of its arriving paths does, since they all arrive).
        /// </summary>
        private void CheckReadsBeforeWrites(WorkflowGraph graph, int start, bool[] reachable)
        {
            if (_reads.Count == 0) return;
            var initial = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, variable) in definition.Variables)
                if (variable.Default is not null) initial.Add(name);
            foreach (var (name, input) in Nodes[start].Trigger?.Inputs ?? new Dictionary<string, InputDefinition>())
                if (input.Required || input.Default is not null) initial.Add(name);

            var universe = _declared.Keys.ToHashSet(StringComparer.Ordinal);
            var entry = new HashSet<string>[Nodes.Count];
            var exit = new HashSet<string>[Nodes.Count];
            for (var n = 0; n < Nodes.Count; n++)
            {
                entry[n] = n == start ? initial : new HashSet<string>(universe, StringComparer.Ordinal);
                exit[n] = new HashSet<string>(entry[n], StringComparer.Ordinal);
                exit[n].UnionWith(_writes[n]);
            }

            var pending = new Queue<int>(Enumerable.Range(0, Nodes.Count).Where(n => reachable[n] && n != start));
            var queued = pending.ToHashSet();
            while (pending.Count > 0)
            {
                var n = pending.Dequeue();
                queued.Remove(n);
                var preds = graph.Predecessors(n).Where(p => reachable[p]).ToList();
                var incoming = new HashSet<string>(preds.Count == 0 ? [] : exit[preds[0]], StringComparer.Ordinal);
                foreach (var p in preds.Skip(1))
                {
                    if (Nodes[n] is { Kind: NodeKinds.Join, Mode: JoinModes.All }) incoming.UnionWith(exit[p]);
                    else incoming.IntersectWith(exit[p]);
                }

                if (incoming.SetEquals(entry[n])) continue;
                entry[n] = incoming;
                exit[n] = new HashSet<string>(incoming, StringComparer.Ordinal);
                exit[n].UnionWith(_writes[n]);
                foreach (var s in graph.Successors(n))
                {
                    if (s != start && queued.Add(s)) pending.Enqueue(s);
                }
            }

            foreach (var (node, path, name, before) in _reads)
            {
                if (!reachable[node] || entry[node].Contains(name) || before.Contains(name)) continue;
                Add(node, VariableReadBeforeWrite, $"The script reads vars.{name}, which some path from the start reaches here without writing (give it a default, or write it on every path).", path);
            }
        }

        private static string Known(IEnumerable<string> names)
        {
            var list = names.Order(StringComparer.Ordinal).ToList();
            return list.Count == 0 ? " None are registered." : $" Known: {string.Join(", ", list)}.";
        }
    }

    /// <summary>Whether a value is of a declared type; null fits every type (it means "not set").</summary>
    internal static bool Fits(WorkflowValueType type, JsonElement value) => value.ValueKind == JsonValueKind.Null || type switch
    {
        WorkflowValueType.String => value.ValueKind == JsonValueKind.String,
        WorkflowValueType.Number => value.ValueKind == JsonValueKind.Number,
        WorkflowValueType.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        WorkflowValueType.Object => value.ValueKind == JsonValueKind.Object,
        WorkflowValueType.Array => value.ValueKind == JsonValueKind.Array,
        _ => true,
    };

    internal static string Name(WorkflowValueType type) => type.ToString().ToLowerInvariant();
}
