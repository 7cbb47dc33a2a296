using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Store;

namespace Ehr.Workflow.Instances;

/// <summary>Which instances: by status (running, completed, cancelled), definition key, patient, only those with open incidents.</summary>
public sealed record InstanceQuery(string? Status, string? DefinitionKey, Guid? PatientId, bool WithIncidents, int First, string? After);

public sealed record InstancePage(IReadOnlyList<WorkflowInstanceSummary> Nodes, bool HasNextPage, string? EndCursor);

/// <summary>Instances, newest first, a keyset page at a time (<c>workflow.read</c>); each page's read is audited.</summary>
public sealed class ListWorkflowInstances(TenantDbContext db, ActorContext actors, AuditTrail audit)
{
    public const int MaxPageSize = 200;

    public async Task<InstancePage> HandleAsync(InstanceQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        actors.Demand(Permissions.WorkflowRead);
        var errors = new List<FieldError>();
        if (query.First is < 1 or > MaxPageSize)
        {
            errors.Add(new FieldError("first", ErrorCodes.OutOfRange, $"Ask for 1 to {MaxPageSize} instances."));
        }

        if (query.Status is not (null or "running" or "completed" or "cancelled"))
        {
            errors.Add(new FieldError("status", ErrorCodes.InvalidFormat, "running, completed or cancelled."));
        }

        (DateTimeOffset, Guid)? after = null;
        if (query.After is { } text)
        {
            var parts = text.Split('.');
            if (parts.Length == 2 && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                && ticks > 0 && ticks < DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
            {
                after = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
            }
            else
            {
                errors.Add(new FieldError("after", ErrorCodes.InvalidFormat, "Not an instance cursor."));
            }
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var where = new List<string> { "true" };
        var values = new List<object?>();
        void Add(string condition, object value)
        {
            values.Add(value);
            where.Add(condition.Replace("?", "$" + values.Count, StringComparison.Ordinal));
        }

        if (query.Status is { } status)
        {
            Add("i.status = ?", status);
        }

        if (query.DefinitionKey is { } key)
        {
            Add("i.definition_key = ?", key);
        }

        if (query.PatientId is { } patient)
        {
            Add("i.patient_id = ?", patient);
        }

        if (query.WithIncidents)
        {
            where.Add("i.open_incidents > 0");
        }

        if (after is { } cursor)
        {
            values.Add(cursor.Item1);
            values.Add(cursor.Item2);
            where.Add($"(i.started_at, i.id) < (${values.Count - 1}, ${values.Count})");
        }

        values.Add(query.First + 1);
        var sql = $"SELECT {WorkflowInstanceReads.SummaryColumns} FROM workflow_instances i WHERE {string.Join(" AND ", where)} " +
                  $"ORDER BY i.started_at DESC, i.id DESC LIMIT ${values.Count}";
        var found = await db.InTransactionAsync(async token =>
        {
            var list = new List<WorkflowInstanceSummary>();
            await using (var cmd = db.Command(sql, values.ToArray()))
            await using (var reader = await cmd.ExecuteReaderAsync(token))
            {
                while (await reader.ReadAsync(token))
                {
                    list.Add(WorkflowInstanceReads.Summary(reader));
                }
            }

            await audit.RecordAsync(new AuditEvent("workflow.instance.list", "WorkflowInstance", null,
                new { query.Status, query.DefinitionKey, patient = query.PatientId, query.WithIncidents, returned = Math.Min(list.Count, query.First) }), token);
            return list;
        }, ct);
        var nodes = found.Take(query.First).ToList();
        return new InstancePage(nodes, found.Count > query.First,
            nodes.Count == 0 ? null : $"{nodes[^1].StartedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{nodes[^1].Id:N}");
    }
}
