namespace Ehr.Workflow.Definitions;

/// <summary>
/// The graph of a definition's well-formed edges (both ends known, a known outcome), with the analyses publishing
/// and running need: reachability, strongly connected components, dominators and the split each join closes.
/// Nodes are numbered by their position in the definition, so every answer comes in definition order.
/// </summary>
internal sealed class WorkflowGraph
{
    private readonly List<int>[] _successors;
    private readonly List<int>[] _predecessors;

    public WorkflowGraph(IReadOnlyList<WorkflowNode> nodes, IEnumerable<(int From, int To)> edges)
    {
        Nodes = nodes;
        _successors = nodes.Select(_ => new List<int>()).ToArray();
        _predecessors = nodes.Select(_ => new List<int>()).ToArray();
        foreach (var (from, to) in edges)
        {
            _successors[from].Add(to);
            _predecessors[to].Add(from);
        }
    }

    public IReadOnlyList<WorkflowNode> Nodes { get; }

    public int Count => Nodes.Count;

    public IReadOnlyList<int> Successors(int node) => _successors[node];

    public IReadOnlyList<int> Predecessors(int node) => _predecessors[node];

    /// <summary>Nodes reachable from <paramref name="from"/> (included), never expanding past <paramref name="stopAt"/>.</summary>
    public bool[] Forward(IEnumerable<int> from, IReadOnlySet<int>? stopAt = null) => Walk(from, _successors, stopAt);

    /// <summary>Nodes from which one of <paramref name="to"/> is reachable (included), never expanding past <paramref name="stopAt"/>.</summary>
    public bool[] Backward(IEnumerable<int> to, IReadOnlySet<int>? stopAt = null) => Walk(to, _predecessors, stopAt);

    private bool[] Walk(IEnumerable<int> roots, List<int>[] next, IReadOnlySet<int>? stopAt)
    {
        var seen = new bool[Count];
        var pending = new Stack<int>();
        foreach (var root in roots)
        {
            if (seen[root]) continue;
            seen[root] = true;
            pending.Push(root);
        }

        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (stopAt?.Contains(node) == true) continue;
            foreach (var n in next[node])
            {
                if (seen[n]) continue;
                seen[n] = true;
                pending.Push(n);
            }
        }

        return seen;
    }

    /// <summary>Strongly connected components that contain a cycle (more than one node, or a node with an edge to itself).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Cycles()
    {
        // Tarjan's algorithm, iterative so a long chain of nodes cannot exhaust the stack.
        var index = new int[Count];
        var low = new int[Count];
        var onStack = new bool[Count];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var components = new List<IReadOnlyList<int>>();
        var counter = 0;
        for (var root = 0; root < Count; root++)
        {
            if (index[root] >= 0) continue;
            var work = new Stack<(int Node, int Next)>();
            work.Push((root, 0));
            index[root] = low[root] = counter++;
            stack.Push(root);
            onStack[root] = true;
            while (work.Count > 0)
            {
                var (node, next) = work.Pop();
                if (next < _successors[node].Count)
                {
                    work.Push((node, next + 1));
                    var child = _successors[node][next];
                    if (index[child] < 0)
                    {
                        index[child] = low[child] = counter++;
                        stack.Push(child);
                        onStack[child] = true;
                        work.Push((child, 0));
                    }
                    else if (onStack[child])
                    {
                        low[node] = Math.Min(low[node], index[child]);
                    }

                    continue;
                }

                if (work.Count > 0) low[work.Peek().Node] = Math.Min(low[work.Peek().Node], low[node]);
                if (low[node] != index[node]) continue;
                var component = new List<int>();
                int member;
                do
                {
                    member = stack.Pop();
                    onStack[member] = false;
                    component.Add(member);
                } while (member != node);

                if (component.Count > 1 || _successors[node].Contains(node))
                {
                    component.Sort();
                    components.Add(component);
                }
            }
        }

        return components;
    }

    /// <summary>
    /// The immediate dominator of every node reachable from <paramref name="start"/> (-1 for the start and for nodes
    /// it does not reach): the Cooper–Harvey–Kennedy iteration over reverse post-order.
    /// </summary>
    public int[] ImmediateDominators(int start)
    {
        var order = ReversePostOrder(start);
        var position = new int[Count];
        Array.Fill(position, -1);
        for (var i = 0; i < order.Count; i++) position[order[i]] = i;
        var idom = new int[Count];
        Array.Fill(idom, -1);
        idom[start] = start;
        var changed = true;
        while (changed)
        {
            changed = false;
            foreach (var node in order.Skip(1))
            {
                var best = -1;
                foreach (var p in _predecessors[node])
                {
                    if (idom[p] < 0) continue;
                    best = best < 0 ? p : Intersect(p, best);
                }

                if (best >= 0 && idom[node] != best)
                {
                    idom[node] = best;
                    changed = true;
                }
            }
        }

        idom[start] = -1;
        return idom;

        int Intersect(int a, int b)
        {
            while (a != b)
            {
                while (position[a] > position[b]) a = idom[a];
                while (position[b] > position[a]) b = idom[b];
            }

            return a;
        }
    }

    private List<int> ReversePostOrder(int start)
    {
        var visited = new bool[Count];
        var post = new List<int>();
        var work = new Stack<(int Node, int Next)>();
        work.Push((start, 0));
        visited[start] = true;
        while (work.Count > 0)
        {
            var (node, next) = work.Pop();
            if (next < _successors[node].Count)
            {
                work.Push((node, next + 1));
                var child = _successors[node][next];
                if (!visited[child])
                {
                    visited[child] = true;
                    work.Push((child, 0));
                }

                continue;
            }

            post.Add(node);
        }

        post.Reverse();
        return post;
    }

    /// <summary>
    /// The split a join closes: the nearest split on the join's dominator chain that is not already closed by a join
    /// nearer up the chain (splits and joins pair like brackets). -1 when there is none.
    /// </summary>
    public int MatchingSplit(int join, int[] idom)
    {
        var open = 0;
        for (var node = idom[join]; node >= 0; node = idom[node])
        {
            switch (Nodes[node].Kind)
            {
                case NodeKinds.Join:
                    open++;
                    break;
                case NodeKinds.Split when open > 0:
                    open--;
                    break;
                case NodeKinds.Split:
                    return node;
            }
        }

        return -1;
    }

    /// <summary>The nodes strictly between a split and its join: reachable from the split and reaching the join.</summary>
    public bool[] Region(int split, int join)
    {
        var stop = new HashSet<int> { split, join };
        var forward = Forward(_successors[split].Where(n => n != join && n != split), stop);
        var backward = Backward(_predecessors[join].Where(n => n != split && n != join), stop);
        var region = new bool[Count];
        for (var n = 0; n < Count; n++) region[n] = forward[n] && backward[n] && n != split && n != join;
        return region;
    }
}
