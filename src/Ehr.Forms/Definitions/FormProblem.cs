namespace Ehr.Forms.Definitions;

/// <summary>
/// One thing wrong with a form definition or a response: the item it concerns (null for the whole form), a stable
/// code from <see cref="FormProblemCodes"/>, a plain message for people and, where one helps, the path in the
/// resource (for example <c>Questionnaire.item[2].enableWhen[0].question</c>).
/// </summary>
public sealed record FormProblem(string? LinkId, string Code, string Message, string? Path = null)
{
    public override string ToString() => $"{LinkId ?? "(form)"}: {Code}: {Message}";
}
