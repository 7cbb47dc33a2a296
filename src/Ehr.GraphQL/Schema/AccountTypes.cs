using Ehr.GraphQL.Transport;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>The accounts part of the schema: members, invitations, the security policy and a person's own MFA.</summary>
internal static class AccountFields
{
    public static void AddAccountQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<MemberType>>>>("members")
            .Description("The people of this tenant, by e-mail. Needs user.read.")
            .RequiresPermission(Permissions.UserRead)
            .Argument<BooleanGraphType>("includeDeactivated", a => a.DefaultValue = false)
            .ResolveAsync(async c => await c.Service<ListMembers>().HandleAsync(c.GetArgument<bool>("includeDeactivated"), c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<InvitationType>>>>("invitations")
            .Description("This tenant's invitations, newest first: open ones unless includeClosed. Needs user.read.")
            .RequiresPermission(Permissions.UserRead)
            .Argument<BooleanGraphType>("includeClosed", a => a.DefaultValue = false)
            .Argument<IntGraphType>("first", a => a.DefaultValue = 50)
            .ResolveAsync(async c => await c.Service<ListInvitations>().HandleAsync(
                c.GetArgument<bool>("includeClosed"), c.GetArgument<int>("first"), c.CancellationToken));

        query.Field<NonNullGraphType<SecurityPolicyType>>("securityPolicy")
            .Description("This tenant's security policy. Needs security.manage.")
            .RequiresPermission(Permissions.SecurityManage)
            .ResolveAsync(async c => await c.Service<GetSecurityPolicy>().HandleAsync(c.CancellationToken));
    }

    public static void AddAccountMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<InvitationType>>("inviteUser")
            .Description("Invites someone by e-mail with roles and optional location restrictions; the link goes out by e-mail. Needs user.manage.")
            .RequiresPermission(Permissions.UserManage)
            .Argument<NonNullGraphType<InviteUserInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<InviteUserArguments>("input");
                return await c.Service<InviteUser>().HandleAsync(
                    new InviteUserInput(input.Email, input.Roles, Ids(input.LocationIds, "input.locationIds")), c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<AcceptedInvitationType>>("acceptInvitation")
            .Description("Accepts an invitation; needs no access token. New e-mail: give a name and a new password. Existing account: its current password.")
            .Public()
            .Argument<NonNullGraphType<AcceptInvitationInputType>>("input")
            .ResolveAsync(async c => await c.Service<AcceptInvitation>().HandleAsync(
                c.GetArgument<AcceptInvitationInput>("input"), ClientAddress(c), c.CancellationToken));

        mutation.Field<NonNullGraphType<MemberType>>("changeMemberRoles")
            .Description("Replaces a member's roles and locations (empty: every location). VERSION_CONFLICT unless expectedVersion is current. Needs user.manage.")
            .RequiresPermission(Permissions.UserManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<MemberRolesInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<MemberRolesArguments>("input");
                return await c.Service<ChangeMemberRoles>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                    new ChangeMemberRolesInput(input.Roles, Ids(input.LocationIds, "input.locationIds")), c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<MemberType>>("deactivateMember")
            .Description("Takes a member's access to this tenant away; their roles are kept for reactivation. Needs user.manage.")
            .RequiresPermission(Permissions.UserManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<DeactivateMember>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        mutation.Field<NonNullGraphType<MemberType>>("reactivateMember")
            .Description("Gives a deactivated member their access back. Needs user.manage.")
            .RequiresPermission(Permissions.UserManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<ReactivateMember>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        mutation.Field<NonNullGraphType<InvitationType>>("revokeInvitation")
            .Description("Withdraws an open invitation; its link stops working. Needs user.manage.")
            .RequiresPermission(Permissions.UserManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<RevokeInvitation>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        mutation.Field<NonNullGraphType<SecurityPolicyType>>("changeSecurityPolicy")
            .Description("Replaces the security policy. VERSION_CONFLICT unless expectedVersion is current (0 before the first change). Needs security.manage.")
            .RequiresPermission(Permissions.SecurityManage)
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<SecurityPolicyInputType>>("input")
            .ResolveAsync(async c => await c.Service<ChangeSecurityPolicy>().HandleAsync(
                c.GetArgument<int>("expectedVersion"), c.GetArgument<SecurityPolicyInput>("input"), c.CancellationToken));

        mutation.Field<NonNullGraphType<BooleanGraphType>>("changePassword")
            .Description("Changes your own password, given the current one; the new one meets your tenants' password policies.")
            .Public()
            .Argument<NonNullGraphType<ChangePasswordInputType>>("input")
            .ResolveAsync(async c =>
            {
                await c.Service<ChangePassword>().HandleAsync(SignedInAccount.UserId(c.Service<ActorContext>()),
                    c.GetArgument<ChangePasswordInput>("input"), ClientAddress(c), c.CancellationToken);
                return true;
            });

        mutation.Field<NonNullGraphType<TotpEnrolmentType>>("beginTotpEnrolment")
            .Description("Starts two-step sign-in with an authenticator app for your own account; confirm with a code to turn it on.")
            .Public()
            .ResolveAsync(async c => await c.Service<BeginTotpEnrolment>().HandleAsync(
                SignedInAccount.UserId(c.Service<ActorContext>()), ClientAddress(c), c.CancellationToken));

        mutation.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("confirmTotpEnrolment")
            .Description("Turns two-step sign-in on with a code from the app; returns ten one-time recovery codes, shown only now.")
            .Public()
            .Argument<NonNullGraphType<StringGraphType>>("code")
            .ResolveAsync(async c => await c.Service<ConfirmTotpEnrolment>().HandleAsync(
                SignedInAccount.UserId(c.Service<ActorContext>()), c.GetArgument<string>("code"), ClientAddress(c), c.CancellationToken));

        mutation.Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("regenerateRecoveryCodes")
            .Description("Replaces all your recovery codes with ten new ones, given a current code from the app.")
            .Public()
            .Argument<NonNullGraphType<StringGraphType>>("code")
            .ResolveAsync(async c => await c.Service<RegenerateRecoveryCodes>().HandleAsync(
                SignedInAccount.UserId(c.Service<ActorContext>()), c.GetArgument<string>("code"), ClientAddress(c), c.CancellationToken));
    }

    private static string? ClientAddress(IResolveFieldContext c) => (c.UserContext as EhrUserContext)?.ClientAddress;

    /// <summary>ID strings as UUIDs; anything else is <c>VALIDATION_FAILED</c> naming the list entry.</summary>
    private static List<Guid>? Ids(IReadOnlyList<string>? raw, string path)
    {
        if (raw is null)
        {
            return null;
        }

        var errors = new List<FieldError>();
        var ids = new List<Guid>(raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            if (Guid.TryParse(raw[i], out var id))
            {
                ids.Add(id);
            }
            else
            {
                errors.Add(new FieldError($"{path}[{i}]", ErrorCodes.InvalidFormat, $"'{raw[i]}' is not an id."));
            }
        }

        return errors.Count == 0 ? ids : throw EhrException.Validation(errors);
    }
}

internal sealed class MemberType : ObjectGraphType<MemberView>
{
    public MemberType()
    {
        this.ProjectsParent();
        Name = "Member";
        Description = "A person's membership of this tenant.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The membership's id.").Resolve(c => c.Source.MembershipId);
        Field<NonNullGraphType<IdGraphType>>("userId").Resolve(c => c.Source.UserId);
        Field<NonNullGraphType<StringGraphType>>("email").Resolve(c => c.Source.Email);
        Field<NonNullGraphType<StringGraphType>>("displayName").Resolve(c => c.Source.DisplayName);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("roles").Resolve(c => c.Source.Roles);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("locationIds")
            .Description("Empty: every location of the tenant.").Resolve(c => c.Source.LocationIds);
        Field<NonNullGraphType<StringGraphType>>("status").Description("active or deactivated.")
            .Resolve(c => c.Source.Status.ToString().ToLowerInvariant());
        Field<NonNullGraphType<BooleanGraphType>>("mfaEnabled").Resolve(c => c.Source.MfaEnabled);
        Field<DateTimeOffsetGraphType>("lockedUntil").Description("Set while the account is locked after failed sign-ins.")
            .Resolve(c => c.Source.LockedUntil);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Send it back as expectedVersion when changing roles.").Resolve(c => c.Source.Version);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
    }
}

internal sealed class InvitationType : ObjectGraphType<InvitationView>
{
    public InvitationType()
    {
        this.ProjectsParent();
        Name = "Invitation";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("email").Resolve(c => c.Source.Email);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("roles").Resolve(c => c.Source.Roles);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("locationIds").Resolve(c => c.Source.LocationIds);
        Field<NonNullGraphType<StringGraphType>>("invitedBy").Resolve(c => c.Source.InvitedBy);
        Field<NonNullGraphType<StringGraphType>>("status").Description("open, accepted, revoked or expired.")
            .Resolve(c => c.Source.Status.ToString().ToLowerInvariant());
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("expiresAt").Resolve(c => c.Source.ExpiresAt);
    }
}

internal sealed class SecurityPolicyType : ObjectGraphType<TenantSecurityPolicy>
{
    public SecurityPolicyType()
    {
        this.ProjectsParent();
        Name = "SecurityPolicy";
        Field<NonNullGraphType<IntGraphType>>("accessTokenMinutes").Resolve(c => c.Source.AccessTokenMinutes);
        Field<NonNullGraphType<IntGraphType>>("idleTimeoutMinutes").Description("Automatic log-off after this long without use.")
            .Resolve(c => c.Source.IdleTimeoutMinutes);
        Field<NonNullGraphType<IntGraphType>>("sessionMaxHours").Description("Sign in again after this long whatever happens.")
            .Resolve(c => c.Source.SessionMaxHours);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("mfaRequiredRoles").Resolve(c => c.Source.MfaRequiredRoles);
        Field<NonNullGraphType<IntGraphType>>("passwordMinLength").Resolve(c => c.Source.PasswordMinLength);
        Field<NonNullGraphType<IntGraphType>>("version").Description("0 until the first change; send it back as expectedVersion.")
            .Resolve(c => c.Source.Version);
        Field<DateTimeOffsetGraphType>("updatedAt").Resolve(c => c.Source.Version == 0 ? null : c.Source.UpdatedAt);
    }
}

internal sealed class AcceptedInvitationType : ObjectGraphType<AcceptedInvitation>
{
    public AcceptedInvitationType()
    {
        this.ProjectsParent();
        Name = "AcceptedInvitation";
        Field<NonNullGraphType<StringGraphType>>("tenant").Description("The tenant's slug: sign in to it next.").Resolve(c => c.Source.Tenant.Slug);
        Field<NonNullGraphType<StringGraphType>>("email").Resolve(c => c.Source.User.Email);
        Field<NonNullGraphType<StringGraphType>>("displayName").Resolve(c => c.Source.User.DisplayName);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("roles").Resolve(c => c.Source.Membership.Roles);
        Field<NonNullGraphType<BooleanGraphType>>("newAccount").Resolve(c => c.Source.NewAccount);
    }
}

internal sealed class TotpEnrolmentType : ObjectGraphType<TotpEnrolment>
{
    public TotpEnrolmentType()
    {
        this.ProjectsParent();
        Name = "TotpEnrolment";
        Field<NonNullGraphType<StringGraphType>>("secret").Description("Base32, for typing into the app.").Resolve(c => c.Source.Secret);
        Field<NonNullGraphType<StringGraphType>>("uri").Description("otpauth:// URI, for a QR code.").Resolve(c => c.Source.Uri);
    }
}

internal sealed record InviteUserArguments(string? Email, IReadOnlyList<string>? Roles, IReadOnlyList<string>? LocationIds);

internal sealed class InviteUserInputType : InputObjectGraphType<InviteUserArguments>
{
    public InviteUserInputType()
    {
        Name = "InviteUserInput";
        Field<StringGraphType>("email").Description("Required.");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("roles").Description("Required: at least one known role.");
        Field<ListGraphType<NonNullGraphType<IdGraphType>>>("locationIds").Description("Locations the member is restricted to; empty or absent: all.");
    }
}

internal sealed record MemberRolesArguments(IReadOnlyList<string>? Roles, IReadOnlyList<string>? LocationIds);

internal sealed class MemberRolesInputType : InputObjectGraphType<MemberRolesArguments>
{
    public MemberRolesInputType()
    {
        Name = "MemberRolesInput";
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("roles").Description("Required: at least one known role.");
        Field<ListGraphType<NonNullGraphType<IdGraphType>>>("locationIds").Description("Empty or absent: every location.");
    }
}

internal sealed class AcceptInvitationInputType : InputObjectGraphType<AcceptInvitationInput>
{
    public AcceptInvitationInputType()
    {
        Name = "AcceptInvitationInput";
        Field<StringGraphType>("token").Description("Required: from the invitation link.");
        Field<StringGraphType>("displayName").Description("Required for a new account.");
        Field<StringGraphType>("password").Description("A new password for a new account; the current one for an existing account.");
    }
}

internal sealed class ChangePasswordInputType : InputObjectGraphType<ChangePasswordInput>
{
    public ChangePasswordInputType()
    {
        Name = "ChangePasswordInput";
        Field<StringGraphType>("currentPassword").Description("Required.");
        Field<StringGraphType>("newPassword").Description("Required: at least 12 characters (or your tenants' minimum), not a common password.");
    }
}

internal sealed class SecurityPolicyInputType : InputObjectGraphType<SecurityPolicyInput>
{
    public SecurityPolicyInputType()
    {
        Name = "SecurityPolicyInput";
        Description = "Every field is required; out-of-range values come back as VALIDATION_FAILED with their path.";
        Field<IntGraphType>("accessTokenMinutes").Description("5 to 60.");
        Field<IntGraphType>("idleTimeoutMinutes").Description("5 to 240.");
        Field<IntGraphType>("sessionMaxHours").Description("1 to 24.");
        Field<ListGraphType<NonNullGraphType<StringGraphType>>>("mfaRequiredRoles").Description("Roles that must use two-step sign-in.");
        Field<IntGraphType>("passwordMinLength").Description("12 to 128.");
    }
}
