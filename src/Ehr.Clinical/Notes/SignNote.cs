using Ehr.Platform.Identity;

namespace Ehr.Clinical.Notes;

/// <summary>
/// Signs a draft (note.sign): its text and answers become immutable, here and in the database. Raises
/// <c>note.signed</c>, on which workflows start (co-signature, review).
/// </summary>
public sealed class SignNote(NoteChanges changes)
{
    public async Task<Note> HandleAsync(Guid id, int expectedVersion, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.NoteSign);
        return await changes.ApplyAsync(id, expectedVersion, "note.signed", note =>
        {
            note.Sign(expectedVersion, changes.Actors.Current.Id, changes.Now);
            return null;
        }, ct);
    }
}
