using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Artifacts;

/// <summary>
/// The transitions of one artifact version, each checked against its kind's manage permission and the version the
/// caller saw (<c>VERSION_CONFLICT</c> otherwise), and audited in the same transaction: edit a draft, publish it
/// (complete validation by its kind first), retire a published version, discard a draft.
/// </summary>
public sealed class ArtifactLifecycle(TenantDbContext db, ActorContext actors, AuditTrail audit, ArtifactKindRegistry kinds, TimeProvider clock)
{
    public Task<Artifact> EditAsync(Guid id, int expectedRowVersion, string? title, string? content, CancellationToken ct) =>
        ChangeAsync(id, expectedRowVersion, "artifact.edit", (artifact, kind) =>
        {
            artifact.RequireDraft("edited");
            var errors = new List<FieldError>();
            var validTitle = ArtifactRules.Title(title ?? artifact.Title, "title", errors);
            var validContent = ArtifactRules.Content(content ?? artifact.Content, kind, publishing: false, "content", errors);
            if (errors.Count > 0)
            {
                throw EhrException.Validation(errors);
            }

            artifact.Edit(expectedRowVersion, validTitle!, validContent!, clock.GetUtcNow());
            return null;
        }, ct);

    public Task<Artifact> PublishAsync(Guid id, int expectedRowVersion, string? note, CancellationToken ct) =>
        ChangeAsync(id, expectedRowVersion, "artifact.publish", (artifact, kind) =>
        {
            artifact.RequireDraft("published");
            var errors = new List<FieldError>();
            var validNote = ArtifactRules.Note(note, "note", errors);
            ArtifactRules.Content(artifact.Content, kind, publishing: true, "content", errors);
            if (errors.Count > 0)
            {
                throw EhrException.Validation(errors);
            }

            artifact.Publish(expectedRowVersion, validNote, actors.Current.Id, clock.GetUtcNow());
            return new { note = validNote };
        }, ct);

    public Task<Artifact> RetireAsync(Guid id, int expectedRowVersion, CancellationToken ct) =>
        ChangeAsync(id, expectedRowVersion, "artifact.retire", (artifact, _) =>
        {
            artifact.Retire(expectedRowVersion, actors.Current.Id, clock.GetUtcNow());
            return null;
        }, ct);

    public Task<Artifact> DiscardAsync(Guid id, int expectedRowVersion, CancellationToken ct) =>
        ChangeAsync(id, expectedRowVersion, "artifact.discard", (artifact, _) =>
        {
            artifact.RequireDraft("discarded");
            if (artifact.RowVersion != expectedRowVersion)
            {
                throw EhrException.VersionConflict("Artifact " + artifact.Id, expectedRowVersion, artifact.RowVersion);
            }

            db.Remove(artifact);
            return null;
        }, ct);

    private async Task<Artifact> ChangeAsync(Guid id, int expectedRowVersion, string action, Func<Artifact, IArtifactKind, object?> change, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var artifact = await db.Set<Artifact>().SingleOrDefaultAsync(a => a.Id == id, token)
                    ?? throw EhrException.NotFound("Artifact " + id);
                var kind = kinds.Get(artifact.Kind, "id");
                actors.Demand(kind.ManagePermission);
                var details = change(artifact, kind);
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent(action, "Artifact", artifact.Id.ToString(),
                    new { artifact.Kind, artifact.Key, artifact.LocationId, artifact.Version, details }), token);
                return artifact;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<Artifact>().AsNoTracking().Where(a => a.Id == id).Select(a => (int?)a.RowVersion).SingleOrDefaultAsync(ct);
            throw current is null ? EhrException.NotFound("Artifact " + id) : EhrException.VersionConflict("Artifact " + id, expectedRowVersion, current.Value);
        }
    }
}
