using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Responses;

/// <summary>
/// The platform's <see cref="ITaskFormSubmissions"/>: a workflow task's form answered with the decision, filed by the
/// same two use cases the chart uses (<see cref="StartFormResponse"/> on the version asked for, then
/// <see cref="CompleteFormResponse"/> with the answers), both joining the caller's transaction. Their field errors are
/// renamed to the caller's: the answers (<c>content…</c>) and what stops them being filed (no version of the form in
/// force at the location) under <see cref="TaskFormAnswers.FieldPrefix"/>, the version asked for under <c>formVersionId</c>.
/// </summary>
internal sealed class TaskFormSubmissions(TenantDbContext db, StartFormResponse start, CompleteFormResponse complete) : ITaskFormSubmissions
{
    public async Task<Guid> SubmitAsync(TaskFormAnswers answers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (string.IsNullOrWhiteSpace(answers.Content))
        {
            throw EhrException.Validation([new FieldError(answers.FieldPrefix, ErrorCodes.Required, "The answers are required (a QuestionnaireResponse as JSON).")]);
        }

        if (answers.FormVersionId is { } versionId &&
            !await db.Set<Artifact>().AsNoTracking().AnyAsync(a => a.Id == versionId && a.Kind == FormKind.Name && a.Key == answers.FormKey
                                                                    && a.Status == ArtifactStatus.Published, ct))
        {
            throw EhrException.Validation([new FieldError("formVersionId", ErrorCodes.UnknownReference,
                $"Not a published version of the form '{answers.FormKey}' this task asks for.")]);
        }

        try
        {
            // The task's location is where the response was filled (its form.submitted event names it), whichever version.
            var started = await start.HandleAsync(new NewFormResponse(answers.PatientId, answers.FormVersionId is null ? answers.FormKey : null,
                answers.FormVersionId, answers.LocationId), ct);
            var completed = await complete.HandleAsync(started.Response.Id, started.Response.Version, answers.Content, ct);
            return completed.Response.Id;
        }
        catch (EhrException e) when (e.Code == ErrorCodes.ValidationFailed)
        {
            throw EhrException.Validation(e.FieldErrors.Select(f => f with { Path = Rename(f.Path, answers.FieldPrefix) }).ToList());
        }
    }

    private static string Rename(string path, string prefix) =>
        path == "content" || path.StartsWith("content.", StringComparison.Ordinal) || path.StartsWith("content[", StringComparison.Ordinal)
            ? prefix + path["content".Length..]
            : path == "input.formId" ? "formVersionId"
            : path.StartsWith("input.", StringComparison.Ordinal) ? prefix : path;
}
