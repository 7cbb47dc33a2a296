using System.Text.RegularExpressions;
using Ehr.Forms.Definitions;
using Ehr.Platform.Errors;

namespace Ehr.Web.Components.Notes;

/// <summary>
/// A refused signature or amendment of a templated note as the renderer shows it: the notes use cases name each answer
/// problem <c>answers.&lt;linkId&gt;</c> (<c>answers["1.2"]</c> when the link id is not a plain name), with the place in
/// the response at the end of the message (<c>... (at QuestionnaireResponse.item[1].item[0])</c>). Each becomes a
/// <see cref="FormProblem"/> with that link id and path, so it lands beside its item. Other fields (a reason, the free
/// text, a title) are left to the page.
/// </summary>
public static partial class NoteRefusals
{
    public const string Answers = "answers";

    /// <summary>The problems with the answers, placed by link id and path; one about the whole response has neither.</summary>
    public static IReadOnlyList<FormProblem> OfAnswers(IEnumerable<FieldError> errors) =>
        errors.Where(e => IsAnswers(e.Path)).Select(ToProblem).ToList();

    /// <summary>The errors that are not about the answers (e.g. <c>reason</c>, <c>freeText</c>, <c>title</c>).</summary>
    public static IReadOnlyList<FieldError> Others(IEnumerable<FieldError> errors) => errors.Where(e => !IsAnswers(e.Path)).ToList();

    private static FormProblem ToProblem(FieldError error)
    {
        var located = Located().Match(error.Message);
        var message = located.Success ? located.Groups["message"].Value : error.Message;
        var path = located.Success ? located.Groups["path"].Value : null;
        var rest = error.Path[Answers.Length..];
        var linkId = error.LinkId ?? (PlainLinkId().Match(rest) is { Success: true } plain ? plain.Groups[1].Value
            : QuotedLinkId().Match(rest) is { Success: true } quoted ? quoted.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal) : null);
        return new FormProblem(linkId, error.Code, message, path);
    }

    private static bool IsAnswers(string path) =>
        path == Answers || path.StartsWith(Answers + ".", StringComparison.Ordinal) || path.StartsWith(Answers + "[", StringComparison.Ordinal);

    [GeneratedRegex(@"^(?<message>.*) \(at (?<path>QuestionnaireResponse[^\s()]*)\)$", RegexOptions.Singleline)]
    private static partial Regex Located();

    [GeneratedRegex(@"^\.([A-Za-z_][A-Za-z0-9_-]*)$")]
    private static partial Regex PlainLinkId();

    [GeneratedRegex(@"^\[""(.*)""\]$")]
    private static partial Regex QuotedLinkId();
}
