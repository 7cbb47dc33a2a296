using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Portal;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// The patient portal: staff invite patients and grant or revoke proxy access (<c>portal.manage</c>); a portal user
/// lists the records they may see (<c>myRecords</c>, <c>patient.read</c>, limited to their own links).
/// </summary>
internal static class PortalFields
{
    public static void AddPortalQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<PortalLinkType>>>>("portalAccess")
            .Description("Who can see a patient's record in the portal (the patient, their proxies, pending invitations), oldest first; expired and revoked too with includeInactive. Needs portal.manage.")
            .RequiresPermission(Permissions.PortalManage)
            .Argument<NonNullGraphType<IdGraphType>>("patientId")
            .Argument<BooleanGraphType>("includeInactive", a => a.DefaultValue = false)
            .ResolveAsync(async c => await c.Service<ListPortalAccess>().HandleAsync(c.Uuid("patientId"),
                c.GetArgument<bool>("includeInactive"), c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<PortalRecordType>>>>("myRecords")
            .Description("For a portal user: the records you may see now, your own first, then those you are proxy for. Empty for staff.")
            .RequiresPermission(Permissions.PatientRead)
            .ResolveAsync(async c =>
            {
                var records = await c.Service<ListMyPortalRecords>().HandleAsync(c.CancellationToken);
                if (records.Count == 0)
                {
                    return (IReadOnlyList<PortalRecord>)[];
                }

                var patients = await c.Service<GetPatient>().HandleManyAsync(records.Select(r => r.PatientId).ToList(), c.CancellationToken);
                return records.Where(r => patients.ContainsKey(r.PatientId)).Select(r => new PortalRecord(r, patients[r.PatientId])).ToList();
            });
    }

    public static void AddPortalMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<PortalLinkType>>("invitePatientToPortal")
            .Description("Invites a patient to the portal by e-mail; accepting the invitation (new or existing account) links the account to the patient's record. Needs portal.manage.")
            .RequiresPermission(Permissions.PortalManage)
            .Argument<NonNullGraphType<InvitePatientToPortalInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<InvitePatientToPortalArguments>("input");
                return await c.Service<InvitePatientToPortal>().HandleAsync(
                    new InvitePatientToPortalInput(Id(input.PatientId, "input.patientId"), input.Email), c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<PortalLinkType>>("grantProxyAccess")
            .Description("Gives a person (a portal user by id, or anyone by e-mail, who is then invited) proxy access to a patient's record, optionally until expiresAt. Applies from their next request. Needs portal.manage.")
            .RequiresPermission(Permissions.PortalManage)
            .Argument<NonNullGraphType<GrantProxyAccessInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<GrantProxyAccessArguments>("input");
                return await c.Service<GrantProxyAccess>().HandleAsync(new GrantProxyAccessInput(
                    Id(input.PatientId, "input.patientId"), Id(input.UserId, "input.userId"), input.Email, input.Relationship, input.ExpiresAt),
                    c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<PortalLinkType>>("revokeProxyAccess")
            .Description("Ends a portal access (a proxy's, or the patient's own) by its id; it stops applying on the holder's next request. Needs portal.manage.")
            .RequiresPermission(Permissions.PortalManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<RevokeProxyAccess>().HandleAsync(c.Uuid("id"), c.CancellationToken));
    }

    private static Guid? Id(string? raw, string path) =>
        raw is null ? null
        : Guid.TryParse(raw, out var id) ? id
        : throw EhrException.Validation([new FieldError(path, ErrorCodes.InvalidFormat, $"'{raw}' is not an id.")]);
}

/// <summary>A record a portal user may see, with the patient already read (and audited) by the root field.</summary>
internal sealed record PortalRecord(MyPortalRecord Link, Patient Patient);

internal sealed class PortalRecordType : ObjectGraphType<PortalRecord>
{
    public PortalRecordType()
    {
        this.ProjectsParent();
        Name = "PortalRecord";
        Description = "A record you may see in the portal and how you stand to its patient.";
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.Link.PatientId);
        Field<StringGraphType>("relationship").Description("self, parent, guardian, caregiver or other; null when not recorded (development tokens).")
            .Resolve(c => c.Source.Link.Relationship);
        Field<DateTimeOffsetGraphType>("expiresAt").Description("When a proxy's access ends; null: no end.").Resolve(c => c.Source.Link.ExpiresAt);
        Field<NonNullGraphType<PatientType>>("patient").Resolve(c => c.Source.Patient);
    }
}

internal sealed class PortalLinkType : ObjectGraphType<PortalLinkView>
{
    public PortalLinkType()
    {
        this.ProjectsParent();
        Name = "PortalLink";
        Description = "One person's access to one patient's record in the portal.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Revoke with this id.").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.PatientId);
        Field<NonNullGraphType<StringGraphType>>("relationship").Description("self, parent, guardian, caregiver or other.").Resolve(c => c.Source.Relationship);
        Field<NonNullGraphType<StringGraphType>>("status").Description("pending (invitation not accepted yet), active, expired or revoked.")
            .Resolve(c => c.Source.Status.ToString().ToLowerInvariant());
        Field<DateTimeOffsetGraphType>("expiresAt").Resolve(c => c.Source.ExpiresAt);
        Field<IdGraphType>("userId").Description("The portal user; null while pending.").Resolve(c => c.Source.UserId);
        Field<NonNullGraphType<StringGraphType>>("email").Description("The user's e-mail, or the invited one while pending.").Resolve(c => c.Source.Email);
        Field<StringGraphType>("displayName").Resolve(c => c.Source.DisplayName);
        Field<IdGraphType>("invitationId").Resolve(c => c.Source.InvitationId);
        Field<NonNullGraphType<StringGraphType>>("grantedBy").Resolve(c => c.Source.GrantedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<DateTimeOffsetGraphType>("revokedAt").Resolve(c => c.Source.RevokedAt);
    }
}

internal sealed record InvitePatientToPortalArguments(string? PatientId, string? Email);

internal sealed class InvitePatientToPortalInputType : InputObjectGraphType<InvitePatientToPortalArguments>
{
    public InvitePatientToPortalInputType()
    {
        Name = "InvitePatientToPortalInput";
        Field<IdGraphType>("patientId").Description("Required.");
        Field<StringGraphType>("email").Description("Required: the patient's own e-mail.");
    }
}

internal sealed record GrantProxyAccessArguments(string? PatientId, string? UserId, string? Email, string? Relationship, DateTimeOffset? ExpiresAt);

internal sealed class GrantProxyAccessInputType : InputObjectGraphType<GrantProxyAccessArguments>
{
    public GrantProxyAccessInputType()
    {
        Name = "GrantProxyAccessInput";
        Field<IdGraphType>("patientId").Description("Required: whose record.");
        Field<IdGraphType>("userId").Description("An existing portal user of this tenant; or give email.");
        Field<StringGraphType>("email").Description("The proxy's e-mail: a portal user with it gets the access at once, anyone else an invitation.");
        Field<StringGraphType>("relationship").Description("Required: parent, guardian, caregiver or other.");
        Field<DateTimeOffsetGraphType>("expiresAt").Description("Optional, in the future: the access ends by itself then.");
    }
}
