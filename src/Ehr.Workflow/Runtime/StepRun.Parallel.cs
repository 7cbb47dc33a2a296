using Ehr.Workflow.Definitions;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// Parallel branches. A split gives each branch a token carrying a frame (split, activation, branch, branches); the
/// join of that split counts distinct branches of one activation. Mode all continues when every branch arrived, any
/// with the first, nOfM with the n-th; the latter two cancel the branches still out (their tasks, timers and
/// incidents), and nested joins those branches had started.
/// </summary>
internal sealed partial class StepRun
{
    private Token? Split(Token token, WorkflowNode node)
    {
        var activation = NextId('s');
        var targets = _plan.Targets(node.Id, WorkflowEdge.Next);
        Log(HistoryKinds.Split, node.Id, detail: $"{targets.Count} branches: {string.Join(", ", targets)}");
        for (var branch = 0; branch < targets.Count; branch++)
        {
            Enqueue(new Token
            {
                Id = NextId('t'),
                NodeId = targets[branch],
                Forks = token.Forks.Add(new ForkFrame(node.Id, activation, branch, targets.Count)),
                LastTask = token.LastTask,
            });
        }

        return null;
    }

    private Token? Arrive(Token token, WorkflowNode node)
    {
        var splitId = _plan.SplitOf(node.Id);
        var frame = token.Forks.Count > 0 ? token.Forks[^1] : null;
        if (frame is null || frame.SplitNodeId != splitId)
            return Incident(token, node, IncidentCodes.JoinMismatch, $"A path reached the join without coming from a branch of '{splitId}'.");

        var index = _joins.FindIndex(j => j.JoinNodeId == node.Id && j.ActivationId == frame.ActivationId);
        var join = index >= 0
            ? _joins[index]
            : new JoinState { JoinNodeId = node.Id, ActivationId = frame.ActivationId, Outer = token.Forks.RemoveAt(token.Forks.Count - 1) };
        if (join.Arrived.Contains(frame.Branch))
            return Incident(token, node, IncidentCodes.JoinMismatch, $"Branch {frame.Branch + 1} of '{splitId}' reached the join twice.");

        join = join with { Arrived = join.Arrived.Add(frame.Branch), LastTask = token.LastTask ?? join.LastTask };
        var needed = node.Mode switch
        {
            JoinModes.All => frame.Branches,
            JoinModes.Any => 1,
            _ => node.Count ?? frame.Branches,
        };
        if (index >= 0) _joins.RemoveAt(index);
        if (join.Arrived.Count < needed)
        {
            _joins.Add(join);
            Log(HistoryKinds.JoinArrived, node.Id, detail: $"branch {frame.Branch + 1} of {frame.Branches}; {join.Arrived.Count} of {needed} needed");
            return null;
        }

        Log(HistoryKinds.JoinCompleted, node.Id, detail: $"{join.Arrived.Count} of {frame.Branches} branches arrived ({node.Mode})");
        if (join.Arrived.Count < frame.Branches)
        {
            var activation = frame.ActivationId;
            var reason = $"The join '{node.Id}' no longer needs this branch.";
            CancelTokens(t => t.Forks.Any(f => f.ActivationId == activation), reason);
            _joins.RemoveAll(j => j.Outer.Any(f => f.ActivationId == activation));
        }

        var joined = new Token { Id = NextId('t'), NodeId = node.Id, Forks = join.Outer, LastTask = join.LastTask };
        return Leave(joined, node, WorkflowEdge.Next);
    }
}
