namespace Ehr.Platform.Contracts;

/// <summary>
/// The answers to a workflow task's form, given with the decision: for <see cref="PatientId"/>, to the form
/// <see cref="FormKey"/> (the published version <see cref="FormVersionId"/> when given, else the one in force at
/// <see cref="LocationId"/>), as a QuestionnaireResponse in JSON. Field errors are reported under
/// <see cref="FieldPrefix"/> (the caller's name for the answers, e.g. <c>formAnswers.item[0].answer[0]</c>).
/// </summary>
public sealed record TaskFormAnswers(Guid PatientId, string FormKey, Guid? FormVersionId, Guid? LocationId, string? Content, string FieldPrefix);

/// <summary>
/// Files the answers to a workflow task's form as a submitted response, inside the caller's transaction (the one that
/// decides the task), so the response and the decision commit or vanish together. Implemented by the forms module with
/// its own use cases (start, then complete: the same permission <c>form.respond</c>, restricted-record rule, strict
/// validation, extraction, audit and <c>form.submitted</c> event as a response filled in the chart). A problem with the
/// answers is <c>VALIDATION_FAILED</c>, one field per problem, and nothing is stored.
/// </summary>
public interface ITaskFormSubmissions
{
    /// <summary>The id of the submitted response.</summary>
    Task<Guid> SubmitAsync(TaskFormAnswers answers, CancellationToken ct);
}
