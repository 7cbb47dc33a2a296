using Ehr.Forms.Definitions;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Audit;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Questionnaire = Hl7.Fhir.Model.Questionnaire;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Responses;

/// <summary>
/// A response with the definition version it answers and, after a save or a start, the problems found (warnings: an
/// in-progress response is stored with them).
/// </summary>
public sealed record FormResponseView(FormResponse Response, Artifact Definition, IReadOnlyList<FormProblem> Problems)
{
    public FormResponseView(FormResponse response, Artifact definition) : this(response, definition, [])
    {
    }
}

/// <summary>The loaded response a change works on: the response, its definition version and that version's plan (its Questionnaire).</summary>
internal sealed record ResponseInHand(FormResponse Response, Artifact Definition, Responses.FormPlan Plan)
{
    public Questionnaire Questionnaire => Plan.Questionnaire;
}

/// <summary>
/// What every change to a form response does around the change itself, in one transaction: load the response (a
/// patient only their own records'; others read as absent), check the patient's record is open to the actor
/// (<c>RESTRICTED_RECORD</c>), load its pinned definition and the tenant's value sets, apply, audit and raise events.
/// A stale version is <c>VERSION_CONFLICT</c> whether the entity or the database notices it.
/// </summary>
public sealed class FormResponseChanges(
    TenantDbContext db,
    ActorContext actors,
    AuditTrail audit,
    DomainEvents events,
    IChartAccess chart,
    IChartObservations observations,
    PublishedForms forms,
    TenantFormEngine tenantForms,
    TimeProvider clock)
{
    internal ActorContext Actors => actors;

    internal IChartAccess Chart => chart;

    internal IChartObservations Observations => observations;

    internal TenantDbContext Db => db;

    internal DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>The engine over the tenant's value sets (loaded by <see cref="ApplyAsync{T}"/> and <see cref="LoadValueSetsAsync"/>).</summary>
    internal ResponseEngine Engine => tenantForms.Engine;

    /// <summary>Reads the tenant's value sets when the form names one (most do not: nothing is read for them).</summary>
    internal Task LoadValueSetsAsync(FormPlan plan, CancellationToken ct) => tenantForms.LoadForAsync(plan, ct);

    /// <summary>The definition version's plan, kept per published version (see <see cref="PublishedForms"/>).</summary>
    internal FormPlan Plan(Artifact definition) => forms.Plan(definition);

    internal async Task<T> ApplyAsync<T>(Guid id, int expectedVersion, Func<ResponseInHand, CancellationToken, Task<T>> change, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async token =>
            {
                var response = await db.Set<FormResponse>().Include(r => r.Revisions).SingleOrDefaultAsync(r => r.Id == id, token);
                var actor = actors.Current;
                if (response is null || (actor.IsPatientScoped && !actor.PatientIds.Contains(response.PatientId)))
                {
                    throw EhrException.NotFound("Form response " + id);
                }

                await chart.RequireOpenAsync(response.PatientId, token);
                response.Expect(expectedVersion);
                var definition = await db.Set<Artifact>().AsNoTracking().SingleAsync(a => a.Id == response.FormId, token);
                var plan = forms.Plan(definition);
                await tenantForms.LoadForAsync(plan, token);
                return await change(new ResponseInHand(response, definition, plan), token);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Set<FormResponse>().AsNoTracking().Where(r => r.Id == id).Select(r => r.Version).SingleAsync(ct);
            throw EhrException.VersionConflict("Form response " + id, expectedVersion, current);
        }
    }

    /// <summary>The audit entry of a change (ids and counts, never answers).</summary>
    internal Task AuditAsync(FormResponse response, string action, object? details, CancellationToken ct) =>
        audit.RecordAsync(new AuditEvent(action, "FormResponse", response.Id.ToString(), new
        {
            patient = response.PatientId,
            form = response.FormId,
            response.FormKey,
            response.Status,
            revision = response.CurrentRevision,
            details,
        }), ct);

    /// <summary>A domain event about the response: ids and codes a reaction decides on, never the answers.</summary>
    internal Task RaiseAsync(string type, FormResponse response, Artifact definition, object? extra, CancellationToken ct) =>
        events.RaiseAsync(new DomainEvent(type, "FormResponse", response.Id.ToString(), new
        {
            responseId = response.Id,
            formKey = response.FormKey,
            formId = response.FormId,
            formVersion = definition.Version,
            patientId = response.PatientId,
            locationId = response.LocationId,
            revision = response.CurrentRevision,
            status = response.Status,
            flagged = response.Current.Flagged,
            observationIds = response.Current.ObservationIds,
            extra,
        }, response.LocationId), ct);

    /// <summary>Patients fill in forms; correcting or withdrawing a completed one is the practice's act.</summary>
    internal void RefusePatientScoped(string what)
    {
        if (actors.Current.IsPatientScoped)
        {
            throw EhrException.Forbidden($"A patient cannot {what}: ask the practice to correct it.");
        }
    }

    internal static string Reason(string? reason)
    {
        var trimmed = reason?.Trim() ?? "";
        return trimmed.Length is >= 5 and <= 500
            ? trimmed
            : throw EhrException.Validation([new FieldError("reason", trimmed.Length == 0 ? ErrorCodes.Required : ErrorCodes.OutOfRange, "Say why, in 5 to 500 characters.")]);
    }
}
