using Ehr.Forms.Definitions;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;

namespace Ehr.Forms.Library;

/// <summary>
/// Imports a library form (form.manage) as the next version of its key, tenant-wide or as a location's override: a
/// draft with the file's text as it is, published at once (with the note) when asked, in one transaction. Starter
/// packs load their forms through here.
/// </summary>
public sealed class ImportLibraryForm(TenantDbContext db, ActorContext actors, CreateDraft drafts, ArtifactLifecycle lifecycle,
    FormDefinitions definitions, TenantAnswerValueSets valueSets)
{
    public async Task<FormDraftResult> HandleAsync(string? fileOrKey, Guid? locationId, bool publish, string? note, CancellationToken ct)
    {
        var imported = await ImportAsync(fileOrKey, locationId, publish, note, source: null, ct);
        return await definitions.ReportAsync(imported, ct);
    }

    /// <param name="source">What to record as the versions' origin; <c>library:&lt;file&gt;</c> by default, <c>pack:&lt;name&gt;</c> for a starter pack.</param>
    internal async Task<Artifact> ImportAsync(string? fileOrKey, Guid? locationId, bool publish, string? note, string? source, CancellationToken ct)
    {
        actors.Demand(Permissions.FormManage);
        var entry = ListLibraryForms.Find(fileOrKey?.Trim());
        if (entry is null)
        {
            throw EhrException.Validation([new FieldError("file", fileOrKey is null ? ErrorCodes.Required : ErrorCodes.UnknownReference,
                "Name a library form by its file (phq-9.json) or its key (phq-9).")]);
        }

        if (!entry.Importable)
        {
            throw EhrException.Validation([new FieldError("file", ErrorCodes.InvalidFormat,
                $"The library form {entry.File} has problems and cannot be imported: {string.Join("; ", entry.Problems.Take(3))}.")]);
        }

        await valueSets.LoadAsync(ct);
        return await db.InTransactionAsync(async token =>
        {
            var draft = await drafts.HandleAsync(new NewDraft(FormKind.Name, entry.Key, locationId, entry.Title, entry.Content),
                source ?? "library:" + entry.File, token);
            return publish ? await lifecycle.PublishAsync(draft.Id, draft.RowVersion, note, token) : draft;
        }, ct);
    }
}
