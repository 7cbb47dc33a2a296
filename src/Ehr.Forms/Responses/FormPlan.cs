using System.Collections.Concurrent;
using Ehr.Forms.Definitions;
using Ehr.Forms.Expressions;
using Hl7.Fhir.Model;
using Hl7.FhirPath;

namespace Ehr.Forms.Responses;

/// <summary>
/// What the engine works out from a definition alone, once: its items indexed by link id, the calculated items in
/// dependency order (which needs every calculated expression parsed) and its FHIRPath expressions compiled as they are
/// first used. A published version never changes, so <see cref="PublishedForms"/> keeps one plan per version (id and
/// content hash) and every response to that version shares it; anything else (a draft, a preview, a test) makes its
/// own with <see cref="Of"/>. Compiled expressions live and die with their plan: nothing is shared between versions,
/// so nothing grows with the number of expressions tenants ever wrote.
/// The plan reads the Questionnaire it was made from; like the engine, it never changes it, and whoever holds the
/// plan must not either.
/// </summary>
public sealed class FormPlan
{
    private readonly ConcurrentDictionary<string, CompiledExpression> _compiled = new(StringComparer.Ordinal);
    private readonly Lazy<IReadOnlyList<ItemNode>> _evaluationOrder;

    private FormPlan(Questionnaire questionnaire)
    {
        Index = ItemIndex.Of(questionnaire);
        Calculated = Index.All.Where(n => Sdc.ExpressionOf(n.Item, Sdc.CalculatedExpression)?.Expression_ is not null).ToList();
        CalculatedLinkIds = new HashSet<string>(Calculated.Select(n => n.LinkId), StringComparer.Ordinal);
        // Worked out when a response is first processed (a renderer asking only what is enabled never needs it).
        _evaluationOrder = new Lazy<IReadOnlyList<ItemNode>>(() => Calculated.Count == 0
            ? []
            : CalculationGraph.Build(questionnaire, Index, CalculatedLinkIds).EvaluationOrder().Select(id => Index.ByLinkId[id]).ToList());
        FormVariables = VariablesOf(questionnaire.Extension);
        TenantValueSets = Index.All.Select(n => n.Item.AnswerValueSet).OfType<string>()
            .Where(c => c.Length > 0 && !c.StartsWith('#')).Distinct(StringComparer.Ordinal).ToList();
        foreach (var node in Index.All)
        {
            var own = VariablesOf(node.Item.Extension);
            if (own.Count > 0) ItemVariables[node] = own;
        }
    }

    /// <summary>A plan for this Questionnaire (nothing is cached here: see <see cref="PublishedForms"/> for that).</summary>
    public static FormPlan Of(Questionnaire questionnaire)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        return new FormPlan(questionnaire);
    }

    public Questionnaire Questionnaire => Index.Questionnaire;

    internal ItemIndex Index { get; }

    /// <summary>The items with a calculatedExpression, in document order.</summary>
    internal IReadOnlyList<ItemNode> Calculated { get; }

    internal IReadOnlySet<string> CalculatedLinkIds { get; }

    /// <summary>The calculated items, each after the ones it reads.</summary>
    internal IReadOnlyList<ItemNode> EvaluationOrder => _evaluationOrder.Value;

    /// <summary>The form's own variables (<c>Questionnaire.extension</c>), in declaration order.</summary>
    internal IReadOnlyList<Expression> FormVariables { get; }

    /// <summary>Each item's variables, for the items that declare any.</summary>
    internal Dictionary<ItemNode, IReadOnlyList<Expression>> ItemVariables { get; } = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// The answer value sets the form names that it does not contain (held in the tenant), as the items name them:
    /// when there are none, nothing needs the tenant's value sets read.
    /// </summary>
    public IReadOnlyList<string> TenantValueSets { get; }

    /// <summary>How many distinct expressions this plan has compiled so far.</summary>
    internal int CompiledCount => _compiled.Count;

    /// <summary>
    /// The expression compiled, once per plan. An expression that does not compile throws every time it is asked for
    /// (the evaluation reports it as a problem); only what compiled is kept.
    /// </summary>
    internal CompiledExpression Compile(string expression) =>
        _compiled.TryGetValue(expression, out var compiled) ? compiled : _compiled.GetOrAdd(expression, FormPath.Compile(expression));

    internal IReadOnlyList<Expression> VariablesOf(ItemNode node) =>
        ItemVariables.TryGetValue(node, out var variables) ? variables : [];

    private static List<Expression> VariablesOf(IEnumerable<Extension> extensions) =>
        extensions.Where(e => e.Url == Sdc.Variable).Select(e => e.Value as Expression).OfType<Expression>().ToList();
}
