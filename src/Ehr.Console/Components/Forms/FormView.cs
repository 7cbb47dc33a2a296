using System.Text;
using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Web.Components.Forms;

public enum NodeKind
{
    Group,
    Display,
    Question,
}

/// <summary>How a choice question is asked.</summary>
public enum ChoiceControl
{
    Radio,
    CheckBox,
    DropDown,
}

/// <summary>One permitted answer of a choice question, as shown: its value, its label and its prefix ("a)").</summary>
public sealed record ChoiceOption(DataType Value, string Label, string? Prefix);

/// <summary>
/// One item as the renderer shows it at one place in the response: a group's repetition, a display text or a
/// question, with its control's id, its answers, its children and the problems shown beside it.
/// </summary>
public sealed class FormNode
{
    public required Questionnaire.ItemComponent Definition { get; init; }

    public required ItemAddress Address { get; init; }

    public required NodeKind Kind { get; init; }

    /// <summary>The id of the item's control (or of its fieldset); the label, the error and the summary point at it.</summary>
    public required string Id { get; init; }

    /// <summary>The response item, when the response has one here.</summary>
    public QuestionnaireResponse.ItemComponent? Item { get; init; }

    /// <summary>The response item's path (<c>QuestionnaireResponse.item[0].item[2]</c>), when it has one.</summary>
    public string? Path { get; init; }

    /// <summary>The path of the enclosing response item (the response itself at the top), when it exists.</summary>
    public string? ContainerPath { get; init; }

    public bool ReadOnly { get; init; }

    public bool Calculated { get; init; }

    /// <summary>For a group: which repetition this is, and how many are shown.</summary>
    public int Repetition { get; init; }

    public int RepetitionCount { get; init; } = 1;

    public bool Repeats => Definition.Repeats == true;

    public bool IsLastRepetition => Repetition == RepetitionCount - 1;

    /// <summary>For a repeating question answered in boxes: how many boxes are shown.</summary>
    public int AnswerSlots { get; init; } = 1;

    public IReadOnlyList<ChoiceOption> Options { get; init; } = [];

    public ChoiceControl Control { get; init; }

    public List<FormNode> Children { get; } = [];

    public List<FormProblem> Problems { get; } = [];

    public string ErrorId => Id + "-error";

    public string HintId => Id + "-hint";

    public IReadOnlyList<DataType> Values => Item?.Answer.Select(a => a.Value).OfType<DataType>().ToList() ?? [];

    public DataType? Value => Item?.Answer.Select(a => a.Value).FirstOrDefault(v => v is not null);

    public bool Invalid => Problems.Count > 0;

    /// <summary>How the item is named to people (its text, else its link id).</summary>
    public string Caption => string.IsNullOrWhiteSpace(Definition.Text) ? Definition.LinkId ?? "item" : Definition.Text;
}

/// <summary>A problem as the summary lists it: the node it is shown beside (null when no shown item is concerned).</summary>
internal sealed record SummaryEntry(FormProblem Problem, FormNode? Node);

/// <summary>
/// What the renderer shows, worked out before any markup: the items the answers enable (hidden ones left out), each
/// at its place with a stable id, the number of empty repetitions and answer boxes the person asked for, and every
/// problem attached to the item it names (by link id and path, else the item's first place) or left to the summary.
/// </summary>
internal sealed class FormView
{
    private readonly ResponseEditor _editor;
    private readonly IReadOnlyDictionary<string, int> _shown;
    private readonly bool _readOnly;
    private readonly string _idPrefix;
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly List<FormNode> _all = [];

    private FormView(ResponseEditor editor, IReadOnlyDictionary<string, int> shown, bool readOnly, string idPrefix)
    {
        _editor = editor;
        _shown = shown;
        _readOnly = readOnly;
        _idPrefix = idPrefix;
    }

    public List<FormNode> Roots { get; } = [];

    public List<SummaryEntry> Summary { get; } = [];

    /// <summary>
    /// Lays out the form. <paramref name="shown"/> holds, by <see cref="ShownKey"/>, how many repetitions of a
    /// repeating group (or answer boxes of a repeating question) the person opened, including empty ones.
    /// </summary>
    public static FormView Build(ResponseEditor editor, IReadOnlyDictionary<string, int> shown, IEnumerable<FormProblem> problems,
        bool readOnly, string idPrefix)
    {
        var view = new FormView(editor, shown, readOnly, idPrefix);
        view.Lay(editor.Questionnaire.Item, ItemAddress.Root, "QuestionnaireResponse", null, view.Roots);
        view.Attach(problems);
        return view;
    }

    /// <summary>The key under which the number of shown repetitions or answer boxes of an item is kept.</summary>
    public static string ShownKey(ItemAddress container, Questionnaire.ItemComponent definition) =>
        container.Key + "/" + definition.LinkId;

    private void Lay(List<Questionnaire.ItemComponent> definitions, ItemAddress container, string? containerPath,
        QuestionnaireResponse.ItemComponent? containerItem, List<FormNode> into)
    {
        var present = _editor.ChildrenOf(container);
        foreach (var definition in definitions)
        {
            if (SdcExtensions.IsHidden(definition)) continue;
            if (_editor.Enabled is { } enabled && !enabled.IsEnabled(definition, containerItem)) continue;
            var instances = present?.Where(i => i.LinkId == definition.LinkId).ToList() ?? [];
            if (definition.Type == ItemType.Group)
            {
                var count = definition.Repeats == true
                    ? Math.Max(Math.Max(instances.Count, _shown.GetValueOrDefault(ShownKey(container, definition))), 1)
                    : 1;
                for (var r = 0; r < count; r++)
                {
                    var item = r < instances.Count ? instances[r] : null;
                    var address = container.Then(definition, r);
                    var node = new FormNode
                    {
                        Definition = definition,
                        Address = address,
                        Kind = NodeKind.Group,
                        Id = NewId(address),
                        Item = item,
                        Path = PathOf(present, item, containerPath),
                        ContainerPath = containerPath,
                        ReadOnly = _readOnly || definition.ReadOnly == true,
                        Repetition = r,
                        RepetitionCount = count,
                    };
                    Add(node, into);
                    Lay(definition.Item, address, node.Path, item, node.Children);
                }
                continue;
            }
            var questionItem = instances.Count > 0 ? instances[0] : null;
            var at = container.Then(definition);
            var kind = definition.Type == ItemType.Display ? NodeKind.Display : NodeKind.Question;
            var calculated = SdcExtensions.IsCalculated(definition);
            // Integer, date, time and string questions may list their permitted answers too: asked like a choice.
            var options = kind == NodeKind.Question ? OptionsOf(definition) : [];
            var question = new FormNode
            {
                Definition = definition,
                Address = at,
                Kind = kind,
                Id = NewId(at),
                Item = questionItem,
                Path = PathOf(present, questionItem, containerPath),
                ContainerPath = containerPath,
                ReadOnly = _readOnly || calculated || definition.ReadOnly == true,
                Calculated = calculated,
                AnswerSlots = Math.Max(Math.Max(questionItem?.Answer.Count(a => a.Value is not null) ?? 0,
                    _shown.GetValueOrDefault(ShownKey(container, definition))), 1),
                Options = options,
                Control = ControlOf(definition, options.Count),
            };
            Add(question, into);
            if (definition.Item.Count > 0 && kind == NodeKind.Question)
            {
                // Items nested under a question sit in its first answer (R4: answer.item).
                var nestedPath = question.Path is null || questionItem is not { Answer.Count: > 0 } ? null : question.Path + ".answer[0]";
                Lay(definition.Item, at, nestedPath, questionItem, question.Children);
            }
        }
    }

    private void Add(FormNode node, List<FormNode> into)
    {
        into.Add(node);
        _all.Add(node);
    }

    private static string? PathOf(IList<QuestionnaireResponse.ItemComponent>? present, QuestionnaireResponse.ItemComponent? item, string? containerPath)
    {
        if (item is null || present is null || containerPath is null) return null;
        for (var i = 0; i < present.Count; i++)
            if (ReferenceEquals(present[i], item)) return $"{containerPath}.item[{i}]";
        return null;
    }

    private string NewId(ItemAddress address)
    {
        var text = new StringBuilder(_idPrefix);
        foreach (var step in address.Steps)
        {
            text.Append('-');
            foreach (var c in step.Definition.LinkId ?? "item")
                text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
            if (step.Repetition > 0) text.Append('_').Append(step.Repetition);
        }
        var id = text.ToString();
        for (var n = 2; !_ids.Add(id); n++) id = $"{text}-{n}";
        return id;
    }

    private IReadOnlyList<ChoiceOption> OptionsOf(Questionnaire.ItemComponent item)
    {
        if (item.AnswerOption.Count > 0)
        {
            return item.AnswerOption.Where(o => o.Value is not null)
                .Select(o => new ChoiceOption(o.Value, SdcExtensions.Describe(o.Value), SdcExtensions.PrefixOf(o)))
                .ToList();
        }
        if (item.AnswerValueSet is not { } canonical) return [];
        var set = canonical.StartsWith('#') ? Contained(canonical) : _editor.ValueSets.Find(canonical);
        return set?.Concepts.Select(c => new ChoiceOption(new Coding(c.System, c.Code, c.Display), c.Display ?? c.Code, null)).ToList() ?? [];
    }

    /// <summary>A value set contained in the form: its expansion, else the concepts its compose lists.</summary>
    private AnswerValueSet? Contained(string reference)
    {
        if (_editor.Questionnaire.Contained.FirstOrDefault(r => "#" + r.Id == reference) is not ValueSet vs) return null;
        var concepts = new List<AnswerConcept>();
        void Add(IEnumerable<ValueSet.ContainsComponent> items)
        {
            foreach (var c in items)
            {
                if (c.Code is not null) concepts.Add(new AnswerConcept(c.System, c.Code, c.Display));
                Add(c.Contains);
            }
        }
        if (vs.Expansion?.Contains is { Count: > 0 } contains) Add(contains);
        else
        {
            foreach (var include in vs.Compose?.Include ?? [])
                concepts.AddRange(include.Concept.Where(c => c.Code is not null).Select(c => new AnswerConcept(include.System, c.Code!, c.Display)));
        }
        return new AnswerValueSet(reference, concepts);
    }

    /// <summary>The control for a choice: as the item-control hint asks, else check boxes for several answers, radio
    /// buttons for a short list, a drop-down for a long one.</summary>
    public static ChoiceControl ControlOf(Questionnaire.ItemComponent item, int optionCount) =>
        SdcExtensions.ItemControlOf(item) switch
        {
            "check-box" when item.Repeats == true => ChoiceControl.CheckBox,
            "radio-button" when item.Repeats != true => ChoiceControl.Radio,
            "drop-down" => ChoiceControl.DropDown,
            _ when item.Repeats == true => ChoiceControl.CheckBox,
            _ => optionCount <= RadioLimit ? ChoiceControl.Radio : ChoiceControl.DropDown,
        };

    /// <summary>Up to this many options are shown as radio buttons; more go in a drop-down.</summary>
    public const int RadioLimit = 7;

    private void Attach(IEnumerable<FormProblem> problems)
    {
        foreach (var problem in problems)
        {
            var node = NodeFor(problem);
            node?.Problems.Add(problem);
            Summary.Add(new SummaryEntry(problem, node));
        }
    }

    private FormNode? NodeFor(FormProblem problem)
    {
        if (problem.LinkId is null) return null;
        var candidates = _all.Where(n => n.Definition.LinkId == problem.LinkId).ToList();
        if (candidates.Count == 0) return null;
        if (problem.Path is { } path)
        {
            // The item's own path (or an answer inside it); a missing required item is reported at its container's.
            var own = candidates.FirstOrDefault(n => n.Path is not null && (path == n.Path || path.StartsWith(n.Path + ".", StringComparison.Ordinal)));
            if (own is not null) return own;
            var inContainer = candidates.FirstOrDefault(n => n.Item is null && n.ContainerPath == path);
            if (inContainer is not null) return inContainer;
        }
        return candidates[0];
    }
}
