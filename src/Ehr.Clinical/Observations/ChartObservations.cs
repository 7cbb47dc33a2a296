using Ehr.Clinical.Patients;
using Ehr.Platform.Audit;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Observations;

/// <summary>
/// The platform's <see cref="IChartObservations"/> for other modules (forms extraction): records derived observations
/// through <see cref="RecordObservation.RecordDerivedAsync"/> and supersedes them when their source is corrected, both
/// in the caller's transaction.
/// </summary>
internal sealed class ChartObservations(TenantDbContext db, ActorContext actors, AuditTrail audit, PatientAccess access, RecordObservation record)
    : IChartObservations
{
    public async Task<IReadOnlyList<Guid>> RecordDerivedAsync(IReadOnlyList<DerivedChartObservation> observations, CancellationToken ct)
    {
        if (observations.Count == 0)
        {
            return [];
        }

        var recorded = await record.RecordDerivedAsync(observations.Select(o => new DerivedObservation(
            new ObservationInput(o.PatientId, Code(o.Code), Value(o.Value), o.EffectiveAt), o.DerivedFrom, o.Item)).ToList(), ct);
        return recorded.Select(o => o.Id).ToList();
    }

    public async Task<IReadOnlyList<Guid>> SupersedeDerivedAsync(string derivedFrom, string reason, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(derivedFrom);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return await db.InTransactionAsync(async token =>
        {
            var superseded = await db.Set<Observation>()
                .Where(o => o.DerivedFrom == derivedFrom && o.Status == Observation.Final)
                .OrderBy(o => o.Id)
                .ToListAsync(token);
            if (superseded.Count == 0)
            {
                return (IReadOnlyList<Guid>)[];
            }

            // Correcting chart data is a chart write, whoever corrects the source.
            actors.Demand(Permissions.ChartWrite);
            PatientWrites.RefusePatientScoped(actors.Current);
            await access.RequireOpenAsync(superseded.Select(o => o.PatientId).Distinct().ToList(), token);
            var trimmed = reason.Trim();
            trimmed = trimmed.Length > MarkObservationEnteredInError.MaxReason ? trimmed[..MarkObservationEnteredInError.MaxReason] : trimmed;
            foreach (var observation in superseded)
            {
                observation.MarkEnteredInError(observation.Version, trimmed);
            }

            await db.SaveChangesAsync(token);
            await audit.RecordAsync(superseded.Select(o => new AuditEvent("observation.entered-in-error", "Observation", o.Id.ToString(),
                new { patient = o.PatientId, reason = trimmed, o.DerivedFrom })).ToList(), token);
            return (IReadOnlyList<Guid>)superseded.Select(o => o.Id).ToList();
        }, ct);
    }

    private static CodingInput Code(ChartCode code) => new(code.System, code.Code, code.Display);

    private static ObservationValueInput Value(ChartValue value) => new(
        value.Quantity is { } quantity ? new QuantityInput(quantity, value.Unit, value.UnitCode) : null,
        value.WholeNumber,
        value.Text,
        value.Boolean,
        value.Coding is null ? null : Code(value.Coding),
        value.DateTime);
}
