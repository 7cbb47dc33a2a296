using Ehr.Platform.Errors;

namespace Ehr.Forms.Definitions;

/// <summary>
/// Form problems as API field errors: the code and message as they are, the link id kept, and the path re-rooted from
/// the resource (<c>Questionnaire.item[2].enableWhen[0]</c>) onto the input that carried it (<c>content.item[2]...</c>,
/// <c>response.item[0].answer[1]</c>).
/// </summary>
internal static class FormProblemFields
{
    public static IReadOnlyList<FieldError> ToFieldErrors(IEnumerable<FormProblem> problems, string root) =>
        problems.Select(p => new FieldError(Path(p.Path, root), p.Code, p.Message, p.LinkId)).ToList();

    /// <summary><paramref name="path"/> without its resource type, under <paramref name="root"/> (which may be empty).</summary>
    public static string Path(string? path, string root)
    {
        var relative = path ?? "";
        // Firely names the root "$this" (or "$"), our engine the resource type: both are the root of the input.
        if (relative.Length > 0 && (relative[0] == '$' || char.IsUpper(relative[0])))
        {
            var dot = relative.IndexOf('.', StringComparison.Ordinal);
            relative = dot < 0 ? "" : relative[(dot + 1)..];
        }

        return relative.Length == 0 ? root : root.Length == 0 ? relative : $"{root}.{relative}";
    }
}
