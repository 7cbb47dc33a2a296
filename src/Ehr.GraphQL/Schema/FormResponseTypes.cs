using Ehr.Forms.Responses;
using Ehr.Platform.Identity;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// Form responses (QuestionnaireResponses pinned to a definition version): filled in with <c>form.respond</c> (a
/// patient on their own records only), read like the chart with <c>patient.read</c>.
/// </summary>
internal static class FormResponseFields
{
    public static void AddFormResponseQueries(this ObjectGraphType query)
    {
        query.Field<FormResponseType>("formResponse")
            .Description("A form response by id with its revisions and the definition version it answers; null when there is none (a patient sees their own records' responses). A restricted record is RESTRICTED_RECORD.")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<GetFormResponse>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        query.Field<NonNullGraphType<FormResponseConnectionType>>("formResponses")
            .Description("A patient's form responses, newest first; optionally one form (formKey) or status (in-progress, completed, amended, entered-in-error).")
            .RequiresPermission(Permissions.PatientRead)
            .Argument<NonNullGraphType<IdGraphType>>("patientId")
            .Argument<StringGraphType>("formKey")
            .Argument<StringGraphType>("status")
            .Argument<IntGraphType>("first", a => a.DefaultValue = 20)
            .Argument<StringGraphType>("after")
            .ResolveAsync(async c => await c.Service<ListFormResponses>().HandleAsync(new FormResponseQuery(
                c.Uuid("patientId"),
                c.GetArgument<string?>("formKey"),
                c.GetArgument<string?>("status"),
                c.GetArgument<int>("first"),
                c.GetArgument<string?>("after")), c.CancellationToken));
    }

    public static void AddFormResponseMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<FormResponseType>>("startFormResponse")
            .Description("Starts a response for a patient on a form (by key: the version in force at locationId; or one published version by formId), prefilled from the form's initial values; in progress. Prefill problems are in problems.")
            .RequiresPermission(Permissions.FormRespond)
            .Argument<NonNullGraphType<StartFormResponseInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<StartFormResponseArguments>("input");
                return await c.Service<StartFormResponse>().HandleAsync(new NewFormResponse(
                    Arguments.OptionalUuid(input.PatientId, "input.patientId"), input.FormKey,
                    Arguments.OptionalUuid(input.FormId, "input.formId"), Arguments.OptionalUuid(input.LocationId, "input.locationId"),
                    input.ForPatient ?? false), c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<FormResponseType>>("saveFormResponse")
            .Description("Saves an in-progress response (autosave): a QuestionnaireResponse as JSON, checked leniently and recalculated on the server; its problems come back in problems, it is stored anyway. VERSION_CONFLICT unless expectedVersion is current.")
            .RequiresPermission(Permissions.FormRespond)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<StringGraphType>>("content")
            .ResolveAsync(async c => await c.Service<SaveFormResponse>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string>("content"), c.CancellationToken));

        mutation.Field<NonNullGraphType<FormResponseType>>("completeFormResponse")
            .Description("Completes an in-progress response with the answers given (or those saved): checked strictly against its form version, scores recomputed on the server, extracted items recorded in the chart, all in one transaction; raises form.submitted. Any problem is VALIDATION_FAILED (fields with path and linkId) and nothing is stored.")
            .RequiresPermission(Permissions.FormRespond)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("content")
            .ResolveAsync(async c => await c.Service<CompleteFormResponse>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("content"), c.CancellationToken));

        mutation.Field<NonNullGraphType<FormResponseType>>("amendFormResponse")
            .Description("Amends a completed response with a reason (5-500 characters): the new answers, checked strictly, become the current revision; earlier ones are kept. Observations derived from the response are replaced (the old ones marked entered-in-error). Raises form.amended. Not for patients.")
            .RequiresPermission(Permissions.FormRespond)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<StringGraphType>>("content")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .ResolveAsync(async c => await c.Service<AmendFormResponse>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string>("content"), c.GetArgument<string>("reason"), c.CancellationToken));

        mutation.Field<NonNullGraphType<FormResponseType>>("markFormResponseEnteredInError")
            .Description("Marks a response entered-in-error with a reason (5-500 characters); it stays, marked, and the observations derived from it are marked entered-in-error too. Raises form.entered-in-error. Not for patients.")
            .RequiresPermission(Permissions.FormRespond)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<NonNullGraphType<StringGraphType>>("reason")
            .ResolveAsync(async c => await c.Service<MarkFormResponseEnteredInError>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string>("reason"), c.CancellationToken));
    }
}

internal sealed class FormResponseType : ObjectGraphType<FormResponseView>
{
    public FormResponseType()
    {
        Name = "FormResponse";
        this.ProjectsParent();
        Description = "A patient's answers to one form version (a FHIR QuestionnaireResponse): in progress, completed (immutable), amended (new revisions with reasons) or entered-in-error.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Response.Id);
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.Response.PatientId);
        Field<NonNullGraphType<IdGraphType>>("formId").Description("The exact form version answered.").Resolve(c => c.Source.Response.FormId);
        Field<NonNullGraphType<StringGraphType>>("formKey").Resolve(c => c.Source.Response.FormKey);
        Field<NonNullGraphType<FormDefinitionType>>("definition").Description("The form version answered (what a renderer shows).").Resolve(c => c.Source.Definition);
        Field<IdGraphType>("locationId").Resolve(c => c.Source.Response.LocationId);
        Field<NonNullGraphType<BooleanGraphType>>("forPatient").Description("Sent to the patient to fill in through the portal.").Resolve(c => c.Source.Response.ForPatient);
        Field<NonNullGraphType<StringGraphType>>("status").Description("in-progress, completed, amended or entered-in-error.").Resolve(c => c.Source.Response.Status);
        Field<NonNullGraphType<IntGraphType>>("revision").Description("The current revision: 1, then one more per amendment.").Resolve(c => c.Source.Response.CurrentRevision);
        Field<NonNullGraphType<StringGraphType>>("content").Description("The current revision as QuestionnaireResponse JSON, as the server computed it.").Resolve(c => c.Source.Response.Current.Content);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("flagged")
            .Description("Link ids of the current revision's flagged answers (calculated yes/no items that came out true, e.g. PHQ-9 item 9).")
            .Resolve(c => c.Source.Response.Current.Flagged);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("observationIds")
            .Description("The chart observations extracted from the current revision.").Resolve(c => c.Source.Response.Current.ObservationIds);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FormProblemType>>>>("problems")
            .Description("After a start or a save: what is still wrong or missing (stored anyway). Empty otherwise.").Resolve(c => c.Source.Problems);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FormResponseRevisionType>>>>("revisions").Description("Oldest first; the last is current.")
            .Resolve(c => c.Source.Response.Revisions.OrderBy(r => r.Revision));
        Field<NonNullGraphType<StringGraphType>>("startedBy").Resolve(c => c.Source.Response.StartedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("startedAt").Resolve(c => c.Source.Response.StartedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.Response.UpdatedAt);
        Field<StringGraphType>("completedBy").Resolve(c => c.Source.Response.CompletedBy);
        Field<DateTimeOffsetGraphType>("completedAt").Resolve(c => c.Source.Response.CompletedAt);
        Field<StringGraphType>("errorReason").Resolve(c => c.Source.Response.ErrorReason);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Send it back as expectedVersion.").Resolve(c => c.Source.Response.Version);
    }
}

internal sealed class FormResponseRevisionType : ObjectGraphType<FormResponseRevision>
{
    public FormResponseRevisionType()
    {
        Name = "FormResponseRevision";
        this.ProjectsParent();
        Field<NonNullGraphType<IntGraphType>>("revision").Description("1 is the original; later ones are amendments.").Resolve(c => c.Source.Revision);
        Field<NonNullGraphType<StringGraphType>>("content").Resolve(c => c.Source.Content);
        Field<StringGraphType>("reason").Description("Why it was amended.").Resolve(c => c.Source.Reason);
        Field<NonNullGraphType<StringGraphType>>("authorId").Resolve(c => c.Source.AuthorId);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<BooleanGraphType>>("frozen").Description("Completed answers never change.").Resolve(c => c.Source.Frozen);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("flagged").Resolve(c => c.Source.Flagged);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("observationIds").Resolve(c => c.Source.ObservationIds);
    }
}

internal sealed class FormResponseConnectionType : ObjectGraphType<FormResponsePage>
{
    public FormResponseConnectionType()
    {
        Name = "FormResponseConnection";
        this.ProjectsParent();
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FormResponseType>>>>("nodes").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => new PageInfo(c.Source.HasNextPage, c.Source.EndCursor));
    }
}

internal sealed record StartFormResponseArguments(string? PatientId, string? FormKey, string? FormId, string? LocationId, bool? ForPatient);

internal sealed class StartFormResponseInputType : InputObjectGraphType<StartFormResponseArguments>
{
    public StartFormResponseInputType()
    {
        Name = "StartFormResponseInput";
        Field<IdGraphType>("patientId").Description("Required: whose answers.");
        Field<StringGraphType>("formKey").Description("The form by key: the version in force at locationId (its override, else the tenant standard).");
        Field<IdGraphType>("formId").Description("Or one published version by id.");
        Field<IdGraphType>("locationId").Description("Where it is filled in.");
        Field<BooleanGraphType>("forPatient").Description("Send it to the patient: the patient (or a proxy) sees it in the portal while it is in progress and fills it in there. Default false.");
    }
}
