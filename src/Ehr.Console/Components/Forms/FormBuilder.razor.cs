using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Components;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;
using Task = System.Threading.Tasks.Task;

namespace Ehr.Web.Components.Forms;

/// <summary>
/// The form builder: a tree of the form's items (add, nest, duplicate, delete, move with buttons or by dragging, into
/// and out of groups), an inspector for the selected item (or the form), a live preview (the
/// <see cref="QuestionnaireRenderer"/> on the definition as it is now) and a JSON view that round-trips with the tree
/// and checks as it is typed. It edits a copy of the Questionnaire it is given and knows nothing of storage: each edit
/// is raised through <see cref="QuestionnaireChanged"/> (a copy), and the host puts its own actions (save a draft,
/// publish with a note, a location's override) in <see cref="Actions"/>.
/// </summary>
public sealed partial class FormBuilder : ComponentBase
{
    private FormBuilderModel _model = FormBuilderModel.Blank();
    private Questionnaire? _given;
    private bool _started;
    private Questionnaire.ItemComponent? _selected;
    private Questionnaire _preview = new();
    private QuestionnaireResponse? _previewResponse;
    private string? _previewNotice;
    private string _json = "";
    private IReadOnlyList<FormProblem> _jsonErrors = [];
    private IReadOnlyList<FormProblem> _problems = [];
    private IReadOnlyList<string> _notes = [];
    private Questionnaire.ItemComponent? _dragging;
    private ItemType _newType = ItemType.String;
    private bool _showJson;

    [Inject]
    private DefinitionValidator Validator { get; set; } = default!;

    /// <summary>The definition to edit (a copy is taken; a different object later starts over); null: a blank form.</summary>
    [Parameter]
    public Questionnaire? Questionnaire { get; set; }

    /// <summary>Raised after every edit with a copy of the definition as it now is (for a draft's autosave).</summary>
    [Parameter]
    public EventCallback<Questionnaire> QuestionnaireChanged { get; set; }

    /// <summary>The host's own actions, given the definition as it now is (and whether the checks pass).</summary>
    [Parameter]
    public RenderFragment<BuilderState>? Actions { get; set; }

    /// <summary>
    /// Problems the server found (a refused publication, its field errors mapped by <see cref="Forms.ServerProblems"/>):
    /// listed with the builder's own, and marked on the items they name (by path, else link id). The host clears them
    /// when the definition changes.
    /// </summary>
    [Parameter]
    public IReadOnlyList<FormProblem>? ServerProblems { get; set; }

    /// <summary>
    /// Raised with a copy of the preview's answers after each change in the preview (processed as the server would),
    /// and with null when they are cleared: a host may render something from sample answers (a note template's
    /// narrative).
    /// </summary>
    [Parameter]
    public EventCallback<QuestionnaireResponse?> PreviewResponseChanged { get; set; }

    /// <summary>The server's problems about one item (none when it names no item on the tree).</summary>
    internal IReadOnlyList<FormProblem> ServerProblemsFor(Questionnaire.ItemComponent item) =>
        ServerProblems is not { Count: > 0 } problems ? [] : problems.Where(p => ReferenceEquals(NodeOf(p)?.Item, item)).ToList();

    private BuilderNode? NodeOf(FormProblem problem) => _model.NodeAtPath(problem.Path) ?? _model.NodeWithLinkId(problem.LinkId);

    internal FormBuilderModel Model => _model;

    internal Questionnaire.ItemComponent? Selected => _selected;

    internal Questionnaire.ItemComponent? Dragging => _dragging;

    protected override void OnParametersSet()
    {
        if (_started && ReferenceEquals(Questionnaire, _given)) return;
        _started = true;
        _given = Questionnaire;
        _model = Questionnaire is null ? FormBuilderModel.Blank() : new FormBuilderModel((Questionnaire)Questionnaire.DeepCopy());
        _selected = null;
        _notes = [];
        _previewResponse = null;
        Sync();
    }

    /// <summary>After the tree or the inspector changed the definition: check it, show it as JSON, refresh the preview, tell the host.</summary>
    internal async Task EditedAsync(IReadOnlyList<string>? notes = null)
    {
        _notes = notes ?? [];
        Sync();
        // The tree and the inspector call in from their own events, which re-render only themselves.
        StateHasChanged();
        await RaiseAsync();
    }

    private async Task RaiseAsync()
    {
        if (QuestionnaireChanged.HasDelegate) await QuestionnaireChanged.InvokeAsync((Questionnaire)_model.Questionnaire.DeepCopy());
    }

    private void Sync()
    {
        _problems = Validator.Validate(_model.Questionnaire);
        _json = _model.ToJson();
        _jsonErrors = [];
        _preview = (Questionnaire)_model.Questionnaire.DeepCopy();
    }

    internal void Select(Questionnaire.ItemComponent? item)
    {
        _selected = item;
        _notes = [];
        StateHasChanged();
    }

    private string Title => string.IsNullOrWhiteSpace(_model.Questionnaire.Title) ? "Untitled form" : _model.Questionnaire.Title;

    private string FileName
    {
        get
        {
            var words = System.Text.RegularExpressions.Regex.Split(_model.Questionnaire.Title ?? _model.Questionnaire.Name ?? "form", "[^A-Za-z0-9]+")
                .Where(w => w.Length > 0).ToArray();
            return (words.Length == 0 ? "form" : string.Join('-', words).ToLowerInvariant()) + ".json";
        }
    }

    // The JSON as it reads now: the text being edited while it reads, else the tree's.
    private string DownloadHref => "data:application/json;charset=utf-8," + Uri.EscapeDataString(_jsonErrors.Count == 0 ? _json : _model.ToJson());

    // ------------------------------------------------------------------ tree actions

    private Task AddAsync(bool inside)
    {
        var selected = _selected;
        Questionnaire.ItemComponent item;
        if (inside && selected?.Type == ItemType.Group) item = _model.Add(_newType, selected);
        else
        {
            var parent = selected is null ? null : _model.NodeOf(selected)?.Parent;
            item = _model.Add(_newType, parent, selected);
        }
        _selected = item;
        return EditedAsync();
    }

    private Task MoveAsync(Func<Questionnaire.ItemComponent, IReadOnlyList<string>> move)
    {
        if (_selected is null) return Task.CompletedTask;
        return EditedAsync(move(_selected));
    }

    private Task DuplicateAsync()
    {
        if (_selected is null) return Task.CompletedTask;
        _selected = _model.Duplicate(_selected);
        return EditedAsync();
    }

    private Task DeleteAsync()
    {
        if (_selected is null) return Task.CompletedTask;
        var node = _model.NodeOf(_selected);
        var notes = _model.Delete(_selected);
        // Select the neighbour, so the keyboard stays in the tree's flow.
        var siblings = node?.Parent?.Item ?? _model.Questionnaire.Item;
        _selected = siblings.Count == 0 ? node?.Parent : siblings[Math.Min(node?.Index ?? 0, siblings.Count - 1)];
        return EditedAsync(notes);
    }

    internal void DragStart(Questionnaire.ItemComponent item) => _dragging = item;

    internal void DragEnd() => _dragging = null;

    /// <summary>Drops the dragged item at a position among <paramref name="parent"/>'s items (null: the top level).</summary>
    internal Task DropAsync(Questionnaire.ItemComponent? parent, int index)
    {
        var item = _dragging;
        _dragging = null;
        if (item is null || !FormBuilderModel.CanMove(item, parent))
        {
            StateHasChanged();
            return Task.CompletedTask;
        }
        var notes = _model.Move(item, parent, index);
        _selected = item;
        return EditedAsync(notes);
    }

    // ------------------------------------------------------------------ problems, JSON, preview

    private void SelectProblem(FormProblem problem)
    {
        var node = NodeOf(problem);
        if (node is not null) Select(node.Item);
    }

    private async Task JsonEditedAsync()
    {
        var selectedKey = _selected is null ? null : _model.NodeOf(_selected)?.Key;
        var errors = _model.ReplaceFromJson(_json);
        if (errors.Count > 0)
        {
            // The tree keeps the last definition that read; the text stays as typed, to be corrected.
            _jsonErrors = errors;
            return;
        }
        _jsonErrors = [];
        _selected = selectedKey is null ? null : _model.NodeAt(selectedKey)?.Item;
        _problems = Validator.Validate(_model.Questionnaire);
        _preview = (Questionnaire)_model.Questionnaire.DeepCopy();
        _notes = [];
        await RaiseAsync();
    }

    private void RevertJson()
    {
        _json = _model.ToJson();
        _jsonErrors = [];
    }

    private async Task ResetPreview()
    {
        _previewResponse = new QuestionnaireResponse();
        _previewNotice = null;
        if (PreviewResponseChanged.HasDelegate) await PreviewResponseChanged.InvokeAsync(null);
    }

    private async Task PreviewChangedAsync(QuestionnaireResponse response)
    {
        if (PreviewResponseChanged.HasDelegate) await PreviewResponseChanged.InvokeAsync(response);
    }

    private void PreviewCompleted(QuestionnaireResponse response)
    {
        _previewNotice = "The answers are complete: the server would accept this response.";
        _previewResponse = response;
    }
}

/// <summary>What the builder's host sees of the form being built: a copy of the definition and the checks' verdict.</summary>
public sealed record BuilderState(Questionnaire Questionnaire, IReadOnlyList<FormProblem> Problems)
{
    public bool Valid => Problems.Count == 0;
}
