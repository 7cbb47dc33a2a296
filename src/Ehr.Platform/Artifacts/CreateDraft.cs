using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Ehr.Platform.Artifacts;

/// <summary>
/// A new draft: the first version of a key, the next version of an existing one, or a location's override. With
/// <see cref="From"/> it starts as a copy of that version (title and content given here replace the copy's).
/// </summary>
public sealed record NewDraft(string? Kind, string? Key, Guid? LocationId, string? Title, string? Content, Guid? From = null);

/// <summary>
/// Starts a draft. One draft per kind, key and scope at a time (<c>DUPLICATE</c> otherwise, also when two requests
/// race: the database decides); its version number is the scope's next.
/// </summary>
public sealed class CreateDraft(TenantDbContext db, ActorContext actors, AuditTrail audit, ArtifactKindRegistry kinds,
    LocationDirectory locations, TimeProvider clock)
{
    public Task<Artifact> HandleAsync(NewDraft input, CancellationToken ct) => HandleAsync(input, "tenant", ct);

    /// <summary>
    /// A starter pack's artifact, loaded by the module that owns its kind inside the provisioning transaction: the same
    /// checks, recorded as coming from the pack (<c>pack:&lt;name&gt;</c>).
    /// </summary>
    public Task<Artifact> FromStarterPackAsync(NewDraft input, Provisioning.StarterPackScope scope, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return HandleAsync(input, "pack:" + scope.PackName, ct);
    }

    /// <summary>
    /// A draft that came from somewhere else than a person's editing, named by <paramref name="source"/>:
    /// <c>pack:&lt;name&gt;</c> (a starter pack), <c>library:&lt;file&gt;</c> (the form library). Set by module code, never
    /// taken from a client.
    /// </summary>
    public async Task<Artifact> HandleAsync(NewDraft input, string source, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var kind = kinds.Get(input.Kind, "input.kind");
        actors.Demand(kind.ManagePermission);
        Artifact? from = null;
        if (input.From is { } fromId)
        {
            from = await db.Set<Artifact>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == fromId, ct);
            if (from is null || from.Kind != kind.Kind)
            {
                throw EhrException.Validation([new FieldError("input.from", ErrorCodes.UnknownReference, $"No {kind.Kind} version has this id.")]);
            }
        }

        var errors = new List<FieldError>();
        var key = ArtifactRules.Key(input.Key ?? from?.Key, "input.key", errors);
        var title = ArtifactRules.Title(input.Title ?? from?.Title, "input.title", errors);
        var content = ArtifactRules.Content(input.Content ?? from?.Content, kind, publishing: false, "input.content", errors);
        if (input.LocationId is { } locationId && !(await locations.ActiveAmongAsync([locationId], ct)).Contains(locationId))
        {
            errors.Add(new FieldError("input.locationId", ErrorCodes.UnknownReference, "No active location has this id."));
        }

        if (errors.Count == 0 && await db.Set<Artifact>().AnyAsync(a =>
                a.Kind == kind.Kind && a.Key == key && a.LocationId == input.LocationId && a.Status == ArtifactStatus.Draft, ct))
        {
            errors.Add(Duplicate(kind.Kind, key!));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var latest = await db.Set<Artifact>()
                    .Where(a => a.Kind == kind.Kind && a.Key == key && a.LocationId == input.LocationId)
                    .MaxAsync(a => (int?)a.Version, token) ?? 0;
                var draft = Artifact.NewDraft(kind.Kind, key!, input.LocationId, latest + 1, title!, content!, source, actors.Current.Id, clock.GetUtcNow());
                db.Add(draft);
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("artifact.draft", "Artifact", draft.Id.ToString(),
                    new { draft.Kind, draft.Key, draft.LocationId, draft.Version, from = input.From }), token);
                return draft;
            }, ct);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            throw EhrException.Validation([Duplicate(kind.Kind, key!)]);
        }
    }

    private static FieldError Duplicate(string kind, string key) =>
        new("input.key", ErrorCodes.Duplicate, $"There is already a draft of {kind} '{key}' at this scope: edit it, or discard it first.");
}
