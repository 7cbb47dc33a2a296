using Ehr.Platform.Contracts;

namespace Ehr.Forms.Responses;

/// <summary>The response events workflows may start on, as <see cref="FormResponseChanges.RaiseAsync"/> raises them.</summary>
internal static class FormEvents
{
    private static readonly WorkflowParameter[] Payload =
    [
        new("responseId", WorkflowValueType.String, true, "The response's id."),
        new("formKey", WorkflowValueType.String, true, "The form's key, e.g. phq-9 or patient-intake."),
        new("formId", WorkflowValueType.String, true, "The exact form definition version answered."),
        new("formVersion", WorkflowValueType.Number, true, "That version's number."),
        new("patientId", WorkflowValueType.String, true, "The patient it is about."),
        new("locationId", WorkflowValueType.String, false, "Where it was filled in, when known (also the event's location)."),
        new("revision", WorkflowValueType.Number, true, "The current revision (1 until amended)."),
        new("status", WorkflowValueType.String, true, "completed or amended."),
        new("flagged", WorkflowValueType.Array, true, "Link ids of the form's flag items that came back set, e.g. phq9-suicide-flag (PHQ-9 item 9 above zero)."),
        new("observationIds", WorkflowValueType.Array, true, "Chart observations extracted from the answers."),
    ];

    public static readonly DomainEventDescriptor Submitted = new("form.submitted", "FormResponse",
        "A form response was completed (checked, scored and extracted into the chart).", Payload);

    public static readonly DomainEventDescriptor Amended = new("form.amended", "FormResponse",
        "A completed form response was amended (a new revision with its reason).", Payload);
}
