using Ehr.Clinical.Paging;
using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Notes;

public sealed record NotePage(IReadOnlyList<Note> Nodes, bool HasNextPage, string? EndCursor);

/// <summary>A patient's notes, newest first (keyset pages), with their revisions; a patient sees only their signed notes.</summary>
public sealed class ListNotes(TenantDbContext db, ActorContext actors, PatientAccess access)
{
    public const int MaxPage = 100;

    public async Task<NotePage> HandleAsync(Guid patientId, int first, string? after, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var errors = new List<FieldError>();
        if (first is < 1 or > MaxPage)
        {
            errors.Add(new FieldError("first", ErrorCodes.OutOfRange, $"Between 1 and {MaxPage}."));
        }

        (DateTimeOffset At, Guid Id)? position = KeysetCursor.TryParse(after, out var p) ? p : null;
        if (after is not null && position is null)
        {
            errors.Add(new FieldError("after", ErrorCodes.InvalidFormat, "Not a notes cursor."));
        }

        NoteRules.ThrowIfAny(errors);
        var actor = actors.Current;
        if (actor.IsPatientScoped && !actor.PatientIds.Contains(patientId))
        {
            throw EhrException.NotFound("Patient " + patientId);
        }

        var (page, refused) = await db.InTransactionAsync(async token =>
        {
            var patient = await db.Set<Patient>().AsNoTracking().SingleOrDefaultAsync(x => x.Id == patientId, token)
                          ?? throw EhrException.NotFound("Patient " + patientId);
            var query = db.Set<Note>().AsNoTracking().Include(n => n.Revisions).Include(n => n.Cosignature).Where(n => n.PatientId == patientId);
            if (actor.IsPatientScoped)
            {
                query = query.Where(n => n.Status != NoteStatus.Draft);
            }

            if (position is { } at)
            {
                query = query.Where(n => n.CreatedAt < at.At || (n.CreatedAt == at.At && n.Id.CompareTo(at.Id) < 0));
            }

            var rows = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(first + 1).ToListAsync(token);
            var nodes = rows.Take(first).ToList();
            if (!await access.RecordChartReadAsync(patient, "note.read", "Patient", patientId.ToString(),
                    grant => new { notes = nodes.Select(n => n.Id).ToArray(), breakGlassGrant = grant },
                    nodes.Count > 0 ? "Clinical notes" : null, token))
            {
                return ((NotePage?)null, true);
            }

            var last = nodes.LastOrDefault();
            return ((NotePage?)new NotePage(nodes, rows.Count > first, last is null ? null : KeysetCursor.Of(last.CreatedAt, last.Id)), false);
        }, ct);

        return refused ? throw EhrException.RestrictedRecord("Patient " + patientId) : page!;
    }
}
