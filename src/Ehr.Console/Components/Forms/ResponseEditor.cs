using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Web.Components.Forms;

/// <summary>One step of an <see cref="ItemAddress"/>: a definition item and which repetition of it (a group's
/// repetition, or for a question holding nested items, which of its answers holds them).</summary>
public readonly record struct AddressStep(Questionnaire.ItemComponent Definition, int Repetition);

/// <summary>
/// Where an item sits in a response, by meaning rather than by index in the JSON: the chain of definition items and
/// repetitions from the top. It stays right when the engine rebuilds the response (a copy, with calculated items
/// inserted and empty items pruned), which an object reference or a JSON path would not.
/// </summary>
public sealed class ItemAddress
{
    public static readonly ItemAddress Root = new([]);

    private ItemAddress(IReadOnlyList<AddressStep> steps)
    {
        Steps = steps;
        Key = string.Join("/", steps.Select(s => $"{s.Definition.LinkId}#{s.Repetition}"));
    }

    public IReadOnlyList<AddressStep> Steps { get; }

    /// <summary>A text key, equal for equal addresses (for the renderer's per-place state).</summary>
    public string Key { get; }

    public Questionnaire.ItemComponent Definition => Steps[^1].Definition;

    public int Repetition => Steps[^1].Repetition;

    public ItemAddress Then(Questionnaire.ItemComponent definition, int repetition = 0) => new([.. Steps, new AddressStep(definition, repetition)]);

    public ItemAddress Parent => new(Steps.Take(Steps.Count - 1).ToList());

    public override string ToString() => Key;
}

/// <summary>
/// The response a renderer edits: each change is made on the current response, which is then processed by the
/// server's engine as an in-progress save (<see cref="ResponseEngine.Process"/> with <see cref="ResponseCheck.Save"/>),
/// and the engine's copy becomes the current response. So what the person sees is what the server would store:
/// calculated items and scores recomputed, answers on items their change disabled dropped.
/// </summary>
internal sealed class ResponseEditor(ResponseEngine engine, IAnswerValueSets valueSets)
{
    private ResponseEngine _engine = engine;
    private IAnswerValueSets _valueSets = valueSets;

    // Consequences of the person's own change, not mistakes to point at: the item they hid (its answer dropped), and
    // in the builder's preview the items the designer removed or moved.
    private static readonly HashSet<string> AfterAnEdit = [FormProblemCodes.AnswerOnDisabledItem];
    private static readonly HashSet<string> AfterADefinitionChange =
        [FormProblemCodes.AnswerOnDisabledItem, FormProblemCodes.UnknownItem, FormProblemCodes.MisplacedItem];

    private static readonly HashSet<string> NothingDropped = [];

    public Questionnaire Questionnaire { get; private set; } = new();

    // Worked out once per definition the editor is given (items indexed, calculation order, compiled expressions),
    // not on every keystroke.
    private FormPlan? _plan;

    public QuestionnaireResponse Response { get; private set; } = NewResponse(new Questionnaire());

    /// <summary>The problems of the last processing (an in-progress save, or completion when asked).</summary>
    public IReadOnlyList<FormProblem> Problems { get; private set; } = [];

    /// <summary>Which items the current answers enable; null while the form cannot be evaluated.</summary>
    public EnabledItems? Enabled { get; private set; }

    /// <summary>Why the engine could not evaluate the form (an expression the definition's checks would refuse ...).</summary>
    public string? Failure { get; private set; }

    public IAnswerValueSets ValueSets => _valueSets;

    /// <summary>
    /// The value sets the form's answers are offered from and checked against (those the host resolved for this form);
    /// the engine processes the answers over the same ones, as the server does. Takes effect from the next change.
    /// </summary>
    public void UseValueSets(IAnswerValueSets sets)
    {
        ArgumentNullException.ThrowIfNull(sets);
        if (ReferenceEquals(sets, _valueSets)) return;
        _valueSets = sets;
        _engine = new ResponseEngine(sets);
    }

    /// <summary>Starts on a questionnaire with a response (a copy is taken; null: a new, empty one).</summary>
    public void Start(Questionnaire questionnaire, QuestionnaireResponse? response)
    {
        Questionnaire = questionnaire;
        _plan = null;
        Response = response is null ? NewResponse(questionnaire) : (QuestionnaireResponse)response.DeepCopy();
        Process(ResponseCheck.Save, NothingDropped);
    }

    /// <summary>The definition changed under the answers (the builder's preview): keep what still fits.</summary>
    public void ChangeQuestionnaire(Questionnaire questionnaire)
    {
        Questionnaire = questionnaire;
        _plan = null;
        Process(ResponseCheck.Save, AfterADefinitionChange);
    }

    /// <summary>Checks the response as a completion (required answers too); the response itself is recalculated as usual.</summary>
    public IReadOnlyList<FormProblem> CheckCompletion()
    {
        Process(ResponseCheck.Complete, AfterAnEdit);
        return Problems;
    }

    public static QuestionnaireResponse NewResponse(Questionnaire questionnaire) => new()
    {
        Status = QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
        Questionnaire = questionnaire.Url is null ? null : questionnaire.Version is null ? questionnaire.Url : $"{questionnaire.Url}|{questionnaire.Version}",
    };

    // ------------------------------------------------------------------ reading

    /// <summary>The response item at an address (a group's repetition, a question's item), or null when there is none yet.</summary>
    public QuestionnaireResponse.ItemComponent? Find(ItemAddress at) => Resolve(at, create: false);

    /// <summary>The response items inside a container (null: the top level), or null when the container does not exist yet.</summary>
    public IList<QuestionnaireResponse.ItemComponent>? ChildrenOf(ItemAddress container) =>
        container.Steps.Count == 0 ? Response.Item : ChildList(container, create: false);

    // ------------------------------------------------------------------ changes

    /// <summary>Sets (or, with null, clears) the answer of a question that takes one.</summary>
    public void SetAnswer(ItemAddress at, DataType? value)
    {
        var item = Resolve(at, create: value is not null);
        if (item is null) return;
        if (value is null) ClearAnswer(item, 0);
        else
        {
            if (item.Answer.Count == 0) item.Answer.Add(new QuestionnaireResponse.AnswerComponent());
            item.Answer[0].Value = value;
            // One answer: extra answers (from a definition that used to repeat) go.
            for (var i = item.Answer.Count - 1; i > 0; i--) if (item.Answer[i].Item.Count == 0) item.Answer.RemoveAt(i);
        }
        Changed();
    }

    /// <summary>Sets the <paramref name="index"/>-th answer of a repeating question (beyond the last: a new one), or clears it.</summary>
    public void SetAnswerAt(ItemAddress at, int index, DataType? value)
    {
        var item = Resolve(at, create: value is not null);
        if (item is null) return;
        if (value is null)
        {
            if (index < item.Answer.Count) ClearAnswer(item, index);
        }
        else if (index < item.Answer.Count) item.Answer[index].Value = value;
        else item.Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = value });
        Changed();
    }

    /// <summary>Adds or removes one answer of a question answered with check boxes.</summary>
    public void Toggle(ItemAddress at, DataType value, bool on)
    {
        var item = Resolve(at, create: on);
        if (item is null) return;
        var existing = item.Answer.FindIndex(a => a.Value is not null && Same(a.Value, value));
        if (on && existing < 0) item.Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = value });
        if (!on && existing >= 0) ClearAnswer(item, existing);
        Changed();
    }

    /// <summary>Replaces the free-text answer of an open-choice question answered with check boxes.</summary>
    public void SetOtherText(ItemAddress at, string? text)
    {
        var item = Resolve(at, create: !string.IsNullOrWhiteSpace(text));
        if (item is null) return;
        item.Answer.RemoveAll(a => a.Value is FhirString && a.Item.Count == 0);
        if (!string.IsNullOrWhiteSpace(text)) item.Answer.Add(new QuestionnaireResponse.AnswerComponent { Value = new FhirString(text.Trim()) });
        RemoveIfEmpty(at, item);
        Changed();
    }

    /// <summary>Removes one repetition of a repeating group (and everything answered in it).</summary>
    public void RemoveRepetition(ItemAddress at)
    {
        var siblings = at.Steps.Count == 1 ? Response.Item : ChildList(at.Parent, create: false);
        var item = Find(at);
        if (siblings is null || item is null) return;
        siblings.Remove(item);
        Changed();
    }

    private void Changed() => Process(ResponseCheck.Save, AfterAnEdit);

    private static bool Same(DataType a, DataType b) =>
        a is Coding ca && b is Coding cb
            ? ca.Code == cb.Code && (ca.System is null || cb.System is null || ca.System == cb.System)
            : a.IsExactly(b);

    private static void ClearAnswer(QuestionnaireResponse.ItemComponent item, int index)
    {
        if (index >= item.Answer.Count) return;
        // Nested items stay (on a valueless answer, which is how R4 nests items under a question).
        if (item.Answer[index].Item.Count > 0) item.Answer[index].Value = null;
        else item.Answer.RemoveAt(index);
    }

    private void RemoveIfEmpty(ItemAddress at, QuestionnaireResponse.ItemComponent item)
    {
        if (item.Answer.Count > 0 || item.Item.Count > 0) return;
        (at.Steps.Count == 1 ? Response.Item : ChildList(at.Parent, create: false))?.Remove(item);
    }

    private void Process(ResponseCheck check, IReadOnlySet<string> dropped)
    {
        // Answers cleared to nothing are removed here, so the engine never sees an answer without a value.
        Prune(Response.Item);
        try
        {
            _plan ??= FormPlan.Of(Questionnaire);
            var outcome = _engine.Process(_plan, Response, check);
            Response = outcome.Response;
            Problems = outcome.Problems.Where(p => !dropped.Contains(p.Code)).ToList();
            Enabled = EnabledItems.Of(_plan, Response, _valueSets);
            Failure = null;
        }
        // The builder's preview runs drafts the definition checks would refuse (an expression being typed, a link id
        // left empty); the engine's own refusal of such a draft must not take the page down. Published forms pass
        // those checks, so this is only ever the draft's problem, listed beside it by the builder.
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Failure = e.Message;
            Problems = [];
            Enabled = null;
        }
    }

    private static void Prune(IList<QuestionnaireResponse.ItemComponent> items)
    {
        for (var i = items.Count - 1; i >= 0; i--)
        {
            var item = items[i];
            Prune(item.Item);
            for (var a = item.Answer.Count - 1; a >= 0; a--)
            {
                Prune(item.Answer[a].Item);
                if (item.Answer[a].Value is null && item.Answer[a].Item.Count == 0) item.Answer.RemoveAt(a);
            }
            if (item.Answer.Count == 0 && item.Item.Count == 0) items.RemoveAt(i);
        }
    }

    // ------------------------------------------------------------------ addresses

    private IList<QuestionnaireResponse.ItemComponent>? ChildList(ItemAddress container, bool create)
    {
        var item = Resolve(container, create);
        if (item is null) return null;
        if (container.Definition.Type == ItemType.Group) return item.Item;
        var index = container.Repetition;
        if (index >= item.Answer.Count)
        {
            if (!create) return null;
            item.Answer.Add(new QuestionnaireResponse.AnswerComponent());
            index = item.Answer.Count - 1;
        }
        return item.Answer[index].Item;
    }

    private QuestionnaireResponse.ItemComponent? Resolve(ItemAddress at, bool create)
    {
        if (at.Steps.Count == 0) return null;
        var siblings = at.Steps.Count == 1 ? Response.Item : ChildList(at.Parent, create);
        if (siblings is null) return null;
        var definition = at.Definition;
        var instances = siblings.Where(i => i.LinkId == definition.LinkId).ToList();
        var wanted = definition.Type == ItemType.Group ? at.Repetition : 0;
        if (wanted < instances.Count) return instances[wanted];
        if (!create) return null;
        var item = new QuestionnaireResponse.ItemComponent { LinkId = definition.LinkId, Text = definition.Text };
        Insert(siblings, at, item);
        return item;
    }

    /// <summary>Inserts a response item among its siblings in the form's order (after the repetitions of its own item).</summary>
    private void Insert(IList<QuestionnaireResponse.ItemComponent> siblings, ItemAddress at, QuestionnaireResponse.ItemComponent item)
    {
        var definitions = at.Steps.Count == 1 ? Questionnaire.Item : at.Parent.Definition.Item;
        var order = definitions.IndexOf(at.Definition);
        var position = siblings.Count;
        for (var i = 0; i < siblings.Count; i++)
        {
            var other = definitions.FindIndex(d => d.LinkId == siblings[i].LinkId);
            if (other > order)
            {
                position = i;
                break;
            }
        }
        siblings.Insert(position, item);
    }
}
