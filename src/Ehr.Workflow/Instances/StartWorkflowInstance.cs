using System.Text.Json;
using System.Text.RegularExpressions;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;
using Ehr.Workflow.Triggers;
using Microsoft.EntityFrameworkCore;
using static Ehr.Workflow.Store.WorkflowSql;

namespace Ehr.Workflow.Instances;

/// <summary>
/// A manual start: the workflow's key, the location it runs for (its override there is used, else the tenant's
/// standard), the patient it is about (optional), its inputs as a JSON object, and an optional request id that makes a
/// retried start name the same instance instead of starting another.
/// </summary>
public sealed record ManualStart(string? Key, Guid? LocationId, Guid? PatientId, string? Inputs, string? RequestId = null);

/// <summary>
/// Starts a workflow whose trigger is manual (<c>workflow.start</c>): a refill request recorded by the front desk, a
/// referral to review. The patient, when given, must be one the caller may open (restricted records:
/// <c>RESTRICTED_RECORD</c>) and becomes the subject (and the <c>patientId</c> input, when the workflow declares one and
/// it was not given); a declared <c>startedBy</c> input is always the caller. The engine checks the inputs against the trigger's declarations (<c>VALIDATION_FAILED</c> on
/// <c>inputs.&lt;name&gt;</c>); the instance, its first step (tasks created, timers and calls queued) and the audit entry
/// commit together.
/// </summary>
public sealed partial class StartWorkflowInstance(
    TenantDbContext db,
    ActorContext actors,
    WorkflowRuntime runtime,
    WorkflowPlans plans,
    LocationDirectory locations,
    IChartAccess chart)
{
    public async Task<WorkflowInstanceSummary> HandleAsync(ManualStart input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        actors.Demand(Permissions.WorkflowStart);
        var actor = actors.Current;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(input.Key) || !KeyPattern().IsMatch(input.Key))
        {
            errors.Add(new FieldError("input.key", ErrorCodes.InvalidFormat, "A workflow key, e.g. medication-refill."));
        }

        Dictionary<string, JsonElement>? inputs = null;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(input.Inputs) ? "{}" : input.Inputs);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                inputs = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
            }
        }
        catch (JsonException)
        {
        }

        if (inputs is null)
        {
            errors.Add(new FieldError("input.inputs", ErrorCodes.InvalidFormat, "The inputs are one JSON object: { \"name\": value }."));
        }

        if (input.RequestId is { Length: > 100 })
        {
            errors.Add(new FieldError("input.requestId", ErrorCodes.TooLong, "At most 100 characters."));
        }

        if (input.LocationId is { } locationId && !(await locations.ActiveAmongAsync([locationId], ct)).Contains(locationId))
        {
            errors.Add(new FieldError("input.locationId", ErrorCodes.UnknownReference, "No active location has this id."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        if (input.PatientId is { } patientId)
        {
            try
            {
                await chart.RequireOpenAsync(patientId, ct);
            }
            catch (EhrException e) when (e.Code == ErrorCodes.NotFound)
            {
                throw EhrException.Validation([new FieldError("input.patientId", ErrorCodes.UnknownReference, "No patient has this id.")]);
            }
        }

        var instanceId = input.RequestId is { Length: > 0 } request ? NameBased($"manual:{actor.Id}:{request}") : Guid.CreateVersion7();
        var started = await db.InTransactionAsync(async token =>
        {
            var version = await ResolveAsync(input.Key!, input.LocationId, token);
            if (version.Plan.Start.Trigger?.Type != TriggerTypes.Manual)
            {
                throw EhrException.Validation([new FieldError("input.key", "NOT_MANUAL",
                    $"The workflow '{input.Key}' starts on the event {version.Plan.Start.Trigger?.Event}, not by hand.")]);
            }

            var declared = version.Plan.Start.Trigger.Inputs ?? new Dictionary<string, InputDefinition>();
            if (input.PatientId is { } patient && declared.ContainsKey("patientId") && !inputs!.ContainsKey("patientId"))
            {
                inputs["patientId"] = JsonSerializer.SerializeToElement(patient.ToString());
            }

            // Who started it, for workflows that tell them the outcome (a manual start has no event to read it from).
            if (declared.ContainsKey("startedBy"))
            {
                inputs!["startedBy"] = JsonSerializer.SerializeToElement(actor.Id);
            }

            var subject = input.PatientId is { } p
                ? new WorkflowSubject("Patient", p.ToString(), input.LocationId)
                : new WorkflowSubject("WorkflowInstance", instanceId.ToString(), input.LocationId);
            var start = new StartWorkflow { InstanceId = instanceId, Subject = subject, ActorId = actor.Id, Inputs = inputs };
            var result = await runtime.StartInTransactionAsync(version, start, null, "workflow.start", token);
            if (result is { Status: StepStatus.Refused })
            {
                throw EhrException.Validation((result.Problems ?? [new FieldError("inputs", result.Code ?? "INVALID", result.Message ?? "")])
                    .Select(f => f with { Path = "input." + f.Path }).ToList());
            }

            return await SummaryAsync(instanceId, token);
        }, ct);
        return started;
    }

    /// <summary>
    /// The workflows started by hand in force at <paramref name="locationId"/> (its override of each key, else the
    /// standard), for a start form: what <see cref="HandleAsync"/> would start there, with the inputs each takes.
    /// </summary>
    public async Task<IReadOnlyList<WorkflowDefinitionVersion>> StartableAsync(Guid? locationId, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowStart);
        var published = await db.Set<Artifact>().AsNoTracking()
            .Where(a => a.Kind == WorkflowKind.Name && a.Status == ArtifactStatus.Published && (a.LocationId == null || a.LocationId == locationId))
            .ToListAsync(ct);
        return published
            .GroupBy(a => a.Key, StringComparer.Ordinal)
            .Select(g => g.Where(a => a.LocationId is not null).MaxBy(a => a.Version) ?? g.MaxBy(a => a.Version)!)
            .OrderBy(a => a.Key, StringComparer.Ordinal)
            .Select(WorkflowDefinitionVersion.Of)
            .Where(v => v.TriggerType == TriggerTypes.Manual)
            .ToList();
    }

    /// <summary>The version of <paramref name="key"/> in force at the location (its override, else the standard).</summary>
    private async Task<WorkflowVersion> ResolveAsync(string key, Guid? locationId, CancellationToken ct)
    {
        Guid? id = null;
        Guid? scope = null;
        await using (var cmd = db.Command(
            "SELECT id, location_id FROM artifacts WHERE kind = $1 AND key = $2 AND status = 'published' AND (location_id IS NULL OR location_id = $3) " +
            "ORDER BY location_id IS NULL, version DESC LIMIT 1", WorkflowKind.Name, key, Uuid(locationId)))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                id = reader.GetGuid(0);
                scope = reader.UuidOrNull(1);
            }
        }

        if (id is null)
        {
            throw EhrException.Validation([new FieldError("input.key", ErrorCodes.UnknownReference, $"No published workflow '{key}' is in force here.")]);
        }

        return new WorkflowVersion(id.Value, key, scope, await plans.GetAsync(db, id.Value, ct));
    }

    private async Task<WorkflowInstanceSummary> SummaryAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = db.Command($"SELECT {WorkflowInstanceReads.SummaryColumns} FROM workflow_instances i WHERE i.id = $1", id);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? WorkflowInstanceReads.Summary(reader) : throw EhrException.NotFound("Workflow instance " + id);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex KeyPattern();
}
