using System.Text.Json;
using Ehr.Forms.Definitions;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Templates;

/// <summary>
/// A documentation template's content (the artifact's JSON):
/// <code>
/// { "noteType": "soap", "code": { "system": "http://loinc.org", "code": "11506-3", "display": "Progress note" },
///   "description": "...", "questionnaire": { "resourceType": "Questionnaire", ... }, "narrative": "Liquid" }
/// </code>
/// <c>code</c> (the note's document type) and <c>description</c> are optional; a member not listed here is refused, never
/// dropped. A draft may lack parts; publishing needs every required part and checks it fully.
/// </summary>
internal sealed record NoteTemplateContent(string? NoteType, Coding? Code, string? Description, Questionnaire? Questionnaire, string? Narrative)
{
    public const int MaxDescription = 2_000;

    private static readonly HashSet<string> Members = new(StringComparer.Ordinal) { "noteType", "code", "description", "questionnaire", "narrative" };

    /// <summary>Reads the content; problems have paths inside it (<c>noteType</c>, <c>questionnaire.item[2].linkId</c>).</summary>
    public static NoteTemplateContent? Read(string json, List<FieldError> problems)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            problems.Add(new FieldError("", ErrorCodes.InvalidFormat, "Not JSON: " + e.Message));
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new FieldError("", ErrorCodes.InvalidFormat, "A note template is a JSON object."));
                return null;
            }

            var before = problems.Count;
            foreach (var member in root.EnumerateObject().Where(m => !Members.Contains(m.Name)))
            {
                problems.Add(new FieldError(member.Name, ErrorCodes.InvalidFormat,
                    $"Unknown member '{member.Name}': a note template has {string.Join(", ", Members)}."));
            }

            var noteType = Text(root, "noteType", problems);
            if (noteType is not null && !NoteTypes.IsKnown(noteType))
            {
                problems.Add(new FieldError("noteType", ErrorCodes.InvalidFormat, "One of " + string.Join(", ", NoteTypes.All) + "."));
            }

            var description = Text(root, "description", problems);
            if (description?.Length > MaxDescription)
            {
                problems.Add(new FieldError("description", ErrorCodes.TooLong, $"At most {MaxDescription} characters."));
            }

            var narrative = Text(root, "narrative", problems);
            var code = ReadCode(root, problems);
            Questionnaire? questionnaire = null;
            if (root.TryGetProperty("questionnaire", out var q) && q.ValueKind != JsonValueKind.Null)
            {
                if (q.ValueKind != JsonValueKind.Object)
                {
                    problems.Add(new FieldError("questionnaire", ErrorCodes.InvalidFormat, "A FHIR R4 Questionnaire (a JSON object)."));
                }
                else
                {
                    var parsed = QuestionnaireJson.ParseQuestionnaire(q.GetRawText());
                    problems.AddRange(parsed.Problems.Select(p => ToField(p, "questionnaire")));
                    questionnaire = parsed.Resource;
                }
            }

            return problems.Count > before ? null : new NoteTemplateContent(noteType, code, description, questionnaire, narrative);
        }
    }

    /// <summary>A form problem as a field error under <paramref name="basePath"/> (<c>Questionnaire.item[1]</c> becomes <c>questionnaire.item[1]</c>).</summary>
    public static FieldError ToField(FormProblem problem, string basePath)
    {
        var path = problem.Path switch
        {
            null or "" or "$" => basePath,
            var p when p.StartsWith("Questionnaire", StringComparison.Ordinal) => basePath + p["Questionnaire".Length..],
            var p => $"{basePath}.{p}",
        };
        var message = problem.LinkId is null ? problem.Message : $"{problem.LinkId}: {problem.Message}";
        return new FieldError(path, problem.Code, message);
    }

    private static string? Text(JsonElement root, string name, List<FieldError> problems)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add(new FieldError(name, ErrorCodes.InvalidFormat, "A string."));
            return null;
        }

        return value.GetString();
    }

    private static Coding? ReadCode(JsonElement root, List<FieldError> problems)
    {
        if (!root.TryGetProperty("code", out var code) || code.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var system = code.ValueKind == JsonValueKind.Object && code.TryGetProperty("system", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var value = code.ValueKind == JsonValueKind.Object && code.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        var display = code.ValueKind == JsonValueKind.Object && code.TryGetProperty("display", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        var unknown = code.ValueKind == JsonValueKind.Object && code.EnumerateObject().Any(m => m.Name is not ("system" or "code" or "display"));
        if (string.IsNullOrWhiteSpace(system) || string.IsNullOrWhiteSpace(value) || unknown)
        {
            problems.Add(new FieldError("code", ErrorCodes.InvalidFormat,
                "The note's document type as { system, code, display? }, e.g. LOINC 11506-3 (progress note)."));
            return null;
        }

        return new Coding(system, value, display);
    }
}
