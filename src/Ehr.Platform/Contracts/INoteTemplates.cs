namespace Ehr.Platform.Contracts;

/// <summary>
/// Who and when a templated note is about: the patient as a FHIR R4 Patient in JSON (from
/// <see cref="IPatientLaunchContext"/> or the notes module's own read), the author, and the time the answers are
/// stamped with.
/// </summary>
public sealed record NoteLaunch(Guid PatientId, string PatientJson, string AuthorId, DateTimeOffset Now);

/// <summary>How strictly a templated note's answers are checked, which also sets the response's status.</summary>
public enum NoteAnswersCheck
{
    /// <summary>A draft being written: everything but missing required answers (QuestionnaireResponse in-progress).</summary>
    Draft,

    /// <summary>Signing: complete (required answers, options, ranges ...); the response becomes completed.</summary>
    Sign,

    /// <summary>Amending a signed note: complete, like signing; the response becomes amended.</summary>
    Amend,
}

/// <summary>
/// A note's content made from a documentation template version: which version exactly, the note type it gives, a
/// default title, the answers (a QuestionnaireResponse in JSON, recalculated on the server) and the narrative rendered
/// from them (plain text, with the clinician's free text placed as the template says, else after it).
/// </summary>
public sealed record TemplatedNote(Guid TemplateId, string NoteType, string Title, string Answers, string Narrative);

/// <summary>
/// Documentation templates as the notes module uses them. The templates live in the forms module, which the clinical
/// module must not reference: the forms module implements this contract (dependency inversion), within the scope's
/// tenant and actor (reading a template demands its kind's read permission). Every refusal is an
/// <c>EhrException</c>: <c>VALIDATION_FAILED</c> with field paths the caller chooses, never a 500.
/// </summary>
public interface INoteTemplates
{
    /// <summary>
    /// Resolves <paramref name="key"/> for <paramref name="locationId"/> (its published override, else the tenant's
    /// published standard), prefills the answers from the launch context (<c>initialExpression</c> over
    /// <c>%patient</c>, <c>%user</c>) and renders the narrative. No published template under the key:
    /// <c>UNKNOWN_REFERENCE</c> at <paramref name="keyPath"/>.
    /// </summary>
    Task<TemplatedNote> StartAsync(string? key, Guid? locationId, NoteLaunch launch, string keyPath, CancellationToken ct);

    /// <summary>
    /// Checks <paramref name="answers"/> against the pinned version <paramref name="templateId"/> (retired or not), as
    /// <paramref name="check"/> says; recomputes calculated items and scores (the client's numbers are replaced); sets
    /// the response's subject, status and authored time; renders the narrative with <paramref name="freeText"/>. Each
    /// problem is a field <c>&lt;answersPath&gt;.&lt;linkId&gt;</c> (or <paramref name="answersPath"/> for the whole response).
    /// </summary>
    Task<TemplatedNote> ReviseAsync(Guid templateId, string answers, string? freeText, NoteAnswersCheck check, NoteLaunch launch,
        string answersPath, CancellationToken ct);
}
