using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ehr.Platform.Contracts;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Scripts;

namespace Ehr.Workflow.Runtime;

/// <summary>
/// One step of one instance, as a small mutable machine over a copy of the state: resume what the input names, move
/// every token that can move until it waits again, and collect the effects and timeline entries on the way. Built and
/// thrown away per step; <see cref="WorkflowEngine"/> is the public face.
/// </summary>
internal sealed partial class StepRun
{
    /// <summary>Node passages one step may make. Validation rules out loops that never wait; this is the backstop.</summary>
    internal const int MaxTransitions = 1000;

    private const string EscalationActor = "system:escalation";

    private readonly WorkflowPlan _plan;
    private readonly ScriptSandbox _scripts;
    private readonly DateTimeOffset _now;
    private readonly InstanceState _before;
    private readonly int _step;
    private readonly List<Token> _parked;
    private readonly List<JoinState> _joins;
    private readonly ImmutableSortedDictionary<string, JsonElement>.Builder _vars;
    private readonly Queue<Token> _moving = new();
    private readonly HashSet<string> _dead = new(StringComparer.Ordinal);
    private readonly List<WorkflowEffect> _effects = [];
    private readonly List<HistoryEntry> _history = [];
    private long _sequence;
    private int _transitions;
    private InstanceStatus _status;
    private string? _outcome;
    private JsonElement? _varsJson;
    private readonly JsonElement _subjectJson;

    public StepRun(WorkflowPlan plan, ScriptSandbox scripts, InstanceState state, DateTimeOffset now)
    {
        _plan = plan;
        _scripts = scripts;
        _now = now;
        _before = state;
        _step = state.Steps + 1;
        _parked = [.. state.Tokens];
        _joins = [.. state.Joins];
        _vars = state.Variables.ToBuilder();
        _sequence = state.Sequence;
        _status = state.Status;
        _outcome = state.Outcome;
        _subjectJson = JsonSerializer.SerializeToElement(new { type = state.Subject.Type, id = state.Subject.Id, locationId = state.Subject.LocationId }, WorkflowJson.Options);
    }

    /// <summary>A start whose filter said no: the caller reports it and keeps nothing.</summary>
    public bool FilteredOut { get; private set; }

    public StepResult Result()
    {
        var state = _before with
        {
            Status = _status,
            Outcome = _outcome,
            Variables = _vars.ToImmutable(),
            Tokens = [.. _parked],
            Joins = [.. _joins],
            Sequence = _sequence,
            Steps = _step,
            UpdatedAt = _now,
        };
        return new StepResult(StepStatus.Applied, state, _effects.ToList(), _history.ToList());
    }

    // ----- ids, timeline, effects

    private string NextId(char prefix) => $"{prefix}{++_sequence}";

    private void Log(string what, string? nodeId = null, string? bookmarkId = null, string? actorId = null, string? outcome = null, string? comment = null, string? detail = null) =>
        _history.Add(new HistoryEntry(_step, _history.Count, _now, what, nodeId, bookmarkId, actorId, outcome, comment, detail));

    private void Emit(WorkflowEffect effect) => _effects.Add(effect);

    // ----- tokens

    public void Enqueue(Token token) => _moving.Enqueue(token);

    private void Park(Token token) => _parked.Add(token);

    private Token Unpark(Token token)
    {
        var index = _parked.FindIndex(t => t.Id == token.Id);
        var current = _parked[index];
        _parked.RemoveAt(index);
        return current;
    }

    private void Replace(Token token) => _parked[_parked.FindIndex(t => t.Id == token.Id)] = token;

    private Token Current(string tokenId) => _parked.Single(t => t.Id == tokenId);

    /// <summary>Moves every token that can move, one at a time in the order they became ready.</summary>
    public void Run()
    {
        while (_moving.Count > 0)
        {
            var token = _moving.Dequeue();
            if (_dead.Contains(token.Id) || _status != InstanceStatus.Running) continue;
            Advance(token);
        }
    }

    private void Advance(Token token, bool starting = false)
    {
        var current = token;
        while (current is not null)
        {
            var node = _plan.Node(current.NodeId);
            if (++_transitions > MaxTransitions)
            {
                Incident(current, node, IncidentCodes.StepLimit, $"The step passed more than {MaxTransitions} nodes without waiting; it stopped here.");
                return;
            }

            current = node.Kind switch
            {
                NodeKinds.Start => AtStart(current, node, starting),
                NodeKinds.Task => OpenTask(current, node),
                NodeKinds.Decision => Decide(current, node),
                NodeKinds.Split => Split(current, node),
                NodeKinds.Join => Arrive(current, node),
                NodeKinds.Timer => StartTimer(current, node),
                NodeKinds.Notify => Notify(current, node),
                NodeKinds.Set => SetVariables(current, node),
                NodeKinds.Action => InvokeAction(current, node),
                NodeKinds.Webhook => CallWebhook(current, node, attempt: 1, delivery: null),
                NodeKinds.End => End(node),
                _ => throw new InvalidOperationException($"Unknown node kind '{node.Kind}' (the schema admits none)."),
            };
            starting = false;
        }
    }

    /// <summary>The token leaves by an outcome: to the one node its edge leads to.</summary>
    private Token Leave(Token token, WorkflowNode node, string outcome, string? detail = null)
    {
        var target = _plan.Targets(node.Id, outcome).Single();
        Log(HistoryKinds.NodePassed, node.Id, outcome: outcome, detail: detail);
        return token with { NodeId = target, Bookmarks = [], Task = null };
    }

    /// <summary>Ends a token's way for now: it waits at its node on an incident an admin must look at.</summary>
    private Token? Incident(Token token, WorkflowNode node, string code, string message, int? escalation = null)
    {
        var bookmark = new Bookmark
        {
            Id = NextId('b'), Kind = BookmarkKind.Incident, NodeId = node.Id, CreatedAt = _now, Code = code, Message = message, Escalation = escalation,
        };
        Emit(new RaiseIncident(bookmark.Id, node.Id, code, message));
        Log(HistoryKinds.IncidentRaised, node.Id, bookmark.Id, outcome: code, detail: message);
        var parked = token with { NodeId = node.Id, Bookmarks = token.Bookmarks.Add(bookmark) };
        if (_parked.Any(t => t.Id == token.Id)) Replace(parked);
        else Park(parked);
        return null;
    }

    private Token? Incident(Token token, WorkflowNode node, ScriptFailure failure, string what, int? escalation = null) =>
        Incident(token, node, failure.Code, $"{what}: {failure.Message}", escalation);

    /// <summary>Withdraws an open bookmark: whatever was scheduled or shown for it is cancelled.</summary>
    private void Withdraw(Bookmark bookmark, string reason)
    {
        switch (bookmark.Kind)
        {
            case BookmarkKind.Task:
                Emit(new CancelTask(bookmark.Id, reason));
                Log(HistoryKinds.TaskCancelled, bookmark.NodeId, bookmark.Id, detail: reason);
                break;
            case BookmarkKind.Escalation or BookmarkKind.Timer or BookmarkKind.WebhookRetry:
                Emit(new CancelTimer(bookmark.Id));
                break;
            case BookmarkKind.Incident:
                Emit(new ResolveIncident(bookmark.Id, reason));
                break;
            // An action or a web hook already on its way cannot be called back; its answer will find the bookmark
            // gone and change nothing.
        }
    }

    /// <summary>Cancels tokens (parked or still moving) and whatever they wait for.</summary>
    private void CancelTokens(Func<Token, bool> which, string reason)
    {
        foreach (var token in _parked.Where(which).ToList())
        {
            foreach (var bookmark in token.Bookmarks) Withdraw(bookmark, reason);
            _parked.Remove(token);
            Log(HistoryKinds.BranchCancelled, token.NodeId, detail: reason);
        }

        foreach (var token in _moving.Where(which)) _dead.Add(token.Id);
    }

    // ----- scripts

    private ScriptScope Scope(Token token, IReadOnlyDictionary<string, JsonElement>? pending = null)
    {
        JsonElement vars;
        if (pending is { Count: > 0 })
        {
            var merged = new SortedDictionary<string, JsonElement>(_vars, StringComparer.Ordinal);
            foreach (var (k, v) in pending) merged[k] = v;
            vars = JsonSerializer.SerializeToElement(merged, WorkflowJson.Options);
        }
        else
        {
            vars = _varsJson ??= JsonSerializer.SerializeToElement(_vars, WorkflowJson.Options);
        }

        return new ScriptScope(vars, _before.Event, _subjectJson, token.LastTask, _now);
    }

    private void SetVariable(string name, JsonElement value)
    {
        _vars[name] = value;
        _varsJson = null;
    }

    /// <summary>Evaluates a map of expressions into one JSON object, or the first failure with its name.</summary>
    private (JsonElement? Value, ScriptFailure? Failure, string? Name) EvaluateAll(IReadOnlyDictionary<string, string>? scripts, Token token)
    {
        var result = new JsonObject();
        var scope = Scope(token);
        foreach (var (name, script) in scripts ?? new Dictionary<string, string>())
        {
            var value = _scripts.Evaluate(script, scope);
            if (value.Failure is { } failure) return (null, failure, name);
            result[name] = JsonNode.Parse(value.Value!.Value.GetRawText());
        }

        return (JsonSerializer.SerializeToElement(result, WorkflowJson.Options), null, null);
    }

    // ----- start, decision, set, timer, end

    private Token? AtStart(Token token, WorkflowNode node, bool starting)
    {
        if (node.Trigger is { Type: TriggerTypes.Event, Filter: { } filter })
        {
            var result = _scripts.Evaluate(filter, Scope(token));
            if (result.Failure is { } failure) return Incident(token, node, failure, "The start filter failed");
            if (result.Value!.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                return Incident(token, node, IncidentCodes.DecisionNotBoolean, $"The start filter gave {result.Value.Value.GetRawText()}, not true or false.");
            if (result.Value.Value.ValueKind == JsonValueKind.False)
            {
                if (starting)
                {
                    FilteredOut = true;
                    return null;
                }

                // Only a retry after a failed filter gets here: the event turned out not to be for this workflow.
                Close(InstanceStatus.Cancelled, "The start filter is false.", null);
                return null;
            }
        }

        return Leave(token, node, WorkflowEdge.Next);
    }

    private Token? Decide(Token token, WorkflowNode node)
    {
        var scope = Scope(token);
        var cases = node.Cases ?? [];
        for (var k = 0; k < cases.Count; k++)
        {
            var result = _scripts.Evaluate(cases[k].When, scope);
            if (result.Failure is { } failure) return Incident(token, node, failure, $"Case {k + 1} of the decision failed");
            switch (result.Value!.Value.ValueKind)
            {
                case JsonValueKind.True:
                    return Leave(token, node, cases[k].Outcome, $"case {k + 1} is true");
                case JsonValueKind.False:
                    continue;
                default:
                    return Incident(token, node, IncidentCodes.DecisionNotBoolean, $"Case {k + 1} of the decision gave {result.Value.Value.GetRawText()}, not true or false.");
            }
        }

        return Leave(token, node, node.Otherwise!, "no case is true");
    }

    private Token? SetVariables(Token token, WorkflowNode node)
    {
        // All or nothing: a failing assignment leaves every variable as it was, so a retry starts from the same values.
        var pending = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, script) in node.Assign ?? new Dictionary<string, string>())
        {
            var result = _scripts.Evaluate(script, Scope(token, pending));
            if (result.Failure is { } failure) return Incident(token, node, failure, $"The value of '{name}' failed");
            var type = _plan.Definition.Variables.TryGetValue(name, out var declared) ? declared.Type : WorkflowValueType.Any;
            if (!DefinitionValidator.Fits(type, result.Value!.Value))
                return Incident(token, node, IncidentCodes.ValueType, $"'{name}' is declared as {DefinitionValidator.Name(type)}; the script gave {result.Value.Value.GetRawText()}.");
            pending[name] = result.Value.Value;
        }

        foreach (var (name, value) in pending) SetVariable(name, value);
        Log(HistoryKinds.VariablesSet, node.Id, detail: string.Join(", ", pending.Keys));
        return Leave(token, node, WorkflowEdge.Next);
    }

    private Token? StartTimer(Token token, WorkflowNode node)
    {
        DateTimeOffset due;
        if (node.Duration is { } duration)
        {
            due = _now + Durations.Parse(duration);
        }
        else
        {
            var result = _scripts.Evaluate(node.At!, Scope(token));
            if (result.Failure is { } failure) return Incident(token, node, failure, "The timer's date expression failed");
            if (result.Value!.Value.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(result.Value.Value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out due))
                return Incident(token, node, IncidentCodes.DateInvalid, $"The timer's date expression gave {result.Value.Value.GetRawText()}, not an ISO-8601 date-time.");
        }

        if (due <= _now) return Leave(token, node, WorkflowEdge.Next, "the time had already come");
        var bookmark = new Bookmark { Id = NextId('b'), Kind = BookmarkKind.Timer, NodeId = node.Id, CreatedAt = _now, DueAt = due };
        Emit(new ScheduleTimer(bookmark.Id, due, BookmarkKind.Timer));
        Log(HistoryKinds.TimerScheduled, node.Id, bookmark.Id, detail: $"due {Iso(due)}");
        Park(token with { NodeId = node.Id, Bookmarks = [bookmark] });
        return null;
    }

    private Token? End(WorkflowNode node)
    {
        Log(HistoryKinds.NodePassed, node.Id, outcome: node.Outcome);
        Close(InstanceStatus.Completed, node.Outcome, null);
        return null;
    }

    /// <summary>Closes the instance: every other path is cancelled with what it waits for.</summary>
    private void Close(InstanceStatus status, string? outcome, string? actorId)
    {
        var reason = status == InstanceStatus.Completed ? "The instance completed." : $"The instance was cancelled: {outcome}";
        CancelTokens(_ => true, reason);
        _joins.Clear();
        _status = status;
        _outcome = outcome;
        Emit(new CompleteInstance(status, outcome));
        Log(status == InstanceStatus.Completed ? HistoryKinds.Completed : HistoryKinds.Cancelled, actorId: actorId, outcome: outcome);
    }

    public void Cancel(string actorId, string reason) => Close(InstanceStatus.Cancelled, reason, actorId);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
