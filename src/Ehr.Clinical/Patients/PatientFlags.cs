using System.Text.RegularExpressions;
using Ehr.Clinical.Notes;
using Ehr.Platform.Audit;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>
/// A flag on a patient's chart (an alert shown with the record): what (a code such as <c>intake-flagged-answer</c>),
/// a note, who or what raised it (<c>source</c>: a user, or <c>workflow:&lt;key&gt;</c>). Resolved with a reason, never deleted.
/// </summary>
public sealed class PatientFlag
{
    private PatientFlag()
    {
    }

    public Guid Id { get; private set; }

    public Guid PatientId { get; private set; }

    public string Flag { get; private set; } = "";

    public string? Note { get; private set; }

    public string Source { get; private set; } = "";

    public string? IdempotencyKey { get; private set; }

    public string CreatedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public string? ResolvedBy { get; private set; }

    public DateTimeOffset? ResolvedAt { get; private set; }

    public string? Resolution { get; private set; }

    internal static PatientFlag Raise(Guid patientId, string flag, string? note, string source, string? key, string actor, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        PatientId = patientId,
        Flag = flag,
        Note = note,
        Source = source,
        IdempotencyKey = key,
        CreatedBy = actor,
        CreatedAt = now,
    };
}

internal sealed class PatientFlagModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<PatientFlag>(e =>
        {
            e.ToTable("patient_flags");
            e.HasKey(f => f.Id);
        });
}

/// <summary>
/// <c>patient.flag</c>: puts a flag on a patient's chart (the intake review flags a chart whose intake form came back
/// with a flagged answer). The same call carried out again adds no second flag. Audited (<c>patient.flag</c>) and
/// raised as <c>patient.flagged</c>.
/// </summary>
internal sealed partial class FlagPatientAction(TenantDbContext db, ActorContext actors, AuditTrail audit, DomainEvents events, TimeProvider clock)
    : IWorkflowAction
{
    public static readonly WorkflowActionDescriptor Definition = new("patient.flag",
        "Put a flag (an alert shown with the record) on a patient's chart.",
        [
            new WorkflowParameter("patientId", WorkflowValueType.String, true, "The patient."),
            new WorkflowParameter("flag", WorkflowValueType.String, true, "What, as a code: lower-case letters, digits and hyphens, e.g. intake-flagged-answer."),
            new WorkflowParameter("note", WorkflowValueType.String, false, "A note shown with the flag (at most 1000 characters)."),
        ],
        ["done"]);

    public WorkflowActionDescriptor Descriptor => Definition;

    public async Task<WorkflowActionResult> InvokeAsync(WorkflowActionCall call, CancellationToken ct)
    {
        var patientId = ActionInputs.Id(call, "patientId");
        var flag = ActionInputs.Text(call, "flag");
        var note = ActionInputs.Text(call, "note", required: false);
        var errors = new List<FieldError>();
        if (!FlagPattern().IsMatch(flag))
        {
            errors.Add(new FieldError("flag", ErrorCodes.InvalidFormat, "Lower-case letters, digits and hyphens, at most 60."));
        }

        if (note.Length > 1000)
        {
            errors.Add(new FieldError("note", ErrorCodes.TooLong, "At most 1000 characters."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return await db.InTransactionAsync(async token =>
        {
            if (!await db.Set<Patient>().AnyAsync(p => p.Id == patientId, token))
            {
                throw EhrException.NotFound("Patient " + patientId);
            }

            if (!await db.Set<PatientFlag>().AnyAsync(f => f.IdempotencyKey == call.IdempotencyKey, token))
            {
                var raised = PatientFlag.Raise(patientId, flag, note.Length == 0 ? null : note, "workflow:" + call.InstanceId, call.IdempotencyKey,
                    actors.Current.Id, clock.GetUtcNow());
                db.Add(raised);
                await db.SaveChangesAsync(token);
                await audit.RecordAsync(new AuditEvent("patient.flag", "Patient", patientId.ToString(), new { flag, raised.Id, raised.Source }), token);
                await events.RaiseAsync(new DomainEvent("patient.flagged", "Patient", patientId.ToString(), new { patientId, flag, flagId = raised.Id }), token);
            }

            return new WorkflowActionResult("done");
        }, ct);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,59}$")]
    private static partial Regex FlagPattern();
}

/// <summary>A patient's chart flags, newest first, read like the chart (patient.read, restricted records, audited).</summary>
public sealed class ListPatientFlags(TenantDbContext db, ActorContext actors, PatientAccess access)
{
    public async Task<IReadOnlyList<PatientFlag>> HandleAsync(Guid patientId, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var actor = actors.Current;
        if (actor.IsPatientScoped && !actor.PatientIds.Contains(patientId))
        {
            throw EhrException.NotFound("Patient " + patientId);
        }

        var (flags, refused) = await db.InTransactionAsync(async token =>
        {
            var patient = await db.Set<Patient>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, token)
                          ?? throw EhrException.NotFound("Patient " + patientId);
            var found = await db.Set<PatientFlag>().AsNoTracking().Where(f => f.PatientId == patientId)
                .OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.Id).ToListAsync(token);
            var open = await access.RecordChartReadAsync(patient, "patient.flag.read", "Patient", patientId.ToString(),
                grant => new { flags = found.Count, breakGlassGrant = grant }, found.Count > 0 ? "Chart flags" : null, token);
            return (open ? found : [], !open);
        }, ct);
        return refused ? throw EhrException.RestrictedRecord("Patient " + patientId) : flags;
    }
}
