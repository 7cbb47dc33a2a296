using Ehr.Forms.Intake;
using Ehr.Platform.Identity;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// Single-use intake links: staff send a patient a form to fill in without signing in (<c>form.respond</c>), list a
/// patient's links (<c>patient.read</c>) and revoke them; the tenant's default link lifetime is configuration.
/// </summary>
internal static class IntakeFields
{
    public static void AddIntakeQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<IntakeLinkType>>>>("intakeLinks")
            .Description("The intake links sent for a patient, newest first, with their status now (pending, completed, expired, revoked). Staff only; read like the chart.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("patientId")
            .ResolveAsync(async c => await c.Service<ListIntakeLinks>().HandleAsync(c.Uuid("patientId"), c.CancellationToken));

        query.Field<NonNullGraphType<IntakeSettingsType>>("intakeSettings")
            .Description("How long the tenant's intake links work unless the sender says otherwise.")
            .RequiresPermission(Permissions.LocationRead)
            .ResolveAsync(async c => await c.Service<GetIntakeSettings>().HandleAsync(c.CancellationToken));
    }

    public static void AddIntakeMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<SentIntakeLinkType>>("sendIntakeLink")
            .Description("Sends a patient a published form to fill in before a visit: starts an in-progress response pinned to the version and e-mails a single-use link to it (to the address given, else the patient's e-mail on record). The link expires after expiresInHours (1-720; default: the tenant's intakeSettings) and is used up when the response is completed. The e-mail names the practice, never the form. Staff only.")
            .RequiresPermission(Permissions.FormRespond)
            .Argument<NonNullGraphType<SendIntakeLinkInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<SendIntakeLinkArguments>("input");
                return await c.Service<SendIntakeLink>().HandleAsync(new SendIntakeLinkInput(
                    Arguments.OptionalUuid(input.PatientId, "input.patientId"), input.FormKey, Arguments.OptionalUuid(input.FormId, "input.formId"),
                    Arguments.OptionalUuid(input.LocationId, "input.locationId"), input.Email, input.ExpiresInHours), c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<IntakeLinkType>>("revokeIntakeLink")
            .Description("Revokes a pending intake link: it stops working at once (its in-progress response stays). CONFLICT when it is used, expired or revoked already. Staff only.")
            .RequiresPermission(Permissions.FormRespond)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<RevokeIntakeLink>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        mutation.Field<NonNullGraphType<IntakeSettingsType>>("changeIntakeSettings")
            .Description("Changes how long new intake links work by default (1-720 hours). VERSION_CONFLICT unless expectedVersion is current (0 while the defaults apply).")
            .RequiresPermission(Permissions.FormManage)
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<IntGraphType>>("lifetimeHours")
            .ResolveAsync(async c => await c.Service<ChangeIntakeSettings>().HandleAsync(c.GetArgument<int>("expectedVersion"),
                c.GetArgument<int>("lifetimeHours"), c.CancellationToken));
    }
}

internal sealed class IntakeLinkType : ObjectGraphType<IntakeLinkView>
{
    public IntakeLinkType()
    {
        Name = "IntakeLink";
        this.ProjectsParent();
        Description = "A single-use link to one in-progress form response, sent to a patient by e-mail. Its token is never shown again.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Link.Id);
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.Link.PatientId);
        Field<NonNullGraphType<IdGraphType>>("responseId").Description("The form response it opens.").Resolve(c => c.Source.Link.ResponseId);
        Field<NonNullGraphType<StringGraphType>>("formKey").Resolve(c => c.Source.Link.FormKey);
        Field<NonNullGraphType<StringGraphType>>("status").Description("pending, completed (used, or the response is no longer in progress), expired or revoked.").Resolve(c => c.Source.Status);
        Field<NonNullGraphType<StringGraphType>>("email").Description("Where it was sent.").Resolve(c => c.Source.Link.Email);
        Field<NonNullGraphType<StringGraphType>>("sentBy").Resolve(c => c.Source.Link.CreatedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("sentAt").Resolve(c => c.Source.Link.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("expiresAt").Resolve(c => c.Source.Link.ExpiresAt);
        Field<DateTimeOffsetGraphType>("usedAt").Resolve(c => c.Source.Link.UsedAt);
        Field<DateTimeOffsetGraphType>("revokedAt").Resolve(c => c.Source.Link.RevokedAt);
        Field<StringGraphType>("revokedBy").Resolve(c => c.Source.Link.RevokedBy);
    }
}

internal sealed class SentIntakeLinkType : ObjectGraphType<SentIntakeLink>
{
    public SentIntakeLinkType()
    {
        Name = "SentIntakeLink";
        this.ProjectsParent();
        Field<NonNullGraphType<IntakeLinkType>>("link").Resolve(c => c.Source.Link);
        Field<NonNullGraphType<FormResponseType>>("response").Description("The in-progress response the link opens.").Resolve(c => c.Source.Response);
        Field<StringGraphType>("developmentUrl")
            .Description("Development without a mail relay only (Accounts:LogInvitationLinks): the link itself, for the sender. Always null on servers: the link is a credential and goes by e-mail only.")
            .Resolve(c => c.Source.DevelopmentUrl);
    }
}

internal sealed class IntakeSettingsType : ObjectGraphType<IntakeSettings>
{
    public IntakeSettingsType()
    {
        Name = "IntakeSettings";
        this.ProjectsParent();
        Field<NonNullGraphType<IntGraphType>>("lifetimeHours").Description("How long a new link works unless its sender says otherwise (default 72).").Resolve(c => c.Source.LifetimeHours);
        Field<NonNullGraphType<IntGraphType>>("minLifetimeHours").Resolve(_ => IntakeSettings.MinLifetimeHours);
        Field<NonNullGraphType<IntGraphType>>("maxLifetimeHours").Resolve(_ => IntakeSettings.MaxLifetimeHours);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Send it back as expectedVersion (0 while the defaults apply).").Resolve(c => c.Source.Version);
    }
}

internal sealed record SendIntakeLinkArguments(string? PatientId, string? FormKey, string? FormId, string? LocationId, string? Email, int? ExpiresInHours);

internal sealed class SendIntakeLinkInputType : InputObjectGraphType<SendIntakeLinkArguments>
{
    public SendIntakeLinkInputType()
    {
        Name = "SendIntakeLinkInput";
        Field<IdGraphType>("patientId").Description("Required: whose form.");
        Field<StringGraphType>("formKey").Description("The form by key: the version in force at locationId.");
        Field<IdGraphType>("formId").Description("Or one published version by id.");
        Field<IdGraphType>("locationId").Description("Where the visit is.");
        Field<StringGraphType>("email").Description("Where to send the link; default: the patient's e-mail on record.");
        Field<IntGraphType>("expiresInHours").Description("How long the link works, 1-720 hours; default: the tenant's setting.");
    }
}
