using Ehr.Forms.Definitions;
using Ehr.Forms.Library;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// Form definitions (FHIR Questionnaires, versioned configuration artifacts of kind <c>form</c>): read by staff
/// (<c>location.read</c>), changed with <c>form.manage</c>; the form library and the tenant's answer value sets.
/// Responses are in <see cref="FormResponseFields"/>.
/// </summary>
internal static class FormDefinitionFields
{
    public static void AddFormDefinitionQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<FormDefinitionType>>>>("formDefinitions")
            .Description("The tenant's form versions by key, tenant standard before location overrides, newest first; filter by key, status (draft, published, retired), scope and words of the title or key.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<StringGraphType>("key")
            .Argument<StringGraphType>("status")
            .Argument<IdGraphType>("locationId", "Only this location's overrides.")
            .Argument<BooleanGraphType>("tenantStandardOnly", a => a.DefaultValue = false)
            .Argument<StringGraphType>("search")
            .ResolveAsync(async c => await c.Service<ListFormDefinitions>().HandleAsync(new FormDefinitionQuery(
                c.GetArgument<string?>("key"),
                c.GetArgument<string?>("status"),
                Arguments.OptionalUuid(c.GetArgument<string?>("locationId"), "locationId"),
                c.GetArgument<bool>("tenantStandardOnly"),
                c.GetArgument<string?>("search")), c.CancellationToken));

        query.Field<FormDefinitionType>("formDefinition").Description("One form version by id; null when there is none.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<GetFormDefinition>().HandleAsync(c.Uuid("id"), c.CancellationToken));

        query.Field<FormDefinitionType>("resolveFormDefinition")
            .Description("The version of a key in force at a location: its published override, else the tenant's published standard; null when neither exists. Without locationId, the tenant standard.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<NonNullGraphType<StringGraphType>>("key")
            .Argument<IdGraphType>("locationId")
            .ResolveAsync(async c => await c.Service<GetFormDefinition>().ResolveAsync(c.GetArgument<string>("key"),
                Arguments.OptionalUuid(c.GetArgument<string?>("locationId"), "locationId"), c.CancellationToken));

        query.Field<StringGraphType>("exportFormDefinition")
            .Description("A form version as FHIR Questionnaire JSON, exactly as imported or last saved (importing it gives the same form); null when there is none.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<GetFormDefinition>().ExportAsync(c.Uuid("id"), c.CancellationToken));

        query.Field<NonNullGraphType<FormDefinitionDiffType>>("formDefinitionDiff")
            .Description("What changed from one form version to another, item by item: items added, removed and moved, and each changed property of an item or of the form.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<NonNullGraphType<IdGraphType>>("fromId")
            .Argument<NonNullGraphType<IdGraphType>>("toId")
            .ResolveAsync(async c => await c.Service<DiffFormDefinitions>().HandleAsync(c.Uuid("fromId"), c.Uuid("toId"), c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<LibraryFormType>>>>("formLibrary")
            .Description("The form library (form-definitions/) to import from: PHQ-9, GAD-7, AUDIT-C, intake, consent ...")
            .RequiresPermission(Permissions.FormManage)
            .Resolve(c => c.Service<ListLibraryForms>().Handle());

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<AnswerValueSetType>>>>("answerValueSets")
            .Description("The value sets held in the tenant that forms name in answerValueSet (by canonical URL), every version, newest first within a key.")
            .RequiresPermission(Permissions.LocationRead)
            .ResolveAsync(async c => await c.Service<ListAnswerValueSets>().HandleAsync(c.CancellationToken));
    }

    public static void AddFormDefinitionMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<FormDraftResultType>>("createFormDraft")
            .Description("Starts a form draft: blank (a title), a copy of a version (from), or an uploaded Questionnaire (content). Only unreadable JSON is refused; every other problem, and each unsupported feature by name, comes back in the report.")
            .RequiresPermission(Permissions.FormManage)
            .Argument<NonNullGraphType<FormDraftInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<ArtifactDraftArguments>("input");
                return await c.Service<CreateFormDraft>().HandleAsync(new NewFormDraft(input.Key,
                    Arguments.OptionalUuid(input.LocationId, "input.locationId"), input.Title,
                    Arguments.OptionalUuid(input.From, "input.from"), input.Content), c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<FormDraftResultType>>("editFormDraft")
            .Description("Replaces a draft's title and/or Questionnaire JSON (null keeps it). VERSION_CONFLICT unless expectedVersion is the draft's rowVersion; a published version is never edited (CONFLICT).")
            .RequiresPermission(Permissions.FormManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("title")
            .Argument<StringGraphType>("content")
            .ResolveAsync(async c => await c.Service<EditFormDraft>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("title"), c.GetArgument<string?>("content"), c.CancellationToken));

        mutation.Field<NonNullGraphType<FormDefinitionType>>("publishFormDefinition")
            .Description("Publishes a draft with a version note (at most 1000 characters). Every problem refuses it: VALIDATION_FAILED, one field per problem with its path in the content (content.item[2].enableWhen[0].question) and its linkId. Immutable from then on.")
            .RequiresPermission(Permissions.FormManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("note")
            .ResolveAsync(async c => await c.Service<PublishFormDefinition>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("note"), c.CancellationToken));

        mutation.Field<NonNullGraphType<FormDefinitionType>>("retireFormDefinition")
            .Description("Retires a published version: resolution skips it and no response starts on it; responses pinned to it keep it.")
            .RequiresPermission(Permissions.FormManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<RetireFormDefinition>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<BooleanGraphType>>("discardFormDraft")
            .Description("Deletes a draft (only drafts are ever deleted).")
            .RequiresPermission(Permissions.FormManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c =>
            {
                await c.Service<DiscardFormDraft>().HandleAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.CancellationToken);
                return true;
            });

        mutation.Field<NonNullGraphType<FormDraftResultType>>("importLibraryForm")
            .Description("Imports a library form (by file, phq-9.json, or key, phq-9) as the next version of its key, tenant-wide or as a location's override; published at once with publish: true.")
            .RequiresPermission(Permissions.FormManage)
            .Argument<NonNullGraphType<StringGraphType>>("file")
            .Argument<IdGraphType>("locationId")
            .Argument<BooleanGraphType>("publish", a => a.DefaultValue = false)
            .Argument<StringGraphType>("note")
            .ResolveAsync(async c => await c.Service<ImportLibraryForm>().HandleAsync(c.GetArgument<string>("file"),
                Arguments.OptionalUuid(c.GetArgument<string?>("locationId"), "locationId"), c.GetArgument<bool>("publish"),
                c.GetArgument<string?>("note"), c.CancellationToken));

        mutation.Field<NonNullGraphType<AnswerValueSetType>>("importAnswerValueSet")
            .Description("Holds a FHIR ValueSet (JSON) in the tenant as the next published version of its key (default: its id), so forms can name its URL in answerValueSet.")
            .RequiresPermission(Permissions.FormManage)
            .Argument<StringGraphType>("key")
            .Argument<NonNullGraphType<StringGraphType>>("content")
            .Argument<StringGraphType>("note")
            .ResolveAsync(async c => await c.Service<ImportAnswerValueSet>().HandleAsync(c.GetArgument<string?>("key"),
                c.GetArgument<string>("content"), c.GetArgument<string?>("note"), c.CancellationToken));
    }
}

internal sealed class FormDefinitionType : ObjectGraphType<Artifact>
{
    public FormDefinitionType()
    {
        Name = "FormDefinition";
        this.ProjectsParent();
        Description = "One version of a form (a FHIR Questionnaire): a draft (editable), published (immutable, in use) or retired (kept for what used it).";
        Field<NonNullGraphType<IdGraphType>>("id").Description("Responses pin this id.").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("key").Description("The form's key, e.g. phq-9; versions of a form share it.").Resolve(c => c.Source.Key);
        Field<IdGraphType>("locationId").Description("Null: the tenant's standard; else that location's override.").Resolve(c => c.Source.LocationId);
        Field<NonNullGraphType<IntGraphType>>("version").Description("1, 2, 3 ... within the key and scope.").Resolve(c => c.Source.Version);
        Field<NonNullGraphType<StringGraphType>>("status").Description("draft, published or retired.").Resolve(c => c.Source.Status);
        Field<NonNullGraphType<StringGraphType>>("title").Resolve(c => c.Source.Title);
        Field<NonNullGraphType<StringGraphType>>("content").Description("The Questionnaire JSON, as imported or last saved.").Resolve(c => c.Source.Content);
        Field<StringGraphType>("note").Description("The version note given when publishing.").Resolve(c => c.Source.Note);
        Field<NonNullGraphType<StringGraphType>>("source").Description("tenant, library:<file> or pack:<starter pack>.").Resolve(c => c.Source.Source);
        Field<NonNullGraphType<StringGraphType>>("createdBy").Resolve(c => c.Source.CreatedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<StringGraphType>("publishedBy").Resolve(c => c.Source.PublishedBy);
        Field<DateTimeOffsetGraphType>("publishedAt").Resolve(c => c.Source.PublishedAt);
        Field<StringGraphType>("retiredBy").Resolve(c => c.Source.RetiredBy);
        Field<DateTimeOffsetGraphType>("retiredAt").Resolve(c => c.Source.RetiredAt);
        Field<NonNullGraphType<IntGraphType>>("rowVersion").Description("Send it back as expectedVersion when editing, publishing, retiring or discarding.").Resolve(c => c.Source.RowVersion);
    }
}

internal sealed class FormProblemType : ObjectGraphType<FormProblem>
{
    public FormProblemType()
    {
        Name = "FormProblem";
        this.ProjectsParent();
        Description = "One problem with a form definition or a response.";
        Field<StringGraphType>("linkId").Description("The item it concerns; null for the whole form.").Resolve(c => c.Source.LinkId);
        Field<NonNullGraphType<StringGraphType>>("code").Description("A stable code, e.g. ENABLE_WHEN_UNKNOWN_QUESTION, REQUIRED, UNSUPPORTED.").Resolve(c => c.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("message").Resolve(c => c.Source.Message);
        Field<StringGraphType>("path").Description("Where in the resource, e.g. Questionnaire.item[2].enableWhen[0].question.").Resolve(c => c.Source.Path);
    }
}

internal sealed class FormDraftResultType : ObjectGraphType<FormDraftResult>
{
    public FormDraftResultType()
    {
        Name = "FormDraftResult";
        this.ProjectsParent();
        Description = "A form version after a change and its report: publishing is refused while there are problems.";
        Field<NonNullGraphType<FormDefinitionType>>("definition").Resolve(c => c.Source.Definition);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FormProblemType>>>>("problems").Resolve(c => c.Source.Problems);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("unsupportedFeatures")
            .Description("What the form uses that the engine does not implement, each named once (an extension URL, an expression language ...).")
            .Resolve(c => c.Source.UnsupportedFeatures);
    }
}

internal sealed class FormDefinitionDiffType : ObjectGraphType<FormDefinitionDiff>
{
    public FormDefinitionDiffType()
    {
        Name = "FormDefinitionDiff";
        this.ProjectsParent();
        Field<NonNullGraphType<FormDefinitionType>>("from").Resolve(c => c.Source.From);
        Field<NonNullGraphType<FormDefinitionType>>("to").Resolve(c => c.Source.To);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FormChangeType>>>>("changes")
            .Description("The form's own properties first, then items in the newer version's order, then removed items.")
            .Resolve(c => c.Source.Changes);
    }
}

internal sealed class FormChangeType : ObjectGraphType<FormChange>
{
    public FormChangeType()
    {
        Name = "FormChange";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("change").Description("added, removed, moved or changed.").Resolve(c => c.Source.Change);
        Field<StringGraphType>("linkId").Description("The item; null for a property of the form itself.").Resolve(c => c.Source.LinkId);
        Field<StringGraphType>("property").Description("For changed: the property, e.g. text, required, answerOption, enableWhen.").Resolve(c => c.Source.Property);
        Field<StringGraphType>("before").Description("Text as it is, anything else as compact JSON.").Resolve(c => c.Source.Before);
        Field<StringGraphType>("after").Resolve(c => c.Source.After);
        Field<NonNullGraphType<StringGraphType>>("description").Description("The change in a sentence.").Resolve(c => c.Source.Description);
    }
}

internal sealed class LibraryFormType : ObjectGraphType<LibraryEntry>
{
    public LibraryFormType()
    {
        Name = "LibraryForm";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("file").Resolve(c => c.Source.File);
        Field<NonNullGraphType<StringGraphType>>("key").Description("The key it imports under.").Resolve(c => c.Source.Key);
        Field<NonNullGraphType<StringGraphType>>("title").Resolve(c => c.Source.Title);
        Field<StringGraphType>("version").Description("The Questionnaire's own version.").Resolve(c => c.Source.Version);
        Field<StringGraphType>("description").Resolve(c => c.Source.Description);
        Field<NonNullGraphType<StringGraphType>>("content").Description("The Questionnaire JSON.").Resolve(c => c.Source.Content);
        Field<NonNullGraphType<BooleanGraphType>>("importable").Resolve(c => c.Source.Importable);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<FormProblemType>>>>("problems").Resolve(c => c.Source.Problems);
    }
}

internal sealed class AnswerValueSetType : ObjectGraphType<HeldValueSet>
{
    public AnswerValueSetType()
    {
        Name = "AnswerValueSet";
        this.ProjectsParent();
        Description = "A FHIR ValueSet held in the tenant, which forms name by its URL in answerValueSet.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Version.Id);
        Field<NonNullGraphType<StringGraphType>>("key").Resolve(c => c.Source.Version.Key);
        Field<NonNullGraphType<IntGraphType>>("version").Resolve(c => c.Source.Version.Version);
        Field<NonNullGraphType<StringGraphType>>("status").Description("published or retired.").Resolve(c => c.Source.Version.Status);
        Field<NonNullGraphType<StringGraphType>>("title").Resolve(c => c.Source.Version.Title);
        Field<StringGraphType>("url").Description("The canonical URL forms use.").Resolve(c => c.Source.Url);
        Field<StringGraphType>("valueSetVersion").Description("The ValueSet's own version (url|version finds it).").Resolve(c => c.Source.ValueSetVersion);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AnswerConceptType>>>>("concepts").Resolve(c => c.Source.Concepts);
        Field<NonNullGraphType<StringGraphType>>("content").Description("The ValueSet JSON.").Resolve(c => c.Source.Version.Content);
    }
}

internal sealed class AnswerConceptType : ObjectGraphType<AnswerConcept>
{
    public AnswerConceptType()
    {
        Name = "AnswerConcept";
        this.ProjectsParent();
        Field<StringGraphType>("system").Resolve(c => c.Source.System);
        Field<NonNullGraphType<StringGraphType>>("code").Resolve(c => c.Source.Code);
        Field<StringGraphType>("display").Resolve(c => c.Source.Display);
        Field<DecimalGraphType>("score").Description("Its ordinal value, when it has one.").Resolve(c => c.Source.Ordinal);
    }
}

internal sealed class FormDraftInputType : InputObjectGraphType<ArtifactDraftArguments>
{
    public FormDraftInputType()
    {
        Name = "FormDraftInput";
        Description = "A blank draft needs key and title; a copy needs from; an upload needs content (key and title default to the Questionnaire's id and title).";
        Field<StringGraphType>("key").Description("Lower-case letters, digits, '.', '_' and '-', e.g. phq-9.");
        Field<IdGraphType>("locationId").Description("Makes the draft that location's override of the key.");
        Field<StringGraphType>("title").Description("1-200 characters.");
        Field<IdGraphType>("from").Description("A version to copy (its key and title unless given).");
        Field<StringGraphType>("content").Description("A FHIR Questionnaire as JSON.");
    }
}
