using Ehr.Platform.Audit;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;

namespace Ehr.Workflow.Tasks;

/// <summary>
/// Which tasks: assigned to me (by user, or claimed by me), to my roles at my locations, either, those on one patient,
/// or every task of the tenant (<c>workflow.manage</c>: who sees that work is stuck).
/// </summary>
public enum TaskScope
{
    Mine,
    MyRoles,
    Assigned,
    Patient,
    All,
}

/// <summary>A page of tasks: the filter and a keyset cursor (the last task's creation time and id).</summary>
public sealed record TaskQuery(TaskScope Scope, Guid? PatientId, bool IncludeClosed, int First, string? After);

public sealed record TaskPage(IReadOnlyList<WorkflowTaskView> Nodes, bool HasNextPage, string? EndCursor);

/// <summary>
/// The inbox (<c>workflow.task</c>): open tasks assigned to the caller (their user, or claimed by them), to their roles
/// at their locations, or both (newest first); every task of the tenant (<c>workflow.manage</c>); or every task on one patient, which reads that patient's chart (the
/// restricted-record rule applies: <c>RESTRICTED_RECORD</c> unless the record is open to the caller, with the read
/// audited either way). Closed tasks only on request. Each page is audited (what was listed, never titles).
/// </summary>
public sealed class ListWorkflowTasks(TenantDbContext db, ActorContext actors, AuditTrail audit, IChartAccess chart)
{
    public const int MaxPageSize = 200;

    public async Task<TaskPage> HandleAsync(TaskQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        actors.Demand(Permissions.WorkflowTask);
        var actor = actors.Current;
        var errors = new List<FieldError>();
        if (query.First is < 1 or > MaxPageSize)
        {
            errors.Add(new FieldError("first", ErrorCodes.OutOfRange, $"Ask for 1 to {MaxPageSize} tasks."));
        }

        var cursor = query.After is null ? null : Cursor.Parse(query.After);
        if (query.After is not null && cursor is null)
        {
            errors.Add(new FieldError("after", ErrorCodes.InvalidFormat, "Not a task cursor."));
        }

        if (query.Scope == TaskScope.Patient && query.PatientId is null)
        {
            errors.Add(new FieldError("patientId", ErrorCodes.Required, "Name the patient whose tasks to list."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        if (query.Scope == TaskScope.Patient)
        {
            actors.Demand(Permissions.PatientRead);
        }
        else if (query.Scope == TaskScope.All)
        {
            actors.Demand(Permissions.WorkflowManage);
        }

        var values = new List<object?> { actor.Id, actor.Roles.ToArray(), actor.Locations.ToArray() };
        var mine = "(t.assignee_user = $1 OR t.claimed_by = $1)";
        var roles = TaskAssignees.RoleCondition(2, 3);
        var where = query.Scope switch
        {
            TaskScope.Mine => mine,
            TaskScope.MyRoles => $"({roles})",
            TaskScope.Assigned => $"({mine} OR ({roles}))",
            TaskScope.All => "TRUE",
            _ => "t.patient_id = $4",
        };
        values.Add(query.PatientId ?? Guid.Empty);
        if (!query.IncludeClosed)
        {
            where += " AND t.status IN ('open', 'claimed')";
        }

        if (cursor is { } c)
        {
            values.Add(c.CreatedAt);
            values.Add(c.Id);
            where += " AND (t.created_at, t.id) < ($5, $6)";
        }

        values.Add(query.First + 1);
        var limit = values.Count;
        var (page, refused) = await db.InTransactionAsync(async token =>
        {
            if (query.Scope == TaskScope.Patient &&
                !await chart.RecordReadAsync(query.PatientId!.Value, "workflow.task.list", "Patient", query.PatientId.Value.ToString(),
                    grant => new { patient = query.PatientId, breakGlassGrant = grant }, null, token))
            {
                return ((IReadOnlyList<WorkflowTaskView>)[], true);
            }

            var found = await WorkflowTaskReads.ListAsync(db, $"{where} ORDER BY t.created_at DESC, t.id DESC LIMIT ${limit}", values.ToArray(), token);
            if (query.Scope != TaskScope.Patient)
            {
                await audit.RecordAsync(new AuditEvent("workflow.task.list", "WorkflowTask", null,
                    new { scope = query.Scope.ToString(), query.IncludeClosed, returned = Math.Min(found.Count, query.First) }), token);
            }

            return (found, false);
        }, ct);

        if (refused)
        {
            throw EhrException.RestrictedRecord("Patient " + query.PatientId);
        }

        var nodes = page.Take(query.First).ToList();
        return new TaskPage(nodes, page.Count > query.First, nodes.Count == 0 ? null : Cursor.Format(nodes[^1]));
    }

    private static class Cursor
    {
        public static string Format(WorkflowTaskView task) =>
            $"{task.CreatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{task.Id:N}";

        public static (DateTimeOffset CreatedAt, Guid Id)? Parse(string text)
        {
            var parts = text.Split('.');
            return parts.Length == 2 && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                   && ticks > 0 && ticks < DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id)
                ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : null;
        }
    }
}
