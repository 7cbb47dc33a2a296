using System.Globalization;
using Ehr.Clinical.Patients;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
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
            .Resolve(c => c.Service<ActorContext>().Current);

        Field<NonNullGraphType<TenantType>>("tenant").Description("The tenant this request is for.")
            .Resolve(c =>
            {
                c.Service<ActorContext>().Demand(Permissions.LocationRead);
                return c.Service<TenantContext>().Required;
            });

        Field<NonNullGraphType<ListGraphType<NonNullGraphType<LocationType>>>>("locations")
            .ResolveAsync(async c => await c.Service<LocationDirectory>().ListAsync(c.CancellationToken));

        Field<PatientType>("patient").Description("A patient by id; null when this tenant has none with that id.")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<GetPatient>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        Field<NonNullGraphType<PatientConnectionType>>("patients")
            .Description("Search by name (prefix and typo-tolerant), birth date, MRN or phone; criteria combine with AND.")
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

        Field<NonNullGraphType<AuditEntryConnectionType>>("auditLog").Description("The tenant's audit log, newest first.")
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
            .ResolveAsync(async c => await c.Service<AuditVerifier>().VerifyAsync(c.CancellationToken));

        this.AddAccountQueries();
    }
}
