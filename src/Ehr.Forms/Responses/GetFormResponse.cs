using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Responses;

/// <summary>
/// One response with all its revisions and the definition version it answers, read like the chart (patient.read,
/// restricted records, an audit entry, a disclosure when an API client reads it). A patient reads the responses of
/// their own records, except others' unfinished work (in progress, started by someone else and not sent to the
/// patient); anything else reads as absent.
/// </summary>
public sealed class GetFormResponse(TenantDbContext db, ActorContext actors, IChartAccess chart)
{
    public async Task<FormResponseView?> HandleAsync(Guid id, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        var (view, refused) = await db.InTransactionAsync(async token =>
        {
            var found = await db.Set<FormResponse>().AsNoTracking().Include(r => r.Revisions).SingleOrDefaultAsync(r => r.Id == id, token);
            if (found is null || !VisibleToPatient(found, actor))
            {
                return ((FormResponseView?)null, false);
            }

            var open = await chart.RecordReadAsync(found.PatientId, "form.response.read", "FormResponse", id.ToString(),
                grant => new { patient = found.PatientId, breakGlassGrant = grant }, "Form response", token);
            if (!open)
            {
                return (null, true);
            }

            var definition = await db.Set<Artifact>().AsNoTracking().SingleAsync(a => a.Id == found.FormId, token);
            return (new FormResponseView(found, definition), false);
        }, ct);

        // After the commit, so the refused attempt stays on record.
        return refused ? throw EhrException.RestrictedRecord("Form response " + id) : view;
    }

    internal static bool VisibleToPatient(FormResponse response, Actor actor) =>
        !actor.IsPatientScoped ||
        (actor.PatientIds.Contains(response.PatientId) && (!response.IsInProgress || response.ForPatient || response.StartedBy == actor.Id));
}
