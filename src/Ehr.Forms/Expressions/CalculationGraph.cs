using System.Text.RegularExpressions;
using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;
using Hl7.FhirPath.Expressions;
using Expression = Hl7.Fhir.Model.Expression;

namespace Ehr.Forms.Expressions;

/// <summary>
/// Which calculated items read which: an expression reads an item when it names the item's link id as a string
/// literal (<c>where(linkId = 'q1')</c>), directly or through the variables it reads. That is how SDC expressions
/// address items; an expression that sweeps every item (<c>repeat(item).answer</c>) names none and adds no edge.
/// Two uses of a link id are not reads, as published forms show: excluding it (<c>where(linkId != 'total')</c>, the
/// SDC guide's PHQ-9 total leaving itself out of its sum) and looking at the definition rather than the answers
/// (<c>%questionnaire.item.where(linkId = 'q1')</c>, to reach an item's answer options).
/// </summary>
internal sealed partial class CalculationGraph
{
    private readonly Dictionary<string, HashSet<string>> _edges;
    private readonly List<string> _nodes;

    private CalculationGraph(List<string> nodes, Dictionary<string, HashSet<string>> edges)
    {
        _nodes = nodes;
        _edges = edges;
    }

    public static CalculationGraph Build(Questionnaire questionnaire, ItemIndex index, IEnumerable<string> calculatedLinkIds)
    {
        var nodes = calculatedLinkIds.OrderBy(id => index.ByLinkId[id].Order).ToList();
        var calculated = new HashSet<string>(nodes, StringComparer.Ordinal);
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var linkId in nodes)
        {
            var node = index.ByLinkId[linkId];
            var expression = Sdc.ExpressionOf(node.Item, Sdc.CalculatedExpression)!.Expression_!;
            var literals = LiteralsRead(expression, questionnaire, node, new HashSet<string>(StringComparer.Ordinal));
            literals.IntersectWith(calculated);
            edges[linkId] = literals;
        }
        return new CalculationGraph(nodes, edges);
    }

    /// <summary>The string literals an expression uses, following the variables it reads (nearest declaration first).</summary>
    private static HashSet<string> LiteralsRead(string expression, Questionnaire questionnaire, ItemNode? at, HashSet<string> visiting)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        Hl7.FhirPath.Expressions.Expression? parsed = null;
        try
        {
            parsed = FormPath.Parse(expression);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            // The validator reports the expression itself; here, count every literal so no dependency is missed.
        }
        if (parsed is null)
            foreach (Match m in Literal().Matches(expression)) result.Add(m.Groups[1].Value.Replace("\\'", "'", StringComparison.Ordinal));
        else
            CollectReads(parsed, result, skip: false);
        foreach (var name in FormPath.VariablesReadBy(expression))
        {
            if (!visiting.Add(name)) continue;
            var declared = FindVariable(questionnaire, at, name);
            if (declared?.Expression_ is { } text) result.UnionWith(LiteralsRead(text, questionnaire, at, visiting));
            visiting.Remove(name);
        }
        return result;
    }

    private static void CollectReads(Hl7.FhirPath.Expressions.Expression expression, HashSet<string> into, bool skip)
    {
        switch (expression)
        {
            case ConstantExpression { Value: string text }:
                if (!skip) into.Add(text);
                break;
            case ChildExpression child:
                // Its one argument is the child's name (item, answer ...), not a literal of the expression.
                CollectReads(child.Focus, into, skip);
                break;
            case BinaryExpression binary:
                var excluded = skip || binary.Op is "!=" or "!~";
                foreach (var operand in binary.Arguments) CollectReads(operand, into, excluded);
                break;
            case FunctionCallExpression call:
                var definition = skip || RootVariable(call) is "questionnaire" or "qitem";
                if (call.Focus is { } focus) CollectReads(focus, into, definition);
                foreach (var argument in call.Arguments) CollectReads(argument, into, definition);
                break;
            case BracketExpression bracket:
                CollectReads(bracket.Operand, into, skip);
                break;
            case NewNodeListInitExpression list:
                foreach (var item in list.Contents) CollectReads(item, into, skip);
                break;
        }
    }

    // The %variable a chain of calls starts from (%questionnaire.item.where(...) starts from "questionnaire").
    private static string? RootVariable(FunctionCallExpression call)
    {
        Hl7.FhirPath.Expressions.Expression? at = call;
        while (at is FunctionCallExpression { Focus: { } focus } and not BinaryExpression) at = focus;
        return at is VariableRefExpression variable ? variable.Name.TrimStart('%') : null;
    }

    private static Expression? FindVariable(Questionnaire questionnaire, ItemNode? at, string name)
    {
        for (var node = at; node is not null; node = node.Parent)
        {
            var own = node.Item.Extension.Where(e => e.Url == Sdc.Variable).Select(e => e.Value as Expression).FirstOrDefault(e => e?.Name == name);
            if (own is not null) return own;
        }
        return questionnaire.Extension.Where(e => e.Url == Sdc.Variable).Select(e => e.Value as Expression).FirstOrDefault(e => e?.Name == name);
    }

    /// <summary>Every cycle, once, as the link ids along it.</summary>
    public IEnumerable<List<string>> Cycles()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the stack, 2 = done
        var stack = new List<string>();
        var cycles = new List<List<string>>();
        void Visit(string node)
        {
            state[node] = 1;
            stack.Add(node);
            foreach (var next in _edges[node].OrderBy(n => _nodes.IndexOf(n)))
            {
                if (!state.TryGetValue(next, out var s)) Visit(next);
                else if (s == 1) cycles.Add(stack[stack.IndexOf(next)..]);
            }
            stack.RemoveAt(stack.Count - 1);
            state[node] = 2;
        }
        foreach (var node in _nodes)
            if (!state.ContainsKey(node)) Visit(node);
        return cycles;
    }

    /// <summary>The calculated items, each after the ones it reads (document order among independent ones).</summary>
    public List<string> EvaluationOrder()
    {
        var order = new List<string>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string node)
        {
            if (done.Contains(node) || !visiting.Add(node)) return; // a cycle is reported by the validator; evaluate what we can
            foreach (var next in _edges[node].OrderBy(n => _nodes.IndexOf(n))) Visit(next);
            visiting.Remove(node);
            if (done.Add(node)) order.Add(node);
        }
        foreach (var node in _nodes) Visit(node);
        return order;
    }

    [GeneratedRegex(@"'((?:[^'\\]|\\.)*)'")]
    private static partial Regex Literal();
}
