using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;

namespace Ehr.Forms.ValueSets;

/// <summary>
/// Holds a FHIR ValueSet in the tenant (form.manage) so forms can name it in <c>answerValueSet</c>: the next version of
/// its key (default: the ValueSet's id), drafted and published in one transaction (a value set has no editing
/// workflow of its own). Published, its canonical URL resolves for every form of the tenant.
/// </summary>
public sealed class ImportAnswerValueSet(TenantDbContext db, ActorContext actors, CreateDraft drafts, ArtifactLifecycle lifecycle)
{
    public async Task<HeldValueSet> HandleAsync(string? key, string? content, string? note, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        var parsed = content is null ? null : QuestionnaireJson.ParseValueSet(content).Resource;
        key ??= CreateFormDraft.KeyFrom(parsed?.Id);
        var title = parsed?.Title ?? parsed?.Name ?? parsed?.Url;
        var published = await db.InTransactionAsync(async token =>
        {
            var draft = await drafts.HandleAsync(new NewDraft(ValueSetKind.Name, key, null, title, content), token);
            return await lifecycle.PublishAsync(draft.Id, draft.RowVersion, note, token);
        }, ct);
        return HeldValueSet.Of(published);
    }
}
