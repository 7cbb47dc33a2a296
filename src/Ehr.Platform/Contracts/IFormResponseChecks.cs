namespace Ehr.Platform.Contracts;

/// <summary>
/// What a workflow task that names a form needs to know of the response given with its decision: that it is a
/// submitted (completed or amended) response to a version of that form, in this tenant. Implemented by the forms
/// module, which owns responses; reads nothing about the answers.
/// </summary>
public interface IFormResponseChecks
{
    /// <summary>True when <paramref name="responseId"/> is a completed or amended response to the form <paramref name="formKey"/>.</summary>
    Task<bool> IsSubmittedResponseToAsync(Guid responseId, string formKey, CancellationToken ct);
}
