using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Store;

namespace Ehr.Workflow.Instances;

/// <summary>Whether an instance may move to a version now, and if not every reason (with its node).</summary>
public sealed record MigrationVerdict(bool Allowed, IReadOnlyList<WorkflowDefinitionProblem> Reasons);

/// <summary>
/// Moving a running instance to another published version of its workflow: an explicit admin act
/// (<c>workflow.manage</c>), allowed only while everything it waits for means the same in both versions (the engine's
/// rules: each node it waits at exists in the target with the same kind, the same outcomes for a task, the same action
/// ...). <see cref="CheckAsync"/> says whether (<c>workflow.read</c>); <see cref="HandleAsync"/> does it under the
/// instance's lock, audited, with a <c>migrated</c> timeline entry, or refuses with <c>MIGRATION_REFUSED</c> and every
/// reason as a field (code and node id). The target must be a published or retired version of the same key
/// (<c>VALIDATION_FAILED</c> on <c>toVersionId</c> otherwise).
/// </summary>
public sealed class MigrateWorkflowInstance(TenantDbContext db, ActorContext actors, WorkflowRuntime runtime, InstanceStore store, WorkflowPlans plans,
    GetWorkflowInstance get)
{
    public async Task<MigrationVerdict> CheckAsync(Guid id, Guid toVersionId, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowRead);
        return await db.InTransactionAsync(async token =>
        {
            var record = await store.ReadAsync(id, token) ?? throw EhrException.NotFound("Workflow instance " + id);
            await RequireTargetAsync(record.DefinitionKey, toVersionId, token);
            var check = WorkflowEngine.CheckMigration(record.State, await plans.GetAsync(db, record.VersionId, token), await plans.GetAsync(db, toVersionId, token));
            return new MigrationVerdict(check.Allowed, check.Reasons.Select(r => new WorkflowDefinitionProblem(r.NodeId, r.Code, r.Message, r.Path)).ToList());
        }, ct);
    }

    public async Task<WorkflowInstanceDetail> HandleAsync(Guid id, Guid toVersionId, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowManage);
        var refused = await db.InTransactionAsync(async token =>
        {
            var record = await store.ReadAsync(id, token) ?? throw EhrException.NotFound("Workflow instance " + id);
            await RequireTargetAsync(record.DefinitionKey, toVersionId, token);
            var migrated = await runtime.MigrateInTransactionAsync(id, toVersionId, token);
            if (migrated.Applied)
            {
                return null;
            }

            var check = WorkflowEngine.CheckMigration(migrated.Before.State, await plans.GetAsync(db, migrated.Before.VersionId, token),
                await plans.GetAsync(db, toVersionId, token));
            return check.Reasons;
        }, ct);
        if (refused is not null)
        {
            throw new EhrException(ErrorCodes.MigrationRefused,
                $"Workflow instance {id} cannot move to version {toVersionId} now: {string.Join(" ", refused.Select(r => r.Message))}", 409,
                refused.Select(r => new FieldError("toVersionId", r.Code, r.Message, NodeId: r.NodeId)).ToList());
        }

        return (await get.HandleAsync(id, ct))!;
    }

    private async Task RequireTargetAsync(string key, Guid toVersionId, CancellationToken ct)
    {
        await using var cmd = db.Command("SELECT 1 FROM artifacts WHERE id = $1 AND kind = $2 AND key = $3 AND status <> 'draft'", toVersionId, WorkflowKind.Name, key);
        if (await cmd.ExecuteScalarAsync(ct) is null)
        {
            throw EhrException.Validation([new FieldError("toVersionId", ErrorCodes.UnknownReference,
                $"Not a published version of the workflow '{key}'.")]);
        }
    }
}
