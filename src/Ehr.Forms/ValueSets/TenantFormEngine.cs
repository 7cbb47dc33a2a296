using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;

namespace Ehr.Forms.ValueSets;

/// <summary>
/// The form engine as a tenant uses it: the <see cref="DefinitionValidator"/> and the <see cref="ResponseEngine"/> over
/// the scope's answer value sets (<see cref="TenantAnswerValueSets"/>). Forms (the <c>form</c> kind, responses, intake)
/// and documentation templates (the <c>note-template</c> kind, notes, the builder's preview) check their
/// Questionnaires and answers through this one class, so an <c>answerValueSet</c> held in the tenant means the same
/// everywhere. The value sets are read once per scope, before the engine asks (it asks synchronously): <see
/// cref="LoadAsync"/>, or <see cref="LoadForAsync"/>, which reads nothing for the many forms that name none.
/// </summary>
public sealed class TenantFormEngine
{
    private readonly IAnswerValueSets _valueSets;
    private readonly Func<CancellationToken, System.Threading.Tasks.Task> _load;

    public TenantFormEngine(TenantAnswerValueSets valueSets)
        : this(valueSets, valueSets.LoadAsync)
    {
    }

    private TenantFormEngine(IAnswerValueSets valueSets, Func<CancellationToken, System.Threading.Tasks.Task> load)
    {
        _valueSets = valueSets;
        _load = load;
        Engine = new ResponseEngine(valueSets);
    }

    /// <summary>Over value sets already in memory (the library, tests): nothing to load.</summary>
    public static TenantFormEngine Over(IAnswerValueSets valueSets) => new(valueSets, _ => System.Threading.Tasks.Task.CompletedTask);

    public ResponseEngine Engine { get; }

    /// <summary>The value sets themselves (loaded first), for what shows a coded answer's display.</summary>
    public IAnswerValueSets ValueSets => _valueSets;

    public System.Threading.Tasks.Task LoadAsync(CancellationToken ct) => _load(ct);

    /// <summary>Reads the tenant's value sets when this form names one it does not contain.</summary>
    public System.Threading.Tasks.Task LoadForAsync(FormPlan plan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.TenantValueSets.Count > 0 ? _load(ct) : System.Threading.Tasks.Task.CompletedTask;
    }

    /// <summary>Every problem of a definition, its answer value sets resolved in the tenant (loaded first).</summary>
    public IReadOnlyList<FormProblem> Validate(Questionnaire questionnaire) => new DefinitionValidator(_valueSets).Validate(questionnaire);

    /// <summary>
    /// The value sets a form names, as it names them (loaded first), for a renderer to list their concepts as answer
    /// options: only these, never the tenant's others, so whoever may fill in the form sees its options and nothing
    /// more (no <c>form.manage</c>, no listing of the tenant's value sets).
    /// </summary>
    public IAnswerValueSets NamedBy(FormPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var named = new Dictionary<string, AnswerValueSet>(StringComparer.Ordinal);
        foreach (var canonical in plan.TenantValueSets)
        {
            if (_valueSets.Find(canonical) is { } set) named[canonical] = set;
        }
        return new NamedValueSets(named);
    }

    private sealed class NamedValueSets(IReadOnlyDictionary<string, AnswerValueSet> sets) : IAnswerValueSets
    {
        public AnswerValueSet? Find(string canonical) => sets.GetValueOrDefault(canonical);
    }
}
