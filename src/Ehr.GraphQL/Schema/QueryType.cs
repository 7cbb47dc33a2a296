using System.Globalization;
using Ehr.Clinical.Notes;
using Ehr.Clinical.Observations;
using Ehr.Clinical.Patients;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Disclosures;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Roles;
using Ehr.Platform.Locations;
using Ehr.Platform.Notifications;
using Ehr.Platform.Tenancy;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

internal sealed class QueryType : ObjectGraphType
{
    public QueryType()
    {
        Name = "Query";

        Field<NonNullGraphType<ViewerType>>("viewer").Description("The caller, as the access token describes them.")
            .Public()
            .Resolve(c => c.Service<ActorContext>().Current);

        Field<NonNullGraphType<TenantType>>("tenant").Description("The tenant this request is for.")
            .RequiresPermission(Permissions.LocationRead)
            .Resolve(c => c.Service<GetCurrentTenant>().Handle());

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LocationType>>>>("locations")
            .RequiresPermission(Permissions.LocationRead)
            .ResolveAsync(async c => await c.Service<LocationDirectory>().ListAsync(c.CancellationToken));

        Field<PatientType>("patient")
            .Description("A patient by id; null when this tenant has none with that id (or, for the patient role, when it is not yours). A restricted record you may not read is the error RESTRICTED_RECORD.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<GetPatient>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        Field<NonNullGraphType<PatientConnectionType>>("patients")
            .Description("Search by name (prefix and typo-tolerant), birth date, MRN or phone; criteria combine with AND.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<StringGraphType>("name")
            .Argument<StringGraphType>("birthDate", "YYYY-MM-DD.")
            .Argument<StringGraphType>("mrn")
            .Argument<StringGraphType>("phone")
            .Argument<BooleanGraphType>("includeInactive", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 20)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c => await c.Service<SearchPatients>().HandleAsync(new PatientSearch(
                c.GetArgument<string?>("name"),
                c.GetArgument<string?>("birthDate"),
                c.GetArgument<string?>("mrn"),
                c.GetArgument<string?>("phone"),
                c.GetArgument<bool>("includeInactive"),
                c.GetArgument<int>("first"),
                c.GetArgument<string?>("after")), c.CancellationToken));

        Field<NonNullGraphType<ObservationConnectionType>>("observations")
            .Description("A patient's observations, newest first; with codeSystem and code, one code's trend. Entered-in-error ones only on request.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("patientId")
            .Argument<StringGraphType>("codeSystem")
            .Argument<StringGraphType>("code")
            .Argument<BooleanGraphType>("includeEnteredInError", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c => await c.Service<ListObservations>().HandleAsync(new ObservationQuery(
                c.Uuid("patientId"),
                c.GetArgument<string?>("codeSystem"),
                c.GetArgument<string?>("code"),
                c.GetArgument<bool>("includeEnteredInError"),
                c.GetArgument<int>("first"),
                c.GetArgument<string?>("after")), c.CancellationToken));

        Field<NoteType>("note").Description("A note by id with its revisions; null when there is none (a patient sees only their own signed notes).")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<GetNote>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        Field<NonNullGraphType<NoteConnectionType>>("notes").Description("A patient's notes, newest first.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("patientId")
            .Argument<IntGraphType>("first", a => a.DefaultValue = 20)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c => await c.Service<ListNotes>().HandleAsync(c.Uuid("patientId"), c.GetArgument<int>("first"),
                c.GetArgument<string?>("after"), c.CancellationToken));

        Field<NonNullGraphType<AuditEntryConnectionType>>("auditLog").Description("The tenant's audit log, newest first.")
            .RequiresPermission(Permissions.AuditRead)
            .Argument<StringGraphType>("actorId")
            .Argument<StringGraphType>("action")
            .Argument<StringGraphType>("resourceType")
            .Argument<StringGraphType>("resourceId")
            .Argument<DateTimeOffsetGraphType>("from")
            .Argument<DateTimeOffsetGraphType>("to")
            .Argument<IntGraphType>("first", a => a.DefaultValue = 50)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c =>
            {
                var after = c.GetArgument<string?>("after");
                long? before = null;
                if (after is not null)
                {
                    before = long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0
                        ? seq
                        : throw EhrException.Validation([new FieldError("after", ErrorCodes.InvalidFormat, "Not an audit log cursor.")]);
                }

                return await c.Service<AuditLog>().SearchAsync(new AuditLogFilter(
                    c.GetArgument<string?>("actorId"),
                    c.GetArgument<string?>("action"),
                    c.GetArgument<string?>("resourceType"),
                    c.GetArgument<string?>("resourceId"),
                    c.GetArgument<DateTimeOffset?>("from"),
                    c.GetArgument<DateTimeOffset?>("to")), c.GetArgument<int>("first"), before, c.CancellationToken);
            });

        Field<NonNullGraphType<AuditChainStatusType>>("auditChainStatus")
            .Description("Walks the whole audit chain now and reports whether it is intact.")
            .RequiresPermission(Permissions.AuditRead)
            .ResolveAsync(async c => await c.Service<AuditVerifier>().VerifyAsync(c.CancellationToken));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<RoleType>>>>("roles")
            .Description("The built-in roles, then the tenant's custom roles (tenant-wide and location overrides).")
            .RequiresPermission(Permissions.RoleManage)
            .ResolveAsync(async c => await c.Service<ListRoles>().HandleAsync(c.CancellationToken));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NotificationType>>>>("notifications")
            .Description("Notifications for the tenant's auditors (break-the-glass alerts), newest first.")
            .RequiresPermission(Permissions.AuditRead)
            .Argument<BooleanGraphType>("unreadOnly", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 50)
            .ResolveAsync(async c => await c.Service<ListNotifications>().HandleAsync(
                c.GetArgument<bool>("unreadOnly"), c.GetArgument<int>("first"), c.CancellationToken));

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<DisclosureType>>>>("disclosureReport")
            .Description("A patient's accounting of disclosures (releases outside the tenant) in [from, to), oldest first.")
            .RequiresPermission(Permissions.DisclosureRead)
            .Argument<NonNullGraphType<IdGraphType>>("patientId")
            .Argument<DateTimeOffsetGraphType>("from")
            .Argument<DateTimeOffsetGraphType>("to")
            .ResolveAsync(async c => await c.Service<DisclosureReport>().HandleAsync(c.Uuid("patientId"),
                c.GetArgument<DateTimeOffset?>("from"), c.GetArgument<DateTimeOffset?>("to"), c.CancellationToken));

        this.AddApiClientQueries();

        this.AddAccountQueries();

        this.AddPortalQueries();

        this.AddFormDefinitionQueries();

        this.AddFormResponseQueries();
        this.AddNoteTemplateQueries();

        this.AddIntakeQueries();
        this.AddWorkflowQueries();
    }
}
