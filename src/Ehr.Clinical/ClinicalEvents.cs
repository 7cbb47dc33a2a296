using Ehr.Platform.Contracts;

namespace Ehr.Clinical;

/// <summary>The clinical events workflows may start on, with the payload fields their filters and expressions may read.</summary>
internal static class ClinicalEvents
{
    private static WorkflowParameter P(string name, WorkflowValueType type, string description, bool required = true) => new(name, type, required, description);

    private static readonly WorkflowParameter[] NotePayload =
    [
        P("patientId", WorkflowValueType.String, "The patient the note is about."),
        P("noteType", WorkflowValueType.String, "progress, soap, history-and-physical, procedure, telehealth, consult, discharge or other."),
        P("authorId", WorkflowValueType.String, "Who wrote the draft."),
        P("signedBy", WorkflowValueType.String, "Who signed it (null for a draft).", required: false),
        P("actorId", WorkflowValueType.String, "Who did what the event reports (for note.signed: the signer)."),
        P("actorRoles", WorkflowValueType.Array, "That person's role keys, e.g. [\"nurse-practitioner\"]: a co-signature is for notes signed by NPs and residents."),
        P("locationId", WorkflowValueType.String, "Where: the actor's location when their membership has exactly one, else the patient's home location (also the event's location).", required: false),
        P("addendumTo", WorkflowValueType.String, "The note this one is an addendum to.", required: false),
        P("templateId", WorkflowValueType.String, "The documentation template version it was started from.", required: false),
        P("revision", WorkflowValueType.Number, "The current revision (1 until amended)."),
    ];

    public static readonly DomainEventDescriptor NoteSigned = new("note.signed", "Note", "A note was signed: its text is final.", NotePayload);

    public static readonly DomainEventDescriptor NoteAmended = new("note.amended", "Note", "A signed note was amended (a new revision with a reason).", NotePayload);

    public static readonly DomainEventDescriptor NoteCosignRequested = new("note.cosign-requested", "Note", "A signed note now awaits a co-signature.",
    [
        P("patientId", WorkflowValueType.String, "The patient."),
        P("noteType", WorkflowValueType.String, "The note's type."),
        P("authorId", WorkflowValueType.String, "Who wrote it."),
        P("signedBy", WorkflowValueType.String, "Who signed it."),
    ]);

    public static readonly DomainEventDescriptor NoteCosigned = new("note.cosigned", "Note", "A note's co-signature was recorded.",
    [
        P("patientId", WorkflowValueType.String, "The patient."),
        P("noteType", WorkflowValueType.String, "The note's type."),
        P("authorId", WorkflowValueType.String, "Who wrote it."),
        P("signedBy", WorkflowValueType.String, "Who signed it."),
        P("cosignedBy", WorkflowValueType.String, "Who co-signed it."),
    ]);

    public static readonly DomainEventDescriptor PatientRegistered = new("patient.registered", "Patient",
        "A patient was registered (the event's location is their home location, when they have one).", []);

    public static readonly DomainEventDescriptor PatientFlagged = new("patient.flagged", "Patient", "A flag was put on a patient's chart.",
    [
        P("patientId", WorkflowValueType.String, "The patient."),
        P("flag", WorkflowValueType.String, "The flag's code."),
        P("flagId", WorkflowValueType.String, "The flag."),
    ]);

    public static readonly DomainEventDescriptor ObservationRecorded = new("observation.recorded", "Observation", "An observation was recorded in a chart.",
    [
        P("patientId", WorkflowValueType.String, "The patient."),
        P("system", WorkflowValueType.String, "The code system, e.g. http://loinc.org."),
        P("code", WorkflowValueType.String, "The code, e.g. 44261-6 (PHQ-9 total)."),
        P("derivedFrom", WorkflowValueType.String, "The record it was extracted from, e.g. QuestionnaireResponse/<id>.", required: false),
    ]);

    public static IEnumerable<DomainEventDescriptor> All =>
        [NoteSigned, NoteAmended, NoteCosignRequested, NoteCosigned, PatientRegistered, PatientFlagged, ObservationRecorded];
}
