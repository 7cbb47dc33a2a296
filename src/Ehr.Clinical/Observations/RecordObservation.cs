using Ehr.Clinical.Patients;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Observations;

/// <summary>An observation another module derived from one of its records (a form's answer, a device upload).</summary>
/// <param name="Input">The observation; its patient is the record's subject.</param>
/// <param name="DerivedFrom">A FHIR reference to the source, e.g. <c>QuestionnaireResponse/&lt;id&gt;</c>.</param>
/// <param name="Item">The source's part it came from (a questionnaire item's link id), if any.</param>
public sealed record DerivedObservation(ObservationInput Input, string DerivedFrom, string? Item = null);

/// <summary>
/// Records observations in a patient's chart with their audit entries, in one transaction (the caller's when there is
/// one, so a form response and what was extracted from it commit together or not at all).
/// </summary>
public sealed class RecordObservation(
    TenantDbContext db,
    ActorContext actors,
    AuditTrail audit,
    ObservationValidator validator,
    PatientAccess access,
    DomainEvents events,
    TimeProvider clock)
{
    /// <summary>Entered by staff or an API client: needs <c>chart.write</c>.</summary>
    public async Task<Observation> HandleAsync(ObservationInput? input, CancellationToken ct)
    {
        actors.Demand(Permissions.ChartWrite);
        PatientWrites.RefusePatientScoped(actors.Current);
        var valid = validator.Validate(input, "input");
        return (await AddAsync([(input!.PatientId!.Value, valid)], ct))[0];
    }

    /// <summary>
    /// The contract for other modules: observations derived from a record the calling use case is writing, which has
    /// checked its own permission (submitting a form). Staff still need <c>chart.write</c>; a patient (or proxy) may
    /// add observations derived from their own record's data, as when they complete an intake form in the portal.
    /// </summary>
    public async Task<IReadOnlyList<Observation>> RecordDerivedAsync(IReadOnlyList<DerivedObservation> observations, CancellationToken ct)
    {
        var actor = actors.Current;
        if (!actor.IsPatientScoped)
        {
            actors.Demand(Permissions.ChartWrite);
        }

        var valid = new List<(Guid, ValidObservation)>();
        for (var i = 0; i < observations.Count; i++)
        {
            var item = observations[i];
            var patientId = item.Input.PatientId ?? Guid.Empty;
            if (actor.IsPatientScoped && !actor.PatientIds.Contains(patientId))
            {
                throw EhrException.Forbidden("A patient may add observations only to their own record (or one they are proxy for).");
            }

            if (string.IsNullOrWhiteSpace(item.DerivedFrom))
            {
                throw EhrException.Validation([new FieldError($"observations[{i}].derivedFrom", ErrorCodes.Required, "A derived observation names its source.")]);
            }

            valid.Add((patientId, validator.Validate(item.Input, $"observations[{i}]", item.DerivedFrom.Trim(), item.Item)));
        }

        return await AddAsync(valid, ct);
    }

    private async Task<IReadOnlyList<Observation>> AddAsync(IReadOnlyList<(Guid PatientId, ValidObservation Valid)> items, CancellationToken ct) =>
        await db.InTransactionAsync(async token =>
        {
            await access.RequireOpenAsync(items.Select(i => i.PatientId).Distinct().ToList(), token);
            var now = clock.GetUtcNow();
            var recorded = items.Select(i => Observation.Record(i.PatientId, i.Valid, actors.Current.Id, now)).ToList();
            db.AddRange(recorded);
            await db.SaveChangesAsync(token);
            await audit.RecordAsync(recorded.Select(o => new AuditEvent("observation.create", "Observation", o.Id.ToString(),
                new { patient = o.PatientId, code = o.Code, system = o.CodeSystem, o.DerivedFrom })).ToList(), token);
            await events.RaiseAsync(recorded.Select(o => new DomainEvent("observation.recorded", "Observation", o.Id.ToString(),
                new { patientId = o.PatientId, system = o.CodeSystem, code = o.Code, derivedFrom = o.DerivedFrom })).ToList(), token);
            return (IReadOnlyList<Observation>)recorded;
        }, ct);
}
