using System.Collections.Immutable;
using System.Text.Json;
using Ehr.Platform.Errors;
using Ehr.Platform.Contracts;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Scripts;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// The step function: (plan, state, input, clock) → next state + effects + timeline. Pure: it reads nothing but its
/// arguments (the clock is passed in, scripts see that clock and nothing random), changes nothing it was given, and
/// gives the same result for the same arguments, so the store can run it inside a transaction, after locking the
/// instance row, and retry it freely. An input whose bookmark is no longer open is a <see cref="StepStatus.NoOp"/>:
/// delivering an input twice is harmless. Nothing a script does can make it throw.
/// </summary>
public sealed class WorkflowEngine(ScriptSandbox scripts)
{
    public StepResult Start(WorkflowPlan plan, StartWorkflow start, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(start);
        var trigger = plan.Start.Trigger!;
        if (trigger.Type == TriggerTypes.Event && (start.Event is null || start.Event.Type != trigger.Event))
            return StepResult.Unchanged(StepStatus.Refused, null, StepCodes.TriggerMismatch, $"This workflow starts on the event {trigger.Event}; it was given {start.Event?.Type ?? "a manual start"}.");
        if (trigger.Type == TriggerTypes.Manual && start.Event is not null)
            return StepResult.Unchanged(StepStatus.Refused, null, StepCodes.TriggerMismatch, $"This workflow is started by hand, not by the event {start.Event.Type}.");

        var variables = ImmutableSortedDictionary.CreateBuilder<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, variable) in plan.Definition.Variables)
        {
            if (variable.Default is { } value) variables[name] = value.Clone();
        }

        var problems = Inputs(trigger, start.Inputs, variables);
        if (problems.Count > 0)
            return StepResult.Unchanged(StepStatus.Refused, null, StepCodes.InputInvalid, problems.Count == 1 ? problems[0].Message : $"{problems.Count} inputs are invalid.", problems);

        var state = new InstanceState
        {
            InstanceId = start.InstanceId,
            DefinitionVersionId = plan.VersionId,
            Status = InstanceStatus.Running,
            Subject = start.Subject,
            Event = start.Event is { } e ? JsonSerializer.SerializeToElement(e, WorkflowJson.Options) : null,
            Variables = variables.ToImmutable(),
            StartedAt = now,
            UpdatedAt = now,
        };
        var run = new StepRun(plan, scripts, state, now);
        run.Begin(start);
        if (run.FilteredOut)
            return StepResult.Unchanged(StepStatus.NotStarted, null, StepCodes.FilterFalse, "The trigger's filter is false for this event.");
        return run.Result();
    }

    public StepResult Step(WorkflowPlan plan, InstanceState state, WorkflowInput input, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        if (plan.VersionId != state.DefinitionVersionId)
            return StepResult.Unchanged(StepStatus.Refused, state, StepCodes.WrongVersion, $"The instance runs version {state.DefinitionVersionId}; this plan is {plan.VersionId}.");
        if (state.Status != InstanceStatus.Running)
            return StepResult.Unchanged(StepStatus.NoOp, state, StepCodes.InstanceClosed, $"The instance is {state.Status.ToString().ToLowerInvariant()}; nothing to do.");

        var run = new StepRun(plan, scripts, state, now);
        if (run.Apply(input) is { } unchanged) return unchanged;
        run.Run();
        return run.Result();
    }

    /// <summary>Whether the instance may move to <paramref name="to"/> now, and if not, every reason.</summary>
    public static MigrationCheck CheckMigration(InstanceState state, WorkflowPlan from, WorkflowPlan to) => Migration.Check(state, from, to);

    /// <summary>
    /// Moves a waiting instance to another version of its workflow (an explicit, audited admin act): its tokens stay
    /// where they wait, variables the new version declares with a default are added, nothing runs. Refused, with the
    /// reasons, unless <see cref="CheckMigration"/> allows it.
    /// </summary>
    public static StepResult Migrate(InstanceState state, WorkflowPlan from, WorkflowPlan to, string actorId, DateTimeOffset now) =>
        Migration.Apply(state, from, to, actorId, now);

    private static List<FieldError> Inputs(TriggerDefinition trigger, IReadOnlyDictionary<string, JsonElement>? given, ImmutableSortedDictionary<string, JsonElement>.Builder variables)
    {
        var problems = new List<FieldError>();
        var declared = trigger.Inputs ?? new Dictionary<string, InputDefinition>();
        foreach (var name in (given ?? new Dictionary<string, JsonElement>()).Keys.Where(n => !declared.ContainsKey(n)))
            problems.Add(new FieldError($"inputs.{name}", ErrorCodes.UnknownReference, $"The workflow takes no input '{name}'."));
        foreach (var (name, input) in declared)
        {
            var path = $"inputs.{name}";
            if (given?.TryGetValue(name, out var value) == true && value.ValueKind != JsonValueKind.Null)
            {
                if (!DefinitionValidator.Fits(input.Type, value))
                    problems.Add(new FieldError(path, ErrorCodes.InvalidFormat, $"'{name}' must be {DefinitionValidator.Name(input.Type)}."));
                else
                    variables[name] = value.Clone();
            }
            else if (input.Default is { } fallback)
            {
                variables[name] = fallback.Clone();
            }
            else if (input.Required)
            {
                problems.Add(new FieldError(path, ErrorCodes.Required, $"'{name}' is required{(input.Description is null ? "" : $": {input.Description}")}."));
            }
        }

        return problems;
    }
}

internal sealed partial class StepRun
{
    /// <summary>The first step: a token at the start node, the start recorded, then every path run as far as it goes.</summary>
    public void Begin(StartWorkflow start)
    {
        Log(HistoryKinds.Started, _plan.Start.Id, actorId: start.ActorId,
            detail: start.Event is { } e ? $"event {e.Type} on {e.SubjectType} {e.SubjectId}" : "started by hand");
        Advance(new Token { Id = NextId('t'), NodeId = _plan.Start.Id }, starting: true);
        Run();
    }
}

/// <summary>The verdict on a migration: allowed, or each reason it is not (a node id, a stable code, a message).</summary>
public sealed record MigrationCheck(IReadOnlyList<WorkflowProblem> Reasons)
{
    public bool Allowed => Reasons.Count == 0;
}

/// <summary>The stable codes of <see cref="MigrationCheck.Reasons"/>.</summary>
public static class MigrationCodes
{
    public const string NotRunning = "NOT_RUNNING";
    public const string WrongSource = "WRONG_SOURCE";
    public const string SameVersion = "SAME_VERSION";
    public const string NodeMissing = "NODE_MISSING";
    public const string NodeKindChanged = "NODE_KIND_CHANGED";
    public const string OutcomesChanged = "OUTCOMES_CHANGED";
    public const string ActionChanged = "ACTION_CHANGED";
    public const string JoinChanged = "JOIN_CHANGED";
    public const string VariableTypeChanged = "VARIABLE_TYPE_CHANGED";
}

/// <summary>
/// Version pinning. An instance carries the version it started on; it moves only while everything it waits for
/// means the same in both versions: each open bookmark at a node id that exists in the target with the same kind (and
/// for tasks the same outcomes, for actions the same action, so what an inbox shows or a module answers still fits),
/// each split it is inside of still a split closed by the same join with as many branches, and each variable it holds
/// of a type the target still accepts.
/// </summary>
internal static class Migration
{
    public static MigrationCheck Check(InstanceState state, WorkflowPlan from, WorkflowPlan to)
    {
        var reasons = new List<WorkflowProblem>();
        void Add(string? nodeId, string code, string message) => reasons.Add(new WorkflowProblem(nodeId, code, message));

        if (state.Status != InstanceStatus.Running)
            Add(null, MigrationCodes.NotRunning, $"The instance is {state.Status.ToString().ToLowerInvariant()}.");
        if (state.DefinitionVersionId != from.VersionId)
        {
            // Nothing else can be compared: the instance's nodes are not this plan's.
            Add(null, MigrationCodes.WrongSource, $"The instance runs version {state.DefinitionVersionId}, not {from.VersionId}.");
            return new MigrationCheck(reasons);
        }

        if (from.VersionId == to.VersionId)
            Add(null, MigrationCodes.SameVersion, "The instance already runs this version.");

        foreach (var nodeId in state.Tokens.Select(t => t.NodeId).Distinct(StringComparer.Ordinal))
            CheckNode(nodeId, "waits");
        foreach (var join in state.Joins.Select(j => j.JoinNodeId).Distinct(StringComparer.Ordinal))
            CheckNode(join, "has branches waiting at");
        foreach (var split in state.Tokens.SelectMany(t => t.Forks).Concat(state.Joins.SelectMany(j => j.Outer)).Select(f => f.SplitNodeId).Distinct(StringComparer.Ordinal))
            CheckSplit(split);
        foreach (var join in state.Joins.Select(j => j.JoinNodeId).Distinct(StringComparer.Ordinal))
        {
            if (to.TryGetNode(join, out var target) && target.Kind == NodeKinds.Join
                && (to.SplitOf(join) != from.SplitOf(join) || target.Mode != from.Node(join).Mode || target.Count != from.Node(join).Count))
                Add(join, MigrationCodes.JoinChanged, $"The join '{join}' closes another split or counts differently in the target version.");
        }

        foreach (var (name, value) in state.Variables)
        {
            if (to.Definition.Variables.TryGetValue(name, out var declared) && !DefinitionValidator.Fits(declared.Type, value))
                Add(null, MigrationCodes.VariableTypeChanged, $"The variable '{name}' holds {value.ValueKind.ToString().ToLowerInvariant()}; the target version declares it {DefinitionValidator.Name(declared.Type)}.");
        }

        return new MigrationCheck(reasons);

        void CheckNode(string nodeId, string what)
        {
            var source = from.Node(nodeId);
            if (!to.TryGetNode(nodeId, out var target))
            {
                Add(nodeId, MigrationCodes.NodeMissing, $"The instance {what} '{nodeId}', which the target version does not have.");
                return;
            }

            if (target.Kind != source.Kind)
            {
                Add(nodeId, MigrationCodes.NodeKindChanged, $"The instance {what} '{nodeId}', a {source.Kind} here and a {target.Kind} in the target version.");
                return;
            }

            if (source.Kind == NodeKinds.Task && !to.Outcomes(nodeId).SequenceEqual(from.Outcomes(nodeId)))
                Add(nodeId, MigrationCodes.OutcomesChanged, $"The open task '{nodeId}' offers {string.Join(", ", from.Outcomes(nodeId))}; in the target version it offers {string.Join(", ", to.Outcomes(nodeId))}.");
            if (source.Kind == NodeKinds.Action && source.Action != target.Action)
                Add(nodeId, MigrationCodes.ActionChanged, $"The instance awaits the result of {source.Action}; in the target version '{nodeId}' calls {target.Action}.");
            if (source.Kind == NodeKinds.Action && !to.Outcomes(nodeId).ToHashSet().SetEquals(from.Outcomes(nodeId)))
                Add(nodeId, MigrationCodes.OutcomesChanged, $"The action at '{nodeId}' finishes differently in the target version.");
        }

        void CheckSplit(string splitId)
        {
            if (!to.TryGetNode(splitId, out var target) || target.Kind != NodeKinds.Split)
            {
                Add(splitId, MigrationCodes.NodeMissing, $"The instance is inside the branches of the split '{splitId}', which is not a split in the target version.");
                return;
            }

            if (to.Branches(splitId) != from.Branches(splitId))
                Add(splitId, MigrationCodes.JoinChanged, $"The split '{splitId}' has {from.Branches(splitId)} branches here and {to.Branches(splitId)} in the target version.");
        }
    }

    public static StepResult Apply(InstanceState state, WorkflowPlan from, WorkflowPlan to, string actorId, DateTimeOffset now)
    {
        var check = Check(state, from, to);
        if (!check.Allowed)
            return StepResult.Unchanged(StepStatus.Refused, state, StepCodes.MigrationRefused, string.Join(" ", check.Reasons.Select(r => r.Message)));

        var variables = state.Variables.ToBuilder();
        foreach (var (name, variable) in to.Definition.Variables)
        {
            if (!variables.ContainsKey(name) && variable.Default is { } value) variables[name] = value.Clone();
        }

        var step = state.Steps + 1;
        var next = state with { DefinitionVersionId = to.VersionId, Variables = variables.ToImmutable(), Steps = step, UpdatedAt = now };
        var entry = new HistoryEntry(step, 0, now, HistoryKinds.Migrated, ActorId: actorId, Detail: $"from version {from.VersionId} to {to.VersionId}");
        return new StepResult(StepStatus.Applied, next, [], [entry]);
    }
}
