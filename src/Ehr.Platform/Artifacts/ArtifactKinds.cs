using System.Text.Json;
using Ehr.Platform.Errors;

namespace Ehr.Platform.Artifacts;

/// <summary>
/// A kind of configuration artifact, registered by the module that interprets it (the forms module registers
/// <c>form</c>, the workflow module <c>workflow</c>): who may read and manage it, and what makes its content valid.
/// </summary>
public interface IArtifactKind
{
    /// <summary>The kind's name, e.g. <c>form</c>.</summary>
    string Kind { get; }

    string ReadPermission { get; }

    string ManagePermission { get; }

    /// <summary>
    /// Problems with <paramref name="content"/> (well-formed JSON already), each with a path inside the content. A
    /// draft may be incomplete: with <paramref name="publishing"/> false only what makes it unusable as a draft counts;
    /// publishing checks everything.
    /// </summary>
    IReadOnlyList<FieldError> Check(string content, bool publishing);
}

/// <summary>The registered kinds, by name.</summary>
public sealed class ArtifactKindRegistry(IEnumerable<IArtifactKind> kinds)
{
    private readonly Dictionary<string, IArtifactKind> _kinds = kinds.ToDictionary(k => k.Kind, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _kinds.Keys;

    internal IArtifactKind Get(string? kind, string path) =>
        kind is not null && _kinds.TryGetValue(kind, out var found)
            ? found
            : throw EhrException.Validation([new FieldError(path, ErrorCodes.UnknownReference,
                $"Unknown artifact kind '{kind}'. Known: {string.Join(", ", _kinds.Keys.Order(StringComparer.Ordinal))}.")]);
}

/// <summary>Checks shared by every kind: keys, titles, notes, and that content is one JSON object.</summary>
internal static partial class ArtifactRules
{
    public const int MaxTitle = 200;
    public const int MaxNote = 1000;
    public const int MaxContentBytes = 2 * 1024 * 1024;

    public static string? Key(string? key, string path, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A key is required, e.g. phq-9."));
            return null;
        }

        if (!KeyPattern().IsMatch(key))
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, "Lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100."));
            return null;
        }

        return key;
    }

    public static string? Title(string? title, string path, List<FieldError> errors)
    {
        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A title is required."));
            return null;
        }

        if (trimmed.Length > MaxTitle)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {MaxTitle} characters."));
            return null;
        }

        return trimmed;
    }

    public static string? Note(string? note, string path, List<FieldError> errors)
    {
        var trimmed = note?.Trim();
        if (trimmed?.Length > MaxNote)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {MaxNote} characters."));
        }

        return string.IsNullOrEmpty(trimmed) ? null : trimmed;
    }

    /// <summary>The content if it is one JSON object within the size limit, then the kind's own checks.</summary>
    public static string? Content(string? content, IArtifactKind kind, bool publishing, string path, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "The content is required (a JSON object)."));
            return null;
        }

        if (System.Text.Encoding.UTF8.GetByteCount(content) > MaxContentBytes)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {MaxContentBytes / 1024 / 1024} MiB."));
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, "The content is a JSON object."));
                return null;
            }
        }
        catch (JsonException e)
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, $"Not JSON: {e.Message}"));
            return null;
        }

        var problems = kind.Check(content, publishing);
        errors.AddRange(problems.Select(p => p with { Path = string.IsNullOrEmpty(p.Path) ? path : $"{path}.{p.Path}" }));
        return problems.Count == 0 ? content : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial System.Text.RegularExpressions.Regex KeyPattern();
}
