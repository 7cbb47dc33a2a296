using Ehr.Clinical.Patients;
using Ehr.Platform.Disclosures;
using Ehr.Platform.Identity.Roles;
using Ehr.Platform.Notifications;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

internal sealed class RoleType : ObjectGraphType<RoleDefinition>
{
    public RoleType()
    {
        Name = "Role";
        this.ProjectsParent();
        Description = "A set of permissions under a key: built-in, the tenant's standard, or one location's override.";
        Field<IdGraphType>("id").Description("Null for built-in roles.").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("key").Resolve(c => c.Source.Key);
        Field<IdGraphType>("locationId").Description("Set for a location's override of the key; null tenant-wide.").Resolve(c => c.Source.LocationId);
        Field<NonNullGraphType<StringGraphType>>("name").Resolve(c => c.Source.Name);
        Field<StringGraphType>("description").Resolve(c => c.Source.Description);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("permissions").Resolve(c => c.Source.Permissions);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Send it back as expectedVersion when changing or deleting.").Resolve(c => c.Source.Version);
        Field<NonNullGraphType<BooleanGraphType>>("builtIn").Resolve(c => c.Source.BuiltIn);
    }
}

internal sealed class RoleInputType : InputObjectGraphType<RoleInput>
{
    public RoleInputType()
    {
        Name = "RoleInput";
        Field<StringGraphType>("key").Description("Required: 3-40 lowercase letters, digits, hyphens; not a built-in key.");
        Field<StringGraphType>("name").Description("Required.");
        Field<StringGraphType>("description");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("permissions").Description("Required: permission names, e.g. patient.read.");
        Field<IdGraphType>("locationId").Description("Set to override the key at one location.");
    }
}

internal sealed class RoleChangeInputType : InputObjectGraphType<RoleChange>
{
    public RoleChangeInputType()
    {
        Name = "RoleChangeInput";
        Field<StringGraphType>("name").Description("Required.");
        Field<StringGraphType>("description");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("permissions").Description("Required: the complete new set.");
    }
}

internal sealed class NotificationType : ObjectGraphType<Notification>
{
    public NotificationType()
    {
        Name = "Notification";
        this.ProjectsParent();
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("recipientRole").Resolve(c => c.Source.RecipientRole);
        Field<NonNullGraphType<StringGraphType>>("kind").Description("For example break_glass.").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<StringGraphType>>("payload").Description("JSON.").Resolve(c => c.Source.Payload);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeOffsetGraphType>("readAt").Resolve(c => c.Source.ReadAt);
        Field<StringGraphType>("readBy").Resolve(c => c.Source.ReadBy);
    }
}

internal sealed class DisclosureType : ObjectGraphType<Disclosure>
{
    public DisclosureType()
    {
        Name = "Disclosure";
        this.ProjectsParent();
        Description = "One release of the patient's information outside the tenant.";
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("disclosedAt").Resolve(c => c.Source.DisclosedAt);
        Field<NonNullGraphType<StringGraphType>>("recipient").Resolve(c => c.Source.Recipient);
        Field<NonNullGraphType<StringGraphType>>("recipientKind").Resolve(c => c.Source.RecipientKind);
        Field<NonNullGraphType<StringGraphType>>("purposeOfUse").Resolve(c => c.Source.Purpose);
        Field<NonNullGraphType<StringGraphType>>("released").Description("What was released.").Resolve(c => c.Source.Released);
        Field<NonNullGraphType<StringGraphType>>("actorId").Resolve(c => c.Source.ActorId);
    }
}

internal sealed class BreakGlassGrantType : ObjectGraphType<BreakGlassGrant>
{
    public BreakGlassGrantType()
    {
        Name = "BreakGlassGrant";
        this.ProjectsParent();
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.PatientId);
        Field<NonNullGraphType<StringGraphType>>("reason").Resolve(c => c.Source.Reason);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("grantedAt").Resolve(c => c.Source.GrantedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("expiresAt").Resolve(c => c.Source.ExpiresAt);
    }
}

internal sealed class PatientRestrictionType : ObjectGraphType<PatientRestriction>
{
    public PatientRestrictionType()
    {
        Name = "PatientRestriction";
        this.ProjectsParent();
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.PatientId);
        Field<StringGraphType>("restriction").Resolve(c => c.Source.Restriction);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("careTeam").Resolve(c => c.Source.CareTeam);
        Field<NonNullGraphType<IntGraphType>>("version").Description("The patient's new version.").Resolve(c => c.Source.Version);
    }
}
