using System.Text.Json;
using Ehr.Platform.Errors;

namespace Ehr.Clinical.Notes;

/// <summary>
/// A new note written freely. <c>Answers</c>: a QuestionnaireResponse behind the narrative, kept as given. A note from a
/// documentation template starts with <see cref="StartNoteFromTemplate"/>, which pins the template version.
/// </summary>
public sealed record NewNote(Guid? PatientId, string? NoteType, string? Title, string? Narrative, string? Answers = null);

/// <summary>
/// A new note from a documentation template: the template's key, resolved at <c>LocationId</c> when given (else the
/// author's one location, else the patient's home location, else the tenant's standard); the title defaults to the
/// template's.
/// </summary>
public sealed record NewNoteFromTemplate(Guid? PatientId, string? TemplateKey, Guid? LocationId = null, string? Title = null);

/// <summary>The checks every note text and reason goes through, each problem with its field path.</summary>
internal static class NoteRules
{
    public const int MaxNarrative = 100_000;

    /// <summary>The answers of a templated note that has none yet: an empty response, which the template then judges.</summary>
    public const string NoAnswers = """{"resourceType":"QuestionnaireResponse","status":"in-progress"}""";

    /// <summary>A templated note's free text: with the rendered part (at most 50,000 characters) it stays under <see cref="MaxNarrative"/>.</summary>
    public const int MaxFreeText = 49_000;
    public const int MinReason = 5;
    public const int MaxReason = 500;

    public static string? Type(string? type, string path, List<FieldError> errors)
    {
        if (type is null || !Note.Types.Contains(type))
        {
            errors.Add(new FieldError(path, type is null ? ErrorCodes.Required : ErrorCodes.InvalidFormat, "One of " + string.Join(", ", Note.Types) + "."));
            return null;
        }

        return type;
    }

    public static string? Title(string? title, string path, List<FieldError> errors)
    {
        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > 200)
        {
            errors.Add(new FieldError(path, string.IsNullOrEmpty(trimmed) ? ErrorCodes.Required : ErrorCodes.TooLong, "A title of 1 to 200 characters."));
            return null;
        }

        return trimmed;
    }

    public static string? Narrative(string? narrative, string path, List<FieldError> errors)
    {
        if (narrative is null)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "The note's text is required (it may be empty while drafting)."));
            return null;
        }

        if (narrative.Length > MaxNarrative)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {MaxNarrative} characters."));
            return null;
        }

        return narrative;
    }

    public static string? FreeText(string? freeText, string path, List<FieldError> errors)
    {
        if (freeText?.Length > MaxFreeText)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {MaxFreeText} characters."));
            return null;
        }

        return string.IsNullOrWhiteSpace(freeText) ? null : freeText;
    }

    /// <summary>A templated note's text is rendered from its answers: a narrative sent for it is refused, not ignored.</summary>
    public static void NoNarrativeForTemplatedNotes(string? narrative, string path)
    {
        if (narrative is not null)
        {
            throw EhrException.Validation([new FieldError(path, ErrorCodes.InvalidFormat,
                "This note comes from a template: its text is rendered from its answers. Send answers and freeText instead.")]);
        }
    }

    /// <summary>Free text belongs to templated notes: a free note's text is its narrative.</summary>
    public static void NoFreeTextForFreeNotes(string? freeText, string path)
    {
        if (freeText is not null)
        {
            throw EhrException.Validation([new FieldError(path, ErrorCodes.InvalidFormat,
                "Free text is for notes from a template; this note's text is its narrative.")]);
        }
    }

    public static string? Answers(string? answers, string path, List<FieldError> errors)
    {
        if (answers is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(answers);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("resourceType", out var type) && type.ValueEquals("QuestionnaireResponse"))
            {
                return answers;
            }
        }
        catch (JsonException)
        {
        }

        errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, "The answers are a QuestionnaireResponse in JSON."));
        return null;
    }

    public static string Reason(string? reason, string path)
    {
        var trimmed = reason?.Trim() ?? "";
        return trimmed.Length is >= MinReason and <= MaxReason
            ? trimmed
            : throw EhrException.Validation([new FieldError(path, trimmed.Length == 0 ? ErrorCodes.Required : ErrorCodes.OutOfRange,
                $"Say why, in {MinReason} to {MaxReason} characters.")]);
    }

    public static void ThrowIfAny(List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }
    }
}
