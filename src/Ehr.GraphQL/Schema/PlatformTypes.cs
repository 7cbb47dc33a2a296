using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Locations;
using Ehr.Platform.Tenancy;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

internal sealed class TenantType : ObjectGraphType<Tenant>
{
    public TenantType()
    {
        Name = "Tenant";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("slug").Resolve(c => c.Source.Slug);
        Field<NonNullGraphType<StringGraphType>>("displayName").Resolve(c => c.Source.DisplayName);
        Field<NonNullGraphType<StringGraphType>>("status").Resolve(c => c.Source.Status.ToString().ToLowerInvariant());
        Field<NonNullGraphType<StringGraphType>>("starterPack").Resolve(c => c.Source.StarterPack);
    }
}

internal sealed class ViewerType : ObjectGraphType<Actor>
{
    public ViewerType()
    {
        Name = "Viewer";
        this.ProjectsParent();
        Description = "Who the access token says you are.";
        Field<NonNullGraphType<StringGraphType>>("id").Resolve(c => c.Source.Id);
        Field<StringGraphType>("tenant").Resolve(c => c.Source.TenantSlug);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("roles").Resolve(c => c.Source.Roles);
        Field<NonNullGraphType<StringGraphType>>("purposeOfUse").Resolve(c => c.Source.Purpose);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("permissions")
            .Description("The tenant permissions your roles give you in this tenant right now (custom roles resolved).")
            .Resolve(c => c.Service<ActorContext>().GrantedPermissions().Order(StringComparer.Ordinal).ToList());
    }
}

internal sealed class LocationType : ObjectGraphType<Location>
{
    public LocationType()
    {
        Name = "Location";
        this.ProjectsParent();
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("code").Resolve(c => c.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("timezone").Resolve(c => c.Source.Timezone);
        Field<NonNullGraphType<BooleanGraphType>>("active").Resolve(c => c.Source.Active);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Send it back as expectedVersion when changing the location.").Resolve(c => c.Source.Version);
    }
}

internal sealed class AuditEntryType : ObjectGraphType<AuditRecord>
{
    public AuditEntryType()
    {
        Name = "AuditEntry";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("seq").Description("Position in the tenant's chain (a 64-bit number, as a string).")
            .Resolve(c => c.Source.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("occurredAt").Resolve(c => c.Source.OccurredAt);
        Field<NonNullGraphType<StringGraphType>>("actorId").Resolve(c => c.Source.ActorId);
        Field<NonNullGraphType<StringGraphType>>("actorRoles").Resolve(c => c.Source.ActorRoles);
        Field<NonNullGraphType<StringGraphType>>("action").Resolve(c => c.Source.Action);
        Field<NonNullGraphType<StringGraphType>>("resourceType").Resolve(c => c.Source.ResourceType);
        Field<StringGraphType>("resourceId").Resolve(c => c.Source.ResourceId);
        Field<StringGraphType>("clientAddress").Resolve(c => c.Source.ClientAddress);
        Field<NonNullGraphType<StringGraphType>>("purposeOfUse").Resolve(c => c.Source.Purpose);
        Field<NonNullGraphType<StringGraphType>>("outcome").Resolve(c => c.Source.Outcome);
        Field<StringGraphType>("details").Description("JSON.").Resolve(c => c.Source.Details);
        Field<NonNullGraphType<StringGraphType>>("hash").Description("SHA-256, hex.").Resolve(c => Convert.ToHexStringLower(c.Source.Hash));
    }
}

internal sealed record AuditEntryEdge(AuditRecord Node)
{
    public string Cursor => Node.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class AuditEntryEdgeType : ObjectGraphType<AuditEntryEdge>
{
    public AuditEntryEdgeType()
    {
        Name = "AuditEntryEdge";
        this.ProjectsParent();
        Field<NonNullGraphType<AuditEntryType>>("node").Resolve(c => c.Source.Node);
        Field<NonNullGraphType<StringGraphType>>("cursor").Resolve(c => c.Source.Cursor);
    }
}

internal sealed class AuditEntryConnectionType : ObjectGraphType<AuditLogPage>
{
    public AuditEntryConnectionType()
    {
        Name = "AuditEntryConnection";
        this.ProjectsParent();
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AuditEntryEdgeType>>>>("edges")
            .Resolve(c => c.Source.Entries.Select(e => new AuditEntryEdge(e)));
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => new PageInfo(c.Source.HasMore,
            c.Source.Entries.Count > 0 ? new AuditEntryEdge(c.Source.Entries[^1]).Cursor : null));
    }
}

internal sealed class AuditChainStatusType : ObjectGraphType<AuditVerification>
{
    public AuditChainStatusType()
    {
        Name = "AuditChainStatus";
        this.ProjectsParent();
        Field<NonNullGraphType<BooleanGraphType>>("intact").Resolve(c => c.Source.Intact);
        Field<NonNullGraphType<StringGraphType>>("entries").Resolve(c => c.Source.Entries.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field<StringGraphType>("firstBrokenSeq").Resolve(c => c.Source.FirstBrokenSeq?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field<StringGraphType>("problem").Resolve(c => c.Source.Problem);
    }
}
