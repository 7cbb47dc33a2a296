using Ehr.Forms.Definitions;
using Ehr.Platform.Errors;

namespace Ehr.Web.Components.Forms;

/// <summary>
/// A use case's refusal as the renderer and the builder show it: each field error about the content (a response's
/// <c>content.item[0].answer[1]</c>, a definition's <c>content.item[2].enableWhen[0].question</c>) becomes a
/// <see cref="FormProblem"/> whose path is rooted at the resource again (<c>QuestionnaireResponse.item[0]...</c>,
/// <c>Questionnaire.item[2]...</c>), the inverse of the forms module's own mapping, so each one is placed beside the
/// item it names. Errors about other inputs (a reason, a note) are left to the host.
/// </summary>
public static class ServerProblems
{
    public const string Content = "content";

    /// <summary>The errors about the content of a response, as problems of a <c>QuestionnaireResponse</c>.</summary>
    public static IReadOnlyList<FormProblem> OfResponse(IEnumerable<FieldError> errors) => Of(errors, "QuestionnaireResponse");

    /// <summary>
    /// The same for answers a use case takes under another name (a task decision's <c>formAnswers.item[0]…</c>); the
    /// errors that are not about them by <see cref="Others(IEnumerable{FieldError}, string)"/>.
    /// </summary>
    public static IReadOnlyList<FormProblem> OfResponse(IEnumerable<FieldError> errors, string field) => Of(errors, "QuestionnaireResponse", field);

    /// <summary>The errors about the content of a definition, as problems of a <c>Questionnaire</c>.</summary>
    public static IReadOnlyList<FormProblem> OfDefinition(IEnumerable<FieldError> errors) => Of(errors, "Questionnaire");

    /// <summary>The errors that are not about the content (e.g. <c>reason</c>, <c>note</c>), by path.</summary>
    public static IReadOnlyList<FieldError> Others(IEnumerable<FieldError> errors) => Others(errors, Content);

    /// <inheritdoc cref="Others(IEnumerable{FieldError})"/>
    public static IReadOnlyList<FieldError> Others(IEnumerable<FieldError> errors, string field) =>
        errors.Where(e => !IsContent(e.Path, field)).ToList();

    private static List<FormProblem> Of(IEnumerable<FieldError> errors, string resourceType, string field = Content) =>
        errors.Where(e => IsContent(e.Path, field))
            .Select(e => new FormProblem(e.LinkId, e.Code, e.Message, resourceType + e.Path[field.Length..]))
            .ToList();

    private static bool IsContent(string path, string field) =>
        path == field || path.StartsWith(field + ".", StringComparison.Ordinal) || path.StartsWith(field + "[", StringComparison.Ordinal);
}
