using System.Text.Json;

namespace Ehr.Platform.Contracts;

/// <summary>
/// One call of a workflow action, as the workflow runtime makes it: the action's evaluated inputs (a JSON object
/// whose members are the descriptor's inputs), what the instance is about, and an idempotency key (the instance and
/// the bookmark that waits for the answer) the module may use to recognise a repeated call.
/// </summary>
/// <param name="IdempotencyKey"><c>&lt;instance id&gt;/&lt;bookmark id&gt;</c>: the same for every attempt of this call.</param>
public sealed record WorkflowActionCall(
    string IdempotencyKey,
    Guid InstanceId,
    string BookmarkId,
    string SubjectType,
    string SubjectId,
    Guid? LocationId,
    JsonElement Inputs);

/// <summary>How the action finished: one of its descriptor's outcomes and, optionally, an output object.</summary>
public sealed record WorkflowActionResult(string Outcome, JsonElement? Output = null);

/// <summary>
/// A module's implementation of a workflow action it describes (<see cref="Descriptor"/>, also registered as a
/// singleton for the catalog). The runtime calls it inside the transaction that records its result on the instance,
/// as the system actor (the person the workflow acts for is an input, e.g. <c>signerId</c>), so the module's change,
/// its audit entry, its events and the instance's next step commit together or not at all: a call is carried out
/// exactly once. Refuse with an <c>EhrException</c> (the instance then waits on an incident naming its code and
/// message); any other exception is a fault the runtime retries.
/// </summary>
public interface IWorkflowAction
{
    WorkflowActionDescriptor Descriptor { get; }

    Task<WorkflowActionResult> InvokeAsync(WorkflowActionCall call, CancellationToken ct);
}
