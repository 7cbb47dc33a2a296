namespace Ehr.Platform.Contracts;

/// <summary>
/// A domain event type a module raises through the outbox (<c>note.signed</c>, <c>form.submitted</c> ...), described so
/// that a workflow can start on it: the designer lists them, publishing refuses a trigger on an unknown type. Modules
/// register one singleton per type they raise.
/// </summary>
/// <param name="Type">The event type, as raised: <c>note.signed</c>.</param>
/// <param name="SubjectType">What the event is about: <c>Note</c>.</param>
/// <param name="Description">When it is raised, for the designer.</param>
/// <param name="Payload">The payload's fields a filter or expression may read (<c>event.payload.noteType</c>).</param>
public sealed record DomainEventDescriptor(
    string Type,
    string SubjectType,
    string Description,
    IReadOnlyList<WorkflowParameter> Payload);
