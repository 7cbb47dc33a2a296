using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
using Ehr.Workflow.Runtime;

namespace Ehr.Workflow.Definitions;

/// <summary>
/// A dry run of a definition (saved or not): the content, a sample start (an event's payload for an event trigger, the
/// inputs of a manual one), the location it would run for, the moves made so far (each names a bookmark the run waits
/// on), the outcome and output each action should answer, how each web hook's endpoint answers, and the time the run
/// started (kept by the client so a replay is the same run).
/// </summary>
public sealed record WorkflowTestRunInput(
    string? Content,
    string? Event = null,
    string? Inputs = null,
    Guid? LocationId = null,
    IReadOnlyList<WorkflowTestMove>? Moves = null,
    IReadOnlyList<WorkflowTestActionOutcome>? ActionOutcomes = null,
    DateTimeOffset? StartAt = null,
    string? SubjectId = null,
    IReadOnlyList<WorkflowTestWebhookResponse>? WebhookResponses = null);

/// <summary>
/// What the tester does next: decide a task slot (<see cref="Outcome"/>: approve, reject, returnForChanges), fire a
/// timer or escalation, answer an action (its outcome, else the default) or a web hook (<c>delivered</c>, or
/// <c>failed</c>), or retry an incident. <see cref="ActorId"/> is who decides (default: one tester per slot).
/// </summary>
public sealed record WorkflowTestMove(string? BookmarkId, string? Outcome = null, string? Comment = null, string? ActorId = null);

/// <summary>
/// The outcome an action node answers in the run (default: <c>done</c> when it has it, else its first), and the output
/// object it answers with (JSON), which the node's <c>output</c> variable receives as it would a module's answer. The
/// output must carry the fields the action declares for that outcome, of their types. Without one the action answers
/// a sample of its declared fields (strings <c>test-&lt;field&gt;</c>, numbers 0, booleans false), or no output (the
/// variable gets <c>{}</c>, as at run time) when it declares none.
/// </summary>
public sealed record WorkflowTestActionOutcome(string? NodeId, string? Outcome = null, string? Output = null);

/// <summary>
/// How a web hook node's endpoint answers in the run: its HTTP status (default 200) and, for a 2xx, its JSON body (an
/// object; default none). As at run time, a 2xx delivers and the node's <c>output</c> variable receives
/// <c>{ status, body }</c>; a 5xx, 408 or 429 fails and is tried again after the node's back-off (fire its retry timer)
/// until its attempts run out; any other status is refused at once; both end at an incident.
/// </summary>
public sealed record WorkflowTestWebhookResponse(string? NodeId, int? Status = null, string? Body = null);

/// <summary>One step of a test run: what was done, at what (simulated) time, the timeline, the effects asked, the variables after.</summary>
public sealed record WorkflowTestStep(int Number, string Input, bool Automatic, DateTimeOffset At, IReadOnlyList<HistoryEntry> Timeline,
    IReadOnlyList<string> Effects, string Variables);

/// <summary>Something the run waits on: a task slot (with its assignee and outcomes), a timer, an escalation, an incident.</summary>
public sealed record WorkflowTestWait(string BookmarkId, string Kind, string NodeId, string? Title, string? Assignee, IReadOnlyList<string> Outcomes,
    DateTimeOffset? DueAt, int? Slot, int? Slots, string? Code, string? Message);

/// <summary>
/// The run so far: <c>running</c> (waiting on <see cref="Waiting"/>), <c>completed</c> (with the end's
/// <see cref="Outcome"/>), <c>cancelled</c>, or <c>notStarted</c> (the trigger's filter is false for the sample event).
/// <see cref="Path"/> is every node passed, in order.
/// </summary>
public sealed record WorkflowTestRun(string Status, string? Outcome, string? Message, DateTimeOffset StartedAt, IReadOnlyList<WorkflowTestStep> Steps,
    IReadOnlyList<WorkflowTestWait> Waiting, IReadOnlyList<string> Path, string Variables);

/// <summary>
/// The designer's test run before publishing (<c>workflow.manage</c>: it runs the author's scripts). It drives the pure
/// engine (<see cref="WorkflowEngine"/>) and nothing else: no instance, task, timer, action, web hook, notification or
/// audit entry is written, and no module is called. Human tasks wait for the tester's decision; timers fire only when
/// the tester fires them (the clock jumps to their due time); actions answer at once with the outcome and output chosen
/// for their node (default <c>done</c>, else the first, with a sample of the action's declared output); web hooks are
/// answered with the status and body chosen for their node (default 200, no body), or fail when a move says
/// <c>failed</c>; decisions and scripts run in the real sandbox, so their failures become incidents as they would.
/// The run is replayed from the start on each call (the engine is deterministic), so the client keeps only the moves.
/// Refusals are <c>VALIDATION_FAILED</c>: the content's problems as publishing reports them (<c>content.…</c> with the
/// node id), <c>input.event</c>, <c>input.inputs[.name]</c>, <c>input.locationId</c>,
/// <c>input.actionOutcomes[i]…</c> (not an action node, twice the same node, an outcome it does not have, an output
/// that is not a JSON object or lacks a declared field or has one of the wrong type: <c>…output.&lt;field&gt;</c>),
/// <c>input.webhookResponses[i]…</c> (not a web hook node, twice the same node, a status outside 200–599, a body that
/// is not a JSON object or comes with a failing status), <c>input.moves[i]…</c> (a bookmark the run no longer waits
/// on, an outcome a task does not offer ...).
/// </summary>
public sealed class TestRunWorkflow(ActorContext actors, WorkflowDefinitions definitions, WorkflowEngine engine, WorkflowCatalog catalog,
    LocationDirectory locations, TimeProvider clock)
{
    /// <summary>Moves one run may make: a test run is clicked through by a person.</summary>
    public const int MaxMoves = 200;

    /// <summary>Steps one run may take, automatic answers included (an action in a loop would answer for ever).</summary>
    public const int MaxSteps = 500;

    /// <summary>The largest sample output or body: what the runtime keeps of a web hook's answer.</summary>
    public const int MaxOutputBytes = Webhooks.WebhookSender.MaxAnswerBytes;

    private static readonly Guid TestVersionId = new("00000000-0000-0000-0000-00000000a001");

    public async Task<WorkflowTestRun> HandleAsync(WorkflowTestRunInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        actors.Demand(Permissions.WorkflowManage);
        var actor = actors.Current;
        var errors = new List<FieldError>();

        WorkflowPlan? plan = null;
        if (string.IsNullOrWhiteSpace(input.Content))
        {
            errors.Add(new FieldError("input.content", ErrorCodes.Required, "The definition to run (JSON) is required."));
        }
        else if (Encoding.UTF8.GetByteCount(input.Content) > 2 * 1024 * 1024)
        {
            errors.Add(new FieldError("input.content", ErrorCodes.TooLong, "At most 2 MiB."));
        }
        else
        {
            // Exactly what publishing checks: a run of a definition that could not be published would show nothing real.
            var loaded = definitions.Load(input.Content, TestVersionId);
            plan = loaded.Plan;
            errors.AddRange(loaded.Problems.Select(p => p.ToFieldError()).Select(f => f with { Path = f.Path.Length == 0 ? "content" : "content." + f.Path }));
        }

        var payload = JsonObjectOf(input.Event, "input.event", "The sample event's payload is one JSON object.", errors);
        var given = JsonObjectOf(input.Inputs, "input.inputs", "The inputs are one JSON object: { \"name\": value }.", errors);
        var moves = input.Moves ?? [];
        if (moves.Count > MaxMoves)
        {
            errors.Add(new FieldError("input.moves", ErrorCodes.OutOfRange, $"At most {MaxMoves} moves."));
        }

        if (input.SubjectId is { Length: > 200 })
        {
            errors.Add(new FieldError("input.subjectId", ErrorCodes.TooLong, "At most 200 characters."));
        }

        var actionOutcomes = new Dictionary<string, (string Outcome, JsonElement? Output)>(StringComparer.Ordinal);
        var webhookAnswers = new Dictionary<string, (int Status, JsonElement? Body)>(StringComparer.Ordinal);
        if (plan is not null)
        {
            CheckActionOutcomes(plan, input.ActionOutcomes ?? [], actionOutcomes, errors);
            CheckWebhookResponses(plan, input.WebhookResponses ?? [], webhookAnswers, errors);
            CheckTrigger(plan, input, errors);
        }

        if (input.LocationId is { } locationId && !(await locations.ActiveAmongAsync([locationId], ct)).Contains(locationId))
        {
            errors.Add(new FieldError("input.locationId", ErrorCodes.UnknownReference, "No active location has this id."));
        }

        if (errors.Count > 0 || plan is null)
        {
            throw EhrException.Validation(errors);
        }

        var run = new Run(plan, engine, actionOutcomes, webhookAnswers, Truncate(input.StartAt ?? clock.GetUtcNow()));
        var trigger = plan.Start.Trigger!;
        var instanceId = NameBased(input.Content!);
        StartWorkflow start;
        if (trigger.Type == TriggerTypes.Event)
        {
            var subjectType = catalog.Events.TryGetValue(trigger.Event!, out var described) ? described.SubjectType : "Subject";
            var sample = new WorkflowEvent(NameBased("event:" + input.Content), trigger.Event!, subjectType,
                string.IsNullOrWhiteSpace(input.SubjectId) ? "test-subject" : input.SubjectId.Trim(), input.LocationId,
                payload ?? JsonSerializer.SerializeToElement(new { }), actor.Id, run.Now);
            start = StartWorkflow.For(instanceId, sample);
        }
        else
        {
            var inputs = given is { } g ? g.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal) : [];
            if ((trigger.Inputs ?? new Dictionary<string, InputDefinition>()).ContainsKey("startedBy"))
            {
                // As a real manual start: the one who starts it.
                inputs["startedBy"] = JsonSerializer.SerializeToElement(actor.Id);
            }

            start = new StartWorkflow
            {
                InstanceId = instanceId,
                Subject = new WorkflowSubject("WorkflowInstance", instanceId.ToString(), input.LocationId),
                ActorId = actor.Id,
                Inputs = inputs,
            };
        }

        if (run.Start(start) is { } notStarted)
        {
            return notStarted;
        }

        for (var i = 0; i < moves.Count; i++)
        {
            run.Move(moves[i], i, actor.Id);
        }

        return run.Result(null);
    }

    private static void CheckActionOutcomes(WorkflowPlan plan, IReadOnlyList<WorkflowTestActionOutcome> given,
        Dictionary<string, (string Outcome, JsonElement? Output)> chosen, List<FieldError> errors)
    {
        for (var i = 0; i < given.Count; i++)
        {
            var path = $"input.actionOutcomes[{i}]";
            var nodeId = given[i].NodeId;
            if (string.IsNullOrEmpty(nodeId) || !plan.TryGetNode(nodeId, out var node) || node.Kind != NodeKinds.Action)
            {
                errors.Add(new FieldError(path + ".nodeId", ErrorCodes.UnknownReference, $"The definition has no action node '{nodeId}'."));
                continue;
            }

            if (chosen.ContainsKey(nodeId) || given.Take(i).Any(g => g.NodeId == nodeId))
            {
                errors.Add(new FieldError(path + ".nodeId", ErrorCodes.Duplicate, $"The action node '{nodeId}' is answered once; it is given twice.", NodeId: nodeId));
                continue;
            }

            var outcome = string.IsNullOrWhiteSpace(given[i].Outcome) ? DefaultOutcome(plan, nodeId) : given[i].Outcome!;
            if (!plan.Outcomes(nodeId).Contains(outcome))
            {
                errors.Add(new FieldError(path + ".outcome", StepCodes.OutcomeNotAllowed,
                    $"{node.Action} finishes with {string.Join(", ", plan.Outcomes(nodeId))}.", NodeId: nodeId));
                continue;
            }

            var fields = plan.Actions[node.Action!].OutputOf(outcome);
            if (string.IsNullOrWhiteSpace(given[i].Output))
            {
                chosen[nodeId] = (outcome, SampleOutput(fields));
                continue;
            }

            var before = errors.Count;
            var output = JsonObjectOf(given[i].Output, path + ".output", "An action's output is one JSON object.", errors, MaxOutputBytes, nodeId);
            if (output is { } answered)
            {
                foreach (var field in fields)
                {
                    if (!answered.TryGetProperty(field.Name, out var value))
                    {
                        if (field.Required)
                        {
                            errors.Add(new FieldError($"{path}.output.{field.Name}", ErrorCodes.Required,
                                $"{node.Action} answers '{field.Name}' when it finishes {outcome}: {field.Description}", NodeId: nodeId));
                        }
                    }
                    else if (!DefinitionValidator.Fits(field.Type, value))
                    {
                        errors.Add(new FieldError($"{path}.output.{field.Name}", ErrorCodes.InvalidFormat,
                            $"{node.Action} answers '{field.Name}' as {DefinitionValidator.Name(field.Type)}, not {value.GetRawText()}.", NodeId: nodeId));
                    }
                }
            }

            if (errors.Count == before)
            {
                chosen[nodeId] = (outcome, output);
            }
        }

        // The actions not answered by the tester answer as chosen by default: their default outcome and its sample output.
        foreach (var node in plan.Definition.Nodes.Where(n => n.Kind == NodeKinds.Action && !chosen.ContainsKey(n.Id) && plan.Actions.ContainsKey(n.Action!)))
        {
            var outcome = DefaultOutcome(plan, node.Id);
            chosen[node.Id] = (outcome, SampleOutput(plan.Actions[node.Action!].OutputOf(outcome)));
        }
    }

    private static void CheckWebhookResponses(WorkflowPlan plan, IReadOnlyList<WorkflowTestWebhookResponse> given,
        Dictionary<string, (int Status, JsonElement? Body)> chosen, List<FieldError> errors)
    {
        for (var i = 0; i < given.Count; i++)
        {
            var path = $"input.webhookResponses[{i}]";
            var nodeId = given[i].NodeId;
            if (string.IsNullOrEmpty(nodeId) || !plan.TryGetNode(nodeId, out var node) || node.Kind != NodeKinds.Webhook)
            {
                errors.Add(new FieldError(path + ".nodeId", ErrorCodes.UnknownReference, $"The definition has no web hook node '{nodeId}'."));
                continue;
            }

            if (given.Take(i).Any(g => g.NodeId == nodeId))
            {
                errors.Add(new FieldError(path + ".nodeId", ErrorCodes.Duplicate, $"The web hook node '{nodeId}' is answered once; it is given twice.", NodeId: nodeId));
                continue;
            }

            var status = given[i].Status ?? 200;
            if (status is < 200 or > 599)
            {
                errors.Add(new FieldError(path + ".status", ErrorCodes.OutOfRange, "An HTTP status from 200 to 599.", NodeId: nodeId));
                continue;
            }

            if (status >= 300 && !string.IsNullOrWhiteSpace(given[i].Body))
            {
                errors.Add(new FieldError(path + ".body", ErrorCodes.InvalidFormat,
                    $"Only a 2xx answer's body reaches the workflow; a {status} fails the delivery.", NodeId: nodeId));
                continue;
            }

            var before = errors.Count;
            var body = JsonObjectOf(given[i].Body, path + ".body",
                "The body is one JSON object: the runtime keeps an endpoint's answer only when it is a JSON object.", errors, MaxOutputBytes, nodeId);
            if (errors.Count == before)
            {
                chosen[nodeId] = (status, body);
            }
        }
    }

    /// <summary>What an action answers when the tester gives no output: a sample of its declared fields, or none.</summary>
    public static JsonElement? SampleOutput(IReadOnlyList<WorkflowParameter> fields)
    {
        if (fields.Count == 0)
        {
            return null;
        }

        var sample = new System.Text.Json.Nodes.JsonObject();
        foreach (var field in fields)
        {
            sample[field.Name] = field.Type switch
            {
                WorkflowValueType.String => System.Text.Json.Nodes.JsonValue.Create("test-" + field.Name),
                WorkflowValueType.Number => System.Text.Json.Nodes.JsonValue.Create(0),
                WorkflowValueType.Boolean => System.Text.Json.Nodes.JsonValue.Create(false),
                WorkflowValueType.Object => new System.Text.Json.Nodes.JsonObject(),
                WorkflowValueType.Array => new System.Text.Json.Nodes.JsonArray(),
                _ => null,
            };
        }

        return JsonSerializer.SerializeToElement(sample);
    }

    private static string DefaultOutcome(WorkflowPlan plan, string nodeId)
    {
        var outcomes = plan.Outcomes(nodeId);
        return outcomes.Contains("done") ? "done" : outcomes[0];
    }

    private static void CheckTrigger(WorkflowPlan plan, WorkflowTestRunInput input, List<FieldError> errors)
    {
        var trigger = plan.Start.Trigger!;
        if (trigger.Type == TriggerTypes.Event && !string.IsNullOrWhiteSpace(input.Inputs) && input.Inputs.Trim() != "{}")
        {
            errors.Add(new FieldError("input.inputs", StepCodes.TriggerMismatch, $"This workflow starts on the event {trigger.Event}: give a sample event payload, not inputs."));
        }

        if (trigger.Type == TriggerTypes.Manual && !string.IsNullOrWhiteSpace(input.Event))
        {
            errors.Add(new FieldError("input.event", StepCodes.TriggerMismatch, "This workflow is started by hand: give its inputs, not an event."));
        }
    }

    private static JsonElement? JsonObjectOf(string? text, string path, string message, List<FieldError> errors, int? maxBytes = null, string? nodeId = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (maxBytes is { } max && Encoding.UTF8.GetByteCount(text) > max)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {max / 1024} KiB.", NodeId: nodeId));
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document.RootElement.Clone();
            }
        }
        catch (JsonException)
        {
        }

        errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, message, NodeId: nodeId));
        return null;
    }

    private static DateTimeOffset Truncate(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    /// <summary>The same content gives the same ids, so a replay names the same bookmarks.</summary>
    private static Guid NameBased(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("ehr-workflow-test-run:" + text));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>One run in progress: the state, the simulated clock and the steps so far.</summary>
    private sealed class Run(WorkflowPlan plan, WorkflowEngine engine, IReadOnlyDictionary<string, (string Outcome, JsonElement? Output)> actionOutcomes,
        IReadOnlyDictionary<string, (int Status, JsonElement? Body)> webhookAnswers, DateTimeOffset startedAt)
    {
        private readonly List<WorkflowTestStep> _steps = [];
        private readonly DateTimeOffset _startedAt = startedAt;
        private InstanceState? _state;

        public DateTimeOffset Now { get; private set; } = startedAt;

        /// <summary>Starts the run; a result when it ends there (the filter said no).</summary>
        public WorkflowTestRun? Start(StartWorkflow start)
        {
            var result = engine.Start(plan, start, Now);
            switch (result.Status)
            {
                case StepStatus.NotStarted:
                    return new WorkflowTestRun("notStarted", null, result.Message, _startedAt, [], [], [], "{}");
                case StepStatus.Refused:
                    throw EhrException.Validation((result.Problems ?? [new FieldError("inputs", result.Code ?? StepCodes.InputInvalid, result.Message ?? "")])
                        .Select(f => f with { Path = "input." + f.Path }).ToList());
            }

            Record(result, start.Event is { } e ? $"started by the event {e.Type}" : "started by hand", automatic: false);
            AnswerCalls();
            return null;
        }

        public void Move(WorkflowTestMove move, int index, string testerId)
        {
            var path = $"input.moves[{index}]";
            if (_state!.Status != InstanceStatus.Running)
            {
                throw Refused(path, StepCodes.InstanceClosed, $"The run is {_state.Status.ToString().ToLowerInvariant()}; nothing waits any more.");
            }

            if (string.IsNullOrWhiteSpace(move.BookmarkId) || _state.FindBookmark(move.BookmarkId) is not var (_, bookmark))
            {
                throw Refused(path + ".bookmarkId", StepCodes.BookmarkUnknown, $"The run does not wait on '{move.BookmarkId}' (any more).");
            }

            if (move.Comment is { Length: > 2000 } || move.ActorId is { Length: > 200 })
            {
                throw Refused(path, ErrorCodes.TooLong, "A comment is at most 2000 characters, an actor id at most 200.");
            }

            var node = plan.Node(bookmark.NodeId);
            WorkflowInput input;
            string said;
            switch (bookmark.Kind)
            {
                case BookmarkKind.Task:
                    if (string.IsNullOrWhiteSpace(move.Outcome))
                    {
                        throw Refused(path + ".outcome", ErrorCodes.Required, $"Choose an outcome: {string.Join(", ", plan.Outcomes(node.Id))}.");
                    }

                    var actor = string.IsNullOrWhiteSpace(move.ActorId) ? $"tester-{(bookmark.Slot ?? 0) + 1}" : move.ActorId.Trim();
                    var comment = string.IsNullOrWhiteSpace(move.Comment)
                        ? TaskOutcomes.NeedsComment(move.Outcome) ? "(test run)" : null
                        : move.Comment.Trim();
                    // A task with a form is decided with its response; the run has none, so it names a stand-in.
                    var form = node.Form is not null && move.Outcome != TaskOutcomes.ReturnForChanges ? "test-run-response" : null;
                    input = new CompleteTask(bookmark.Id, move.Outcome, comment, actor, form);
                    said = $"{actor} decided {move.Outcome} on '{node.Title ?? node.Id}'";
                    break;
                case BookmarkKind.Timer or BookmarkKind.Escalation or BookmarkKind.WebhookRetry:
                    if (bookmark.DueAt is { } due && due > Now)
                    {
                        Now = due;
                    }

                    input = new FireTimer(bookmark.Id);
                    said = bookmark.Kind == BookmarkKind.Escalation ? $"escalation {bookmark.Escalation + 1} of '{node.Title ?? node.Id}' fired" : $"timer at '{node.Id}' fired";
                    break;
                case BookmarkKind.Action:
                    var outcome = string.IsNullOrWhiteSpace(move.Outcome) ? DefaultOutcome(plan, node.Id) : move.Outcome;
                    var output = actionOutcomes.TryGetValue(node.Id, out var chosen) && chosen.Outcome == outcome
                        ? chosen.Output
                        : SampleOutput(plan.Actions.TryGetValue(node.Action!, out var action) ? action.OutputOf(outcome) : []);
                    input = new ActionCompleted(bookmark.Id, outcome, output);
                    said = Answered(node, outcome, output);
                    break;
                case BookmarkKind.Webhook:
                    input = move.Outcome == "failed"
                        ? new WebhookFailed(bookmark.Id, "Failed in the test run.", Retryable: false)
                        : new WebhookDelivered(bookmark.Id, 200);
                    said = move.Outcome == "failed" ? $"web hook at '{node.Id}' failed" : $"web hook at '{node.Id}' delivered";
                    break;
                default:
                    input = new RetryIncident(bookmark.Id, testerId);
                    said = $"incident at '{node.Id}' retried";
                    break;
            }

            var result = engine.Step(plan, _state, input, Now);
            if (result.Status != StepStatus.Applied)
            {
                var where = result.Code is StepCodes.OutcomeNotAllowed or StepCodes.ActorAlreadyDecided ? ".outcome"
                    : result.Code is StepCodes.CommentRequired ? ".comment" : "";
                throw Refused(path + where, result.Code ?? StepCodes.BookmarkUnknown, result.Message ?? "The run cannot take this move.");
            }

            Record(result, said, automatic: false);
            AnswerCalls();
        }

        public WorkflowTestRun Result(string? message)
        {
            var state = _state!;
            var waiting = state.OpenBookmarks.Select(open => Wait(open.Token, open.Bookmark)).ToList();
            var path = new List<string>();
            foreach (var entry in _steps.SelectMany(s => s.Timeline))
            {
                if (entry.NodeId is { } id && entry.What is HistoryKinds.NodePassed or HistoryKinds.TaskCreated or HistoryKinds.TimerScheduled
                        or HistoryKinds.ActionInvoked or HistoryKinds.WebhookCalled or HistoryKinds.IncidentRaised or HistoryKinds.JoinArrived
                    && (path.Count == 0 || path[^1] != id))
                {
                    path.Add(id);
                }
            }

            return new WorkflowTestRun(state.Status.ToString().ToLowerInvariant(), state.Outcome, message, _startedAt, _steps.ToList(), waiting, path,
                Variables(state));
        }

        /// <summary>Actions and web hooks answer at once, as the tester chose (or by default), until the run waits on something else.</summary>
        private void AnswerCalls()
        {
            while (_state!.Status == InstanceStatus.Running && _steps.Count < MaxSteps
                   && _state.OpenBookmarks.FirstOrDefault(b => b.Bookmark.Kind is BookmarkKind.Action or BookmarkKind.Webhook) is { Bookmark: { } call })
            {
                var node = plan.Node(call.NodeId);
                WorkflowInput input;
                string said;
                if (call.Kind == BookmarkKind.Action)
                {
                    var (outcome, output) = actionOutcomes.TryGetValue(node.Id, out var chosen) ? chosen : (DefaultOutcome(plan, node.Id), null);
                    input = new ActionCompleted(call.Id, outcome, output);
                    said = Answered(node, outcome, output);
                }
                else
                {
                    // As the web hook sender turns an HTTP answer into the engine's input.
                    var (status, body) = webhookAnswers.TryGetValue(node.Id, out var answer) ? answer : (200, null);
                    input = status < 300
                        ? new WebhookDelivered(call.Id, status, body)
                        : new WebhookFailed(call.Id, $"HTTP {status} (test run)", Retryable: status >= 500 || status is 408 or 429);
                    said = $"web hook at '{node.Id}' answered {status}{(body is { } b ? $" with {b.GetRawText()}" : "")}";
                }

                var result = engine.Step(plan, _state, input, Now);
                if (result.Status != StepStatus.Applied)
                {
                    return;
                }

                Record(result, said + " (simulated)", automatic: true);
            }
        }

        private static string Answered(WorkflowNode node, string outcome, JsonElement? output) =>
            $"{node.Action} answered {outcome}{(output is { } o ? $" with {o.GetRawText()}" : "")}";

        private void Record(StepResult result, string said, bool automatic)
        {
            _state = result.State!;
            _steps.Add(new WorkflowTestStep(_steps.Count + 1, said, automatic, Now, result.History, result.Effects.Select(Describe).ToList(), Variables(_state)));
        }

        private WorkflowTestWait Wait(Token token, Bookmark bookmark)
        {
            var node = plan.Node(bookmark.NodeId);
            return bookmark.Kind switch
            {
                BookmarkKind.Task => new WorkflowTestWait(bookmark.Id, "task", node.Id, node.Title, token.Task?.Assignee.ToString(), plan.Outcomes(node.Id),
                    token.Task?.DueAt, bookmark.Slot, token.Task?.Slots, null, null),
                BookmarkKind.Action => new WorkflowTestWait(bookmark.Id, "action", node.Id, node.Title, null, plan.Outcomes(node.Id), null, null, null, null, null),
                BookmarkKind.Incident => new WorkflowTestWait(bookmark.Id, "incident", node.Id, node.Title, null, [], null, null, null, bookmark.Code, bookmark.Message),
                _ => new WorkflowTestWait(bookmark.Id, bookmark.Kind switch
                {
                    BookmarkKind.Escalation => "escalation",
                    BookmarkKind.Webhook => "webhook",
                    BookmarkKind.WebhookRetry => "webhookRetry",
                    _ => "timer",
                }, node.Id, node.Title, null, [], bookmark.DueAt, null, null, null, null),
            };
        }

        private static string Variables(InstanceState state) =>
            JsonSerializer.Serialize(state.Variables.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal), WorkflowJson.Options);

        private static string Describe(WorkflowEffect effect) => effect switch
        {
            CreateTask t => $"task '{t.Title}' for {t.Assignee}{(t.Slots > 1 ? $" (approver {t.Slot + 1} of {t.Slots})" : "")}{Due(t.DueAt)} [{t.BookmarkId}]",
            ReassignTask r => $"task {r.BookmarkId} reassigned to {r.Assignee}: {r.Reason}",
            CancelTask c => $"task {c.BookmarkId} withdrawn: {c.Reason}",
            ScheduleTimer s => $"timer {s.BookmarkId} ({s.Purpose.ToString().ToLowerInvariant()}){Due(s.DueAt)}",
            CancelTimer c => $"timer {c.BookmarkId} cancelled",
            InvokeAction a => $"call {a.Action} with {a.Inputs.GetRawText()} (simulated)",
            SendNotification n => $"notify {string.Join(", ", n.Recipients.Select(Recipient))} ({n.Template}, {n.Channel}) with {n.Data.GetRawText()} (not sent)",
            CallWebhook w => $"web hook {w.Event} to endpoint {w.Endpoint} (not sent)",
            CompleteInstance c => $"finished {c.Status.ToString().ToLowerInvariant()}{(c.Outcome is null ? "" : $": {c.Outcome}")}",
            RaiseIncident i => $"incident {i.Code} at '{i.NodeId}': {i.Message}",
            ResolveIncident r => $"incident {r.BookmarkId} resolved: {r.Resolution}",
            _ => effect.GetType().Name,
        };

        private static string Due(DateTimeOffset? due) => due is { } at ? $", due {at.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}" : "";

        private static string Recipient(NotificationRecipient r) =>
            r.UserId is not null ? $"user {r.UserId}" : r.PatientId is not null ? $"patient {r.PatientId}"
            : r.LocationId is { } l ? $"role {r.Role} at location {l}" : $"role {r.Role}";

        private static EhrException Refused(string path, string code, string message) =>
            EhrException.Validation([new FieldError(path, code, message)]);
    }
}
