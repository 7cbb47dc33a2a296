using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.JSInterop;
using Task = System.Threading.Tasks.Task;

namespace Ehr.Web.Components.Forms;

/// <summary>
/// Renders a Questionnaire for answering, with the response being answered. Knows nothing of where either comes from
/// or where answers go: the host passes the definition and the current response in, and receives every processed
/// change (<see cref="ResponseChanged"/>, for autosave) and the request to complete (<see cref="CompleteRequested"/>).
/// After each change the server's engine processes the response in process (an in-progress save), so enableWhen,
/// calculations and scores apply as the person answers; problems the host gets back from the server (a use case's
/// validation failure on completion) are passed in through <see cref="ExternalProblems"/> and shown beside their items.
/// </summary>
public sealed partial class QuestionnaireRenderer : ComponentBase
{
    private static int _instances;

    private readonly Dictionary<string, int> _shown = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _inputErrors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _units = new(StringComparer.Ordinal);
    private ResponseEditor _editor = null!;
    private FormView _view = null!;
    private Questionnaire? _questionnaire;
    private QuestionnaireResponse? _responseGiven;
    private QuestionnaireResponse? _lastEmitted;
    private IReadOnlyList<FormProblem>? _externalGiven;
    private bool _strict;
    private bool _focusSummary;
    private string _prefix = "";

    [Inject]
    private ResponseEngine Engine { get; set; } = default!;

    [Inject]
    private IAnswerValueSets ValueSets { get; set; } = default!;

    [Inject]
    private IJSRuntime Js { get; set; } = default!;

    /// <summary>The form definition (the exact version the response answers).</summary>
    [Parameter, EditorRequired]
    public Questionnaire Questionnaire { get; set; } = default!;

    /// <summary>The response to show and edit; null starts an empty one. A different object later replaces the answers.</summary>
    [Parameter]
    public QuestionnaireResponse? Response { get; set; }

    /// <summary>
    /// The answer value sets held in the tenant that the form names (the forms module resolves them:
    /// <c>GetResponseValueSets</c>, or the intake form): their concepts are a question's options, and the answers are
    /// checked against them as the server will. Without them only contained value sets and answer options are shown.
    /// </summary>
    [Parameter]
    public IAnswerValueSets? AnswerValueSets { get; set; }

    /// <summary>Show the answers without letting them change (a completed response, a reviewer).</summary>
    [Parameter]
    public bool ReadOnly { get; set; }

    /// <summary>Problems found by the server (for example a completion refused with the items named); shown beside their items.</summary>
    [Parameter]
    public IReadOnlyList<FormProblem>? ExternalProblems { get; set; }

    /// <summary>Raised after each change with the processed response (a copy the host may keep), for autosave.</summary>
    [Parameter]
    public EventCallback<QuestionnaireResponse> ResponseChanged { get; set; }

    /// <summary>Raised when the person completes the form and the engine finds nothing missing, with the processed response.</summary>
    [Parameter]
    public EventCallback<QuestionnaireResponse> CompleteRequested { get; set; }

    [Parameter]
    public string CompleteText { get; set; } = "Complete";

    /// <summary>
    /// Whether Complete first runs the engine's completion check here (the default: a preview, a host without a
    /// server). A host wired to the forms use cases sets it false: Complete is raised as it stands, the server's check
    /// is the one that counts, and its problems come back through <see cref="ExternalProblems"/>.
    /// </summary>
    [Parameter]
    public bool CheckBeforeComplete { get; set; } = true;

    /// <summary>The time zone dates with times are entered in; by default the browser's.</summary>
    [Parameter]
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>The largest file an attachment question takes (its bytes are kept in the response).</summary>
    [Parameter]
    public long MaxAttachmentBytes { get; set; } = 1024 * 1024;

    [Parameter]
    public bool ShowTitle { get; set; } = true;

    [Parameter]
    public string TestId { get; set; } = "form-renderer";

    internal TimeZoneInfo Zone => TimeZone ?? _browserZone ?? TimeZoneInfo.Utc;

    private TimeZoneInfo? _browserZone;

    private string SummaryId => _prefix + "-summary";

    internal bool IsReadOnly => ReadOnly;

    protected override void OnInitialized()
    {
        _prefix = "qr" + Interlocked.Increment(ref _instances);
        _editor = new ResponseEditor(Engine, ValueSets);
    }

    protected override void OnParametersSet()
    {
        ArgumentNullException.ThrowIfNull(Questionnaire);
        _editor.UseValueSets(AnswerValueSets ?? ValueSets);
        var newResponse = !ReferenceEquals(Response, _responseGiven) && !ReferenceEquals(Response, _lastEmitted);
        if (_questionnaire is null || newResponse)
        {
            _editor.Start(Questionnaire, Response);
            _shown.Clear();
            _inputErrors.Clear();
            _strict = false;
        }
        else if (!ReferenceEquals(Questionnaire, _questionnaire))
        {
            _editor.ChangeQuestionnaire(Questionnaire);
        }
        _questionnaire = Questionnaire;
        _responseGiven = Response;
        if (!ReferenceEquals(ExternalProblems, _externalGiven))
        {
            _externalGiven = ExternalProblems;
            _focusSummary = ExternalProblems is { Count: > 0 };
            // A refused completion: from now on each change is checked as a completion, so problems clear as they are answered.
            if (_focusSummary && !ReadOnly)
            {
                _strict = true;
                _editor.CheckCompletion();
            }
        }
        Refresh();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && TimeZone is null)
        {
            try
            {
                var name = await Js.InvokeAsync<string?>("ehrForms.timeZone");
                if (name is not null && TimeZoneInfo.TryFindSystemTimeZoneById(name, out var zone))
                {
                    _browserZone = zone;
                    Refresh();
                    StateHasChanged();
                }
            }
            catch (JSException)
            {
                // No script (or an old page): dates with times are read as UTC, which the entry shows.
            }
        }
        if (_focusSummary && _view.Summary.Count > 0)
        {
            _focusSummary = false;
            await FocusAsync(SummaryId);
        }
    }

    /// <summary>
    /// Lays the form out again and re-renders the whole renderer: changes come from the item components' events,
    /// which would otherwise re-render only the item that raised them (a score elsewhere would not move).
    /// </summary>
    private void Refresh()
    {
        var problems = new List<FormProblem>();
        problems.AddRange(_inputErrors.Select(e => new FormProblem(LinkIdOf(e.Key), FormProblemCodes.AnswerType, e.Value)));
        if (ExternalProblems is not null) problems.AddRange(ExternalProblems);
        foreach (var p in _editor.Problems)
            if (!problems.Any(x => x.LinkId == p.LinkId && x.Code == p.Code && x.Path == p.Path)) problems.Add(p);
        _view = FormView.Build(_editor, _shown, problems, ReadOnly, _prefix);
        StateHasChanged();
    }

    private static string? LinkIdOf(string addressKey)
    {
        var last = addressKey.Split('/')[^1];
        var hash = last.LastIndexOf('#');
        return hash < 0 ? last : last[..hash];
    }

    internal async Task FocusAsync(string id)
    {
        try
        {
            await Js.InvokeVoidAsync("ehrForms.focus", id);
        }
        catch (JSException)
        {
            // Focus is a convenience; the link's target is still on screen.
        }
    }

    // ------------------------------------------------------------------ changes from the items

    private async Task AfterChangeAsync()
    {
        if (_strict) _editor.CheckCompletion();
        Refresh();
        var copy = (QuestionnaireResponse)_editor.Response.DeepCopy();
        _lastEmitted = copy;
        if (ResponseChanged.HasDelegate) await ResponseChanged.InvokeAsync(copy);
    }

    private bool Unreadable(FormNode node, string? error, string key)
    {
        if (error is null)
        {
            _inputErrors.Remove(key);
            return false;
        }
        _inputErrors[key] = error;
        Refresh();
        return true;
    }

    internal Task SetTextAsync(FormNode node, string? text)
    {
        var value = AnswerFormat.FromInput(text, node.Definition, Zone, out var error);
        if (Unreadable(node, error, node.Address.Key)) return Task.CompletedTask;
        _editor.SetAnswer(node.Address, value);
        return AfterChangeAsync();
    }

    internal Task SetTextAtAsync(FormNode node, int slot, string? text)
    {
        var value = AnswerFormat.FromInput(text, node.Definition, Zone, out var error);
        if (Unreadable(node, error, $"{node.Address.Key}@{slot}")) return Task.CompletedTask;
        _editor.SetAnswerAt(node.Address, slot, value);
        return AfterChangeAsync();
    }

    internal Task SetValueAsync(FormNode node, DataType? value)
    {
        _editor.SetAnswer(node.Address, value);
        return AfterChangeAsync();
    }

    internal Task ChooseAsync(FormNode node, string? optionIndex)
    {
        DataType? value = int.TryParse(optionIndex, out var i) && i >= 0 && i < node.Options.Count ? (DataType)node.Options[i].Value.DeepCopy() : null;
        return SetValueAsync(node, value);
    }

    internal Task ToggleAsync(FormNode node, int optionIndex, bool on)
    {
        _editor.Toggle(node.Address, (DataType)node.Options[optionIndex].Value.DeepCopy(), on);
        return AfterChangeAsync();
    }

    internal Task ChooseManyAsync(FormNode node, IEnumerable<string> optionIndexes)
    {
        var chosen = optionIndexes.Select(s => int.TryParse(s, out var i) ? i : -1).Where(i => i >= 0 && i < node.Options.Count).ToHashSet();
        for (var i = 0; i < node.Options.Count; i++) _editor.Toggle(node.Address, (DataType)node.Options[i].Value.DeepCopy(), chosen.Contains(i));
        return AfterChangeAsync();
    }

    internal Task SetOtherAsync(FormNode node, string? text)
    {
        if (node.Repeats) _editor.SetOtherText(node.Address, text);
        else _editor.SetAnswer(node.Address, string.IsNullOrWhiteSpace(text) ? null : new FhirString(text.Trim()));
        return AfterChangeAsync();
    }

    internal int UnitIndex(FormNode node, IReadOnlyList<Coding> units)
    {
        if (node.Value is Quantity q)
        {
            var i = units.ToList().FindIndex(u => (q.Code is not null && u.Code == q.Code) || (q.Code is null && SdcExtensions.UnitLabel(u) == q.Unit));
            if (i >= 0) return i;
        }
        return _units.GetValueOrDefault(node.Address.Key);
    }

    internal Task SetQuantityAsync(FormNode node, string? number, string? unitText = null)
    {
        var units = SdcExtensions.UnitsOf(node.Definition);
        var unitIndex = UnitIndex(node, units);
        Coding? unit = units.Count > 0 ? units[Math.Clamp(unitIndex, 0, units.Count - 1)] : null;
        if (units.Count == 0 && !string.IsNullOrWhiteSpace(unitText ?? (node.Value as Quantity)?.Unit))
            unit = new Coding { Display = (unitText ?? (node.Value as Quantity)?.Unit)!.Trim() };
        var value = AnswerFormat.QuantityFrom(number, unit, out var error);
        if (Unreadable(node, error, node.Address.Key)) return Task.CompletedTask;
        _editor.SetAnswer(node.Address, value);
        return AfterChangeAsync();
    }

    internal Task SetUnitAsync(FormNode node, string? unitIndex)
    {
        _units[node.Address.Key] = int.TryParse(unitIndex, out var i) ? i : 0;
        if (node.Value is not Quantity q) return Task.CompletedTask;
        return SetQuantityAsync(node, q.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    internal Task SetFreeUnitAsync(FormNode node, string? unit)
    {
        if (node.Value is not Quantity q) return Task.CompletedTask;
        return SetQuantityAsync(node, q.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture), unit ?? "");
    }

    internal async Task AttachAsync(FormNode node, InputFileChangeEventArgs e)
    {
        var file = e.File;
        if (file.Size > MaxAttachmentBytes)
        {
            Unreadable(node, $"The file is {file.Size / 1024} KB; files up to {MaxAttachmentBytes / 1024} KB can be attached.", node.Address.Key);
            return;
        }
        using var buffer = new MemoryStream();
        await using (var stream = file.OpenReadStream(MaxAttachmentBytes))
        {
            await stream.CopyToAsync(buffer);
        }
        _inputErrors.Remove(node.Address.Key);
        var attachment = new Attachment
        {
            ContentType = string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType,
            Data = buffer.ToArray(),
            Title = file.Name,
            Size = buffer.Length,
            Creation = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
        };
        await SetValueAsync(node, attachment);
    }

    internal void AddRepetition(FormNode node)
    {
        _shown[FormView.ShownKey(node.Address.Parent, node.Definition)] = node.RepetitionCount + 1;
        Refresh();
    }

    internal Task RemoveRepetitionAsync(FormNode node)
    {
        var key = FormView.ShownKey(node.Address.Parent, node.Definition);
        _shown[key] = Math.Max(node.RepetitionCount - 1, 1);
        if (node.Item is null)
        {
            Refresh();
            return Task.CompletedTask;
        }
        _editor.RemoveRepetition(node.Address);
        return AfterChangeAsync();
    }

    internal void AddAnswerSlot(FormNode node)
    {
        _shown[FormView.ShownKey(node.Address.Parent, node.Definition)] = node.AnswerSlots + 1;
        Refresh();
    }

    internal Task RemoveAnswerAsync(FormNode node, int slot)
    {
        _shown[FormView.ShownKey(node.Address.Parent, node.Definition)] = Math.Max(node.AnswerSlots - 1, 1);
        _inputErrors.Remove($"{node.Address.Key}@{slot}");
        if (slot >= node.Values.Count)
        {
            Refresh();
            return Task.CompletedTask;
        }
        _editor.SetAnswerAt(node.Address, slot, null);
        return AfterChangeAsync();
    }

    private async Task CompleteAsync()
    {
        if (ReadOnly) return;
        if (_inputErrors.Count > 0 || CheckBeforeComplete)
        {
            _strict = true;
            var problems = _editor.CheckCompletion();
            Refresh();
            if (problems.Count > 0 || _inputErrors.Count > 0)
            {
                _focusSummary = true;
                return;
            }
        }
        var copy = (QuestionnaireResponse)_editor.Response.DeepCopy();
        _lastEmitted = copy;
        await CompleteRequested.InvokeAsync(copy);
    }
}
