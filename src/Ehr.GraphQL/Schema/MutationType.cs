using Ehr.Clinical.Notes;
using Ehr.Clinical.Observations;
using Ehr.Clinical.Patients;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Roles;
using Ehr.Platform.Notifications;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

internal sealed class MutationType : ObjectGraphType
{
    public MutationType()
    {
        Name = "Mutation";

        Field<NonNullGraphType<PatientType>>("registerPatient").Description("Registers a patient; the system assigns the MRN.")
            .RequiresPermission(Permissions.PatientWrite)
            .Argument<NonNullGraphType<PatientInputType>>("input")
            .ResolveAsync(async c => await c.Service<RegisterPatient>().HandleAsync(c.GetArgument<PatientInput>("input"), c.CancellationToken));

        Field<NonNullGraphType<PatientType>>("updatePatient")
            .Description("Replaces a patient's demographics. Refused with VERSION_CONFLICT unless expectedVersion is the current version.")
            .RequiresPermission(Permissions.PatientWrite)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<PatientInputType>>("input")
            .ResolveAsync(async c => await c.Service<UpdatePatient>().HandleAsync(
                c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.GetArgument<PatientInput>("input"), c.CancellationToken));

        Field<NonNullGraphType<ObservationType>>("recordObservation")
            .Description("Records an observation (a vital sign, a score, a result) in a patient's chart.")
            .RequiresPermission(Permissions.ChartWrite)
            .Argument<NonNullGraphType<ObservationInputType>>("input")
            .ResolveAsync(async c => await c.Service<RecordObservation>().HandleAsync(c.GetArgument<ObservationInput>("input"), c.CancellationToken));

        Field<NonNullGraphType<ObservationType>>("markObservationEnteredInError")
            .Description("Marks an observation entered-in-error with a reason (5-500 characters); it stays in the chart as such. Refused with VERSION_CONFLICT unless expectedVersion is current.")
            .RequiresPermission(Permissions.ChartWrite)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .ResolveAsync(async c => await c.Service<MarkObservationEnteredInError>().HandleAsync(
                c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.GetArgument<string>("reason"), c.CancellationToken));

        Field<NonNullGraphType<NoteType>>("startNote").Description("Starts a draft note for a patient; its author alone edits it until it is signed.")
            .RequiresPermission(Permissions.ChartWrite)
            .Argument<NonNullGraphType<NoteInputType>>("input")
            .ResolveAsync(async c => await c.Service<StartNote>().HandleAsync(c.GetArgument<NewNote>("input"), c.CancellationToken));

        Field<NonNullGraphType<NoteType>>("editNote")
            .Description("Changes a draft note (its author only). Null title keeps the title. A free note takes narrative (required) and answers; a note from a template takes answers and freeText (null keeps each, narrative is refused): the answers are checked as a draft and the narrative rendered again.")
            .RequiresPermission(Permissions.ChartWrite)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("title")
            .Argument<StringGraphType>("narrative")
            .Argument<StringGraphType>("answers")
            .Argument<StringGraphType>("freeText")
            .ResolveAsync(async c => await c.Service<EditNote>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("title"), c.GetArgument<string?>("narrative"), c.GetArgument<string?>("answers"), c.CancellationToken,
                c.GetArgument<string?>("freeText")));

        Field<NonNullGraphType<NoteType>>("signNote").Description("Signs a draft note: its text and answers become immutable. A note from a template needs complete answers (VALIDATION_FAILED on answers.<linkId> otherwise); its scores are recomputed and its final narrative rendered. Raises note.signed.")
            .RequiresPermission(Permissions.NoteSign)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<SignNote>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.CancellationToken));

        Field<NonNullGraphType<NoteType>>("amendNote")
            .Description("Amends a signed note: a new revision with its reason (5-500 characters) becomes current; earlier ones are kept. A free note takes narrative (required); a note from a template takes answers and freeText (null keeps each), checked completely and rendered again.")
            .RequiresPermission(Permissions.NoteSign)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("narrative")
            .Argument<StringGraphType>("answers")
            .Argument<StringGraphType>("freeText")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .ResolveAsync(async c => await c.Service<AmendNote>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("narrative"), c.GetArgument<string?>("answers"), c.GetArgument<string>("reason"), c.CancellationToken,
                c.GetArgument<string?>("freeText")));

        Field<NonNullGraphType<NoteType>>("addAddendum").Description("Starts an addendum (a new draft note) to a signed note.")
            .RequiresPermission(Permissions.ChartWrite)
            .Argument<NonNullGraphType<IdGraphType>>("noteId")
            .Argument<NonNullGraphType<StringGraphType>>("narrative")
            .ResolveAsync(async c => await c.Service<AddAddendum>().HandleAsync(c.Uuid("noteId"), c.GetArgument<string>("narrative"), c.CancellationToken));

        Field<NonNullGraphType<NoteType>>("markNoteEnteredInError").Description("Marks a note entered-in-error with a reason: a draft by its author, a signed note with note.sign.")
            .RequiresPermission(Permissions.ChartWrite)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .ResolveAsync(async c => await c.Service<MarkNoteEnteredInError>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string>("reason"), c.CancellationToken));

        Field<NonNullGraphType<PatientRestrictionType>>("setPatientRestriction")
            .Description("Marks a patient restricted (vip, employee, sensitive; null lifts it) and sets the care team who may read the record. Bumps the patient's version.")
            .RequiresPermission(Permissions.PatientRestrict)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("restriction")
            .Argument<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("careTeam")
            .ResolveAsync(async c => await c.Service<RestrictPatient>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("restriction"), c.GetArgument<List<string>>("careTeam"), c.CancellationToken));

        Field<NonNullGraphType<BreakGlassGrantType>>("breakGlass")
            .Description("Emergency access to a restricted record for a limited time (default 60 minutes). The reason (10-500 characters) is audited and the tenant's auditors are notified.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("patientId")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .Argument<IntGraphType>("minutes", a => a.DefaultValue = BreakTheGlass.DefaultMinutes)
            .ResolveAsync(async c => await c.Service<BreakTheGlass>().HandleAsync(c.Uuid("patientId"), c.GetArgument<string>("reason"),
                c.GetArgument<int>("minutes"), c.CancellationToken));

        Field<NonNullGraphType<RoleType>>("defineRole")
            .Description("Defines a custom role, tenant-wide or (with locationId) as that location's override of the key.")
            .RequiresPermission(Permissions.RoleManage)
            .Argument<NonNullGraphType<RoleInputType>>("input")
            .ResolveAsync(async c => await c.Service<DefineRole>().HandleAsync(c.GetArgument<RoleInput>("input"), c.CancellationToken));

        Field<NonNullGraphType<RoleType>>("updateRole")
            .Description("Replaces a custom role's name, description and permissions; applies from the holders' next request.")
            .RequiresPermission(Permissions.RoleManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<RoleChangeInputType>>("input")
            .ResolveAsync(async c => await c.Service<UpdateRole>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<RoleChange>("input"), c.CancellationToken));

        Field<NonNullGraphType<BooleanGraphType>>("deleteRole")
            .Description("Deletes a custom role definition; its holders lose it from their next request.")
            .RequiresPermission(Permissions.RoleManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<DeleteRole>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.CancellationToken));

        Field<NonNullGraphType<NotificationType>>("markNotificationRead")
            .Description("Marks an auditors' notification read (the first reader is kept).")
            .RequiresPermission(Permissions.AuditRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<MarkNotificationRead>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        this.AddApiClientMutations();

        this.AddLocationMutations();

        this.AddAccountMutations();

        this.AddPortalMutations();

        this.AddFormDefinitionMutations();

        this.AddFormResponseMutations();
        this.AddNoteTemplateMutations();

        this.AddIntakeMutations();
        this.AddWorkflowMutations();
    }
}
