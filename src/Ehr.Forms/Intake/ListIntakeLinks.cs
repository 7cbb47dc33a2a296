using Ehr.Forms.Responses;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Intake;

/// <summary>
/// The intake links sent for a patient, newest first, each with its status now (pending, completed, expired,
/// revoked): read like the chart (patient.read, staff only; restricted records; audited as <c>intake.link.list</c>;
/// a disclosure when an API client reads them). A patient has at most a few hundred: one bounded list.
/// </summary>
public sealed class ListIntakeLinks(TenantDbContext db, ActorContext actors, IChartAccess chart, TimeProvider clock)
{
    public const int MaxResults = 500;

    public async Task<IReadOnlyList<IntakeLinkView>> HandleAsync(Guid patientId, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        if (actors.Current.IsPatientScoped)
        {
            throw EhrException.Forbidden("Intake links are managed by the practice.");
        }

        var (links, refused) = await db.InTransactionAsync(async token =>
        {
            var rows = await (from l in db.Set<IntakeLink>().AsNoTracking()
                              join r in db.Set<FormResponse>() on l.ResponseId equals r.Id
                              where l.PatientId == patientId
                              orderby l.CreatedAt descending, l.Id descending
                              select new { Link = l, r.Status })
                .Take(MaxResults).ToListAsync(token);
            if (!await chart.RecordReadAsync(patientId, "intake.link.list", "Patient", patientId.ToString(),
                    grant => new { links = rows.Select(r => r.Link.Id).ToArray(), breakGlassGrant = grant },
                    rows.Count > 0 ? "Intake links" : null, token))
            {
                return ((IReadOnlyList<IntakeLinkView>)[], true);
            }

            var now = clock.GetUtcNow();
            return ((IReadOnlyList<IntakeLinkView>)rows.Select(r => new IntakeLinkView(r.Link, r.Link.StatusAt(now, r.Status))).ToList(), false);
        }, ct);

        // After the commit, so the refused attempt stays on record.
        return refused ? throw EhrException.RestrictedRecord("Patient " + patientId) : links;
    }
}
