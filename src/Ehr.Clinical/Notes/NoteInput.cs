using System.Text.Json;
using Ehr.Platform.Errors;

namespace Ehr.Clinical.Notes;

/// <summary>A new note. <c>Answers</c>: the QuestionnaireResponse behind the narrative when it comes from a template.</summary>
public sealed record NewNote(Guid? PatientId, string? NoteType, string? Title, string? Narrative, string? Answers = null, Guid? TemplateId = null);

/// <summary>The checks every note text and reason goes through, each problem with its field path.</summary>
internal static class NoteRules
{
    public const int MaxNarrative = 100_000;
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
