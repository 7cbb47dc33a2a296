using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Templates;

/// <summary>A new note template draft: the first version of a key, the next one, or a location's override (see <see cref="NewDraft"/>).</summary>
public sealed record NewNoteTemplateDraft(string? Key, Guid? LocationId, string? Title, string? Content, Guid? From = null);

/// <summary>
/// A note template's lifecycle through the artifact store's use cases (draft, edit, publish with a note, retire,
/// discard a draft), each demanding <c>template.manage</c> first, checked by the kind (lenient for drafts, complete
/// for publishing), versioned and audited there. An id of another kind of artifact is <c>NOT_FOUND</c> here.
/// </summary>
public sealed class ChangeNoteTemplates(ActorContext actors, CreateDraft create, ArtifactLifecycle lifecycle, ReadArtifacts artifacts, TenantFormEngine forms)
{
    public async Task<NoteTemplateVersion> CreateDraftAsync(NewNoteTemplateDraft input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        actors.Demand(Permissions.TemplateManage);

        // A from of another kind is refused by CreateDraft itself (UNKNOWN_REFERENCE on input.from).
        return NoteTemplateVersion.Of(await create.HandleAsync(
            new NewDraft(NoteTemplateKind.Name, input.Key, input.LocationId, input.Title, input.Content, input.From), ct));
    }

    public async Task<NoteTemplateVersion> EditAsync(Guid id, int expectedVersion, string? title, string? content, CancellationToken ct) =>
        NoteTemplateVersion.Of(await lifecycle.EditAsync(await RequireAsync(id, ct), expectedVersion, title, content, ct));

    public async Task<NoteTemplateVersion> PublishAsync(Guid id, int expectedVersion, string? note, CancellationToken ct)
    {
        var template = await RequireAsync(id, ct);
        // The kind's complete check resolves answerValueSet URLs against the tenant's value sets, as for forms.
        await forms.LoadAsync(ct);
        return NoteTemplateVersion.Of(await lifecycle.PublishAsync(template, expectedVersion, note, ct));
    }

    public async Task<NoteTemplateVersion> RetireAsync(Guid id, int expectedVersion, CancellationToken ct) =>
        NoteTemplateVersion.Of(await lifecycle.RetireAsync(await RequireAsync(id, ct), expectedVersion, ct));

    public async Task<bool> DiscardAsync(Guid id, int expectedVersion, CancellationToken ct)
    {
        await lifecycle.DiscardAsync(await RequireAsync(id, ct), expectedVersion, ct);
        return true;
    }

    private async Task<Guid> RequireAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.TemplateManage);
        return await artifacts.GetAsync(id, ct) is { Kind: NoteTemplateKind.Name } ? id : throw EhrException.NotFound("Note template " + id);
    }
}
