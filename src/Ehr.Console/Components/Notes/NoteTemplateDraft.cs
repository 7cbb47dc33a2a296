using System.Text.Json;
using System.Text.Json.Nodes;
using Ehr.Forms.Definitions;
using Ehr.Platform.Contracts;
using Hl7.Fhir.Model;

namespace Ehr.Web.Components.Notes;

/// <summary>
/// A note template's content as the editor changes it: the parts it edits (note type, description, Questionnaire,
/// narrative) set on the stored JSON, every other member (the document code) kept exactly as it was. A draft may lack
/// parts or hold one in the wrong shape: reading is lenient (the use cases judge the content), and what could not be
/// read is reported, not dropped.
/// </summary>
public sealed class NoteTemplateDraft
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly JsonObject _root;

    private NoteTemplateDraft(JsonObject root, Questionnaire? questionnaire, IReadOnlyList<FormProblem> problems)
    {
        _root = root;
        Questionnaire = questionnaire;
        Problems = problems;
    }

    /// <summary>The template's Questionnaire as read (null when the content has none, or one Firely cannot read).</summary>
    public Questionnaire? Questionnaire { get; private set; }

    /// <summary>Why the content's Questionnaire (or the content itself) could not be read.</summary>
    public IReadOnlyList<FormProblem> Problems { get; }

    public string? NoteType
    {
        get => Text("noteType");
        set => Set("noteType", string.IsNullOrWhiteSpace(value) ? null : value);
    }

    public string? Description
    {
        get => Text("description");
        set => Set("description", string.IsNullOrWhiteSpace(value) ? null : value);
    }

    public string? Narrative
    {
        get => Text("narrative");
        set => Set("narrative", value);
    }

    /// <summary>The document code, as "system|code (display)", for showing; the editor keeps it as stored.</summary>
    public string? Code => _root["code"] is JsonObject code
        ? $"{code["system"]?.ToString()}|{code["code"]?.ToString()}" + (code["display"] is { } display ? $" ({display})" : "")
        : null;

    /// <summary>The content to store: the JSON object with the parts as now set.</summary>
    public string Content => _root.ToJsonString(Indented);

    /// <summary>Reads a stored content; unreadable JSON gives an empty template and says why.</summary>
    public static NoteTemplateDraft Read(string content)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(content) as JsonObject ?? throw new JsonException("A note template is a JSON object.");
        }
        catch (JsonException e)
        {
            return new NoteTemplateDraft(new JsonObject(), null, [new FormProblem(null, "INVALID_FORMAT", "The content is not a JSON object: " + e.Message, "content")]);
        }

        if (root["questionnaire"] is not JsonObject questionnaire)
        {
            return new NoteTemplateDraft(root, null, root["questionnaire"] is null ? [] : [new FormProblem(null, "INVALID_FORMAT", "The questionnaire is not a JSON object.", "content.questionnaire")]);
        }

        var parsed = QuestionnaireJson.ParseQuestionnaire(questionnaire.ToJsonString());
        return new NoteTemplateDraft(root, parsed.Resource, parsed.Problems);
    }

    /// <summary>What a new template starts with: a note type, a Questionnaire with one required question, and a narrative that names it.</summary>
    public static string Blank(string title, string noteType = "progress")
    {
        var questionnaire = new Questionnaire
        {
            Status = PublicationStatus.Draft,
            Title = title,
            SubjectType = [ResourceType.Patient],
            Item =
            [
                new Questionnaire.ItemComponent { LinkId = "summary", Text = "Summary", Type = Questionnaire.QuestionnaireItemType.Text, Required = true },
            ],
        };
        var draft = new NoteTemplateDraft(new JsonObject(), null, []) { NoteType = NoteTypes.IsKnown(noteType) ? noteType : "progress" };
        draft.SetQuestionnaire(questionnaire);
        draft.Narrative = "{{ answers.summary.value }}\n";
        return draft.Content;
    }

    /// <summary>Replaces the Questionnaire (the builder's definition as it now is).</summary>
    public void SetQuestionnaire(Questionnaire questionnaire)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        Questionnaire = questionnaire;
        Set("questionnaire", JsonNode.Parse(QuestionnaireJson.Serialize(questionnaire)));
    }

    private string? Text(string name) => _root[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    // Members keep their places; a new one goes where a template's members usually are, in this order.
    private static readonly string[] Order = ["noteType", "code", "description", "questionnaire", "narrative"];

    private void Set(string name, JsonNode? value)
    {
        if (value is null)
        {
            _root.Remove(name);
            return;
        }

        if (_root.ContainsKey(name))
        {
            _root[name] = value;
            return;
        }

        var after = Array.IndexOf(Order, name);
        var index = _root.Select((member, i) => (member.Key, i)).Where(m => Array.IndexOf(Order, m.Key) is var o && o >= 0 && o < after)
            .Select(m => m.i + 1).DefaultIfEmpty(0).Max();
        _root.Insert(index, name, value);
    }
}
