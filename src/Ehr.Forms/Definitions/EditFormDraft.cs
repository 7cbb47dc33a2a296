using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Definitions;

/// <summary>
/// Replaces a form draft's title and/or Questionnaire (form.manage), with the version the caller saw
/// (<c>VERSION_CONFLICT</c> otherwise); published versions are never edited (<c>CONFLICT</c>: start a draft from them).
/// Returns the complete check's report.
/// </summary>
public sealed class EditFormDraft(ActorContext actors, ArtifactLifecycle lifecycle, FormDefinitions definitions)
{
    public async Task<FormDraftResult> HandleAsync(Guid id, int expectedVersion, string? title, string? content, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        await definitions.RequireAsync(id, ct);
        var draft = await lifecycle.EditAsync(id, expectedVersion, title, content, ct);
        return await definitions.ReportAsync(draft, ct);
    }
}
