using Ehr.Clinical.Paging;
using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Observations;

public sealed record ObservationQuery(Guid PatientId, string? CodeSystem = null, string? Code = null, bool IncludeEnteredInError = false,
    int First = 50, string? After = null);

public sealed record ObservationPage(IReadOnlyList<Observation> Nodes, bool HasNextPage, string? EndCursor);

/// <summary>
/// A patient's observations, newest first (keyset pages), optionally of one code (a trend). Reading them is reading
/// the chart: same permission, same restricted-record rule, one audit entry per page, and a disclosure when an API
/// client reads them. A patient-role actor reads only their own records (another id is NOT_FOUND, as if absent).
/// </summary>
public sealed class ListObservations(TenantDbContext db, ActorContext actors, PatientAccess access)
{
    public const int MaxPage = 200;

    public async Task<ObservationPage> HandleAsync(ObservationQuery query, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var errors = new List<FieldError>();
        if (query.First is < 1 or > MaxPage)
        {
            errors.Add(new FieldError("first", ErrorCodes.OutOfRange, $"Between 1 and {MaxPage}."));
        }

        if ((query.CodeSystem is null) != (query.Code is null))
        {
            errors.Add(new FieldError(query.Code is null ? "code" : "codeSystem", ErrorCodes.Required, "Filter by code with both codeSystem and code."));
        }

        var after = KeysetCursor.TryParse(query.After, out var position) ? position : ((DateTimeOffset, Guid)?)null;
        if (query.After is not null && after is null)
        {
            errors.Add(new FieldError("after", ErrorCodes.InvalidFormat, "Not an observations cursor."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var actor = actors.Current;
        if (actor.IsPatientScoped && !actor.PatientIds.Contains(query.PatientId))
        {
            throw EhrException.NotFound("Patient " + query.PatientId);
        }

        var (page, refused) = await db.InTransactionAsync(async token =>
        {
            var patient = await db.Set<Patient>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == query.PatientId, token)
                ?? throw EhrException.NotFound("Patient " + query.PatientId);
            var (afterAt, afterId) = after ?? (DateTimeOffset.MaxValue, Guid.Empty);
            var hasAfter = after is not null;
            var rows = await db.Set<Observation>().SelectFrom(
                    $"""
                    FROM observations
                    WHERE patient_id = {query.PatientId}
                      AND ({query.CodeSystem}::text IS NULL OR (code_system = {query.CodeSystem} AND code = {query.Code}))
                      AND ({query.IncludeEnteredInError} OR status = 'final')
                      AND (NOT {hasAfter} OR (effective_at, id) < ({afterAt}, {afterId}))
                    ORDER BY effective_at DESC, id DESC
                    LIMIT {query.First + 1}
                    """)
                .AsNoTracking().ToListAsync(token);
            var nodes = rows.Take(query.First).ToList();
            if (!await access.RecordChartReadAsync(patient, "observation.read", "Patient", patient.Id.ToString(),
                    grant => new { observations = nodes.Select(o => o.Id).ToArray(), breakGlassGrant = grant },
                    nodes.Count > 0 ? "Observations" : null, token))
            {
                return ((ObservationPage?)null, true);
            }

            var last = nodes.LastOrDefault();
            return ((ObservationPage?)new ObservationPage(nodes, rows.Count > query.First, last is null ? null : KeysetCursor.Of(last.EffectiveAt, last.Id)), false);
        }, ct);

        // After the commit, so the refused attempt stays on record.
        return refused ? throw EhrException.RestrictedRecord("Patient " + query.PatientId) : page!;
    }
}
