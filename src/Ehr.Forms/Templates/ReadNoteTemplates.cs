using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Templates;

/// <summary>
/// Reading note templates through the artifact store (its read permission, <c>location.read</c>): one version by id,
/// the version in force for a key at a location, what is in force at a location (a clinician's list to start notes
/// from), and every version (a template manager's list). An id of another kind of artifact reads as absent.
/// </summary>
public sealed class ReadNoteTemplates(ReadArtifacts artifacts, ActorContext actors, TenantFormEngine forms)
{
    public async Task<NoteTemplateVersion?> GetAsync(Guid id, CancellationToken ct)
    {
        // Demanded before looking: an id that names nothing must not answer differently to those who may not read.
        actors.Demand(Permissions.LocationRead);
        return await artifacts.GetAsync(id, ct) is { Kind: NoteTemplateKind.Name } artifact ? NoteTemplateVersion.Of(artifact) : null;
    }

    /// <summary>
    /// The answer value sets held in the tenant that a version's Questionnaire names (only those), resolved as its
    /// answers are checked (<see cref="TenantFormEngine"/>), for a renderer to offer their concepts as options; null when
    /// the id is not a note template.
    /// </summary>
    public async Task<IAnswerValueSets?> ValueSetsAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.LocationRead);
        if (await artifacts.GetAsync(id, ct) is not { Kind: NoteTemplateKind.Name } artifact ||
            NoteTemplateVersion.Of(artifact).Questionnaire is not { } json ||
            QuestionnaireJson.ParseQuestionnaire(json).Resource is not { } questionnaire)
        {
            return null;
        }

        var plan = FormPlan.Of(questionnaire);
        await forms.LoadForAsync(plan, ct);
        return forms.NamedBy(plan);
    }

    public async Task<NoteTemplateVersion?> ResolveAsync(string? key, Guid? locationId, CancellationToken ct) =>
        await artifacts.ResolveAsync(NoteTemplateKind.Name, key, locationId, ct) is { } artifact ? NoteTemplateVersion.Of(artifact) : null;

    public async Task<IReadOnlyList<NoteTemplateVersion>> InForceAsync(Guid? locationId, CancellationToken ct) =>
        (await artifacts.InForceAsync(NoteTemplateKind.Name, locationId, ct)).Select(NoteTemplateVersion.Of).ToList();

    /// <summary>Every version of <paramref name="key"/>, or of every key when it is null.</summary>
    public async Task<IReadOnlyList<NoteTemplateVersion>> VersionsAsync(string? key, CancellationToken ct) =>
        (key is null ? await artifacts.ListAsync(NoteTemplateKind.Name, ct) : await artifacts.VersionsAsync(NoteTemplateKind.Name, key, ct))
        .Select(NoteTemplateVersion.Of).ToList();
}
