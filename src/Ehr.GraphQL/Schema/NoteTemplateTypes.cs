using Ehr.Clinical.Notes;
using Ehr.Forms.Templates;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using GraphQL;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// Documentation templates (the <c>note-template</c> artifacts of the forms module): reading them (<c>location.read</c>),
/// managing them (<c>template.manage</c>), previewing a draft, and starting a note from one (<c>chart.write</c>).
/// </summary>
internal static class NoteTemplateFields
{
    public static void AddNoteTemplateQueries(this ObjectGraphType query)
    {
        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<NoteTemplateType>>>>("noteTemplates")
            .Description("The note templates in force at a location (its published override of each key, else the tenant's published standard); without locationId, the tenant's standards. By key.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<IdGraphType>("locationId")
            .ResolveAsync(async c => await c.Service<ReadNoteTemplates>().InForceAsync(OptionalUuid(c, "locationId"), c.CancellationToken));

        query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<NoteTemplateType>>>>("noteTemplateVersions")
            .Description("Every version (drafts, published, retired) of one key, or of every key: tenant standard first, then each location's overrides, newest first.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<StringGraphType>("key")
            .ResolveAsync(async c => await c.Service<ReadNoteTemplates>().VersionsAsync(c.GetArgument<string?>("key"), c.CancellationToken));

        query.Field<NoteTemplateType>("noteTemplate").Description("One note template version by id (retired ones too: notes keep pointing at them); null when there is none.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .ResolveAsync(async c => await c.Service<ReadNoteTemplates>().GetAsync(c.Uuid("id"), c.CancellationToken));

        query.Field<NoteTemplateType>("resolveNoteTemplate")
            .Description("The version of a key in force at a location: its published override, else the tenant's published standard; null when neither exists.")
            .RequiresPermission(Permissions.LocationRead)
            .Argument<NonNullGraphType<StringGraphType>>("key")
            .Argument<IdGraphType>("locationId")
            .ResolveAsync(async c => await c.Service<ReadNoteTemplates>().ResolveAsync(c.GetArgument<string>("key"), OptionalUuid(c, "locationId"), c.CancellationToken));

        query.Field<NonNullGraphType<NoteTemplatePreviewType>>("previewNoteTemplate")
            .Description("Renders a template's content (saved or not; checked as for publishing) with sample answers (a QuestionnaireResponse), or with what prefill gives for a fictional sample patient when answers is null. Stores nothing.")
            .RequiresPermission(Permissions.TemplateManage)
            .Argument<NonNullGraphType<StringGraphType>>("content")
            .Argument<StringGraphType>("answers")
            .Resolve(c => c.Service<PreviewNoteTemplate>().Handle(c.GetArgument<string>("content"), c.GetArgument<string?>("answers")));
    }

    public static void AddNoteTemplateMutations(this ObjectGraphType mutation)
    {
        mutation.Field<NonNullGraphType<NoteTemplateType>>("createNoteTemplateDraft")
            .Description("Starts a draft: a new key, the next version of a key, or (with locationId) a location's override; with from, a copy of that version. One draft per key and scope.")
            .RequiresPermission(Permissions.TemplateManage)
            .Argument<NonNullGraphType<NoteTemplateDraftInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<ArtifactDraftArguments>("input");
                return await c.Service<ChangeNoteTemplates>().CreateDraftAsync(new NewNoteTemplateDraft(input.Key,
                    Id(input.LocationId, "input.locationId"), input.Title, input.Content, Id(input.From, "input.from")), c.CancellationToken);
            });

        mutation.Field<NonNullGraphType<NoteTemplateType>>("editNoteTemplate")
            .Description("Changes a draft's title and content (null keeps each); the content is checked as a draft. VERSION_CONFLICT unless expectedVersion is its rowVersion.")
            .RequiresPermission(Permissions.TemplateManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("title")
            .Argument<StringGraphType>("content")
            .ResolveAsync(async c => await c.Service<ChangeNoteTemplates>().EditAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("title"), c.GetArgument<string?>("content"), c.CancellationToken));

        mutation.Field<NonNullGraphType<NoteTemplateType>>("publishNoteTemplate")
            .Description("Publishes a draft after checking it completely (questionnaire, narrative and its link ids, note type); from then on it never changes.")
            .RequiresPermission(Permissions.TemplateManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .Argument<StringGraphType>("note", "What changed, for the version history (at most 1000 characters).")
            .ResolveAsync(async c => await c.Service<ChangeNoteTemplates>().PublishAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"),
                c.GetArgument<string?>("note"), c.CancellationToken));

        mutation.Field<NonNullGraphType<NoteTemplateType>>("retireNoteTemplate")
            .Description("Takes a published version out of resolution; notes started from it keep it.")
            .RequiresPermission(Permissions.TemplateManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<ChangeNoteTemplates>().RetireAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<BooleanGraphType>>("discardNoteTemplateDraft")
            .Description("Deletes a draft (only drafts can be deleted).")
            .RequiresPermission(Permissions.TemplateManage)
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<IntGraphType>>("expectedVersion")
            .ResolveAsync(async c => await c.Service<ChangeNoteTemplates>().DiscardAsync(c.Uuid("id"), c.GetArgument<int>("expectedVersion"), c.CancellationToken));

        mutation.Field<NonNullGraphType<NoteType>>("startNoteFromTemplate")
            .Description("Starts a draft note from a template: resolved at locationId (else your one location, else the patient's home location, else the tenant's standard), its version pinned on the note, the answers prefilled from the chart and the narrative rendered. A restricted record needs break the glass first.")
            .RequiresPermission(Permissions.ChartWrite)
            .Argument<NonNullGraphType<NoteFromTemplateInputType>>("input")
            .ResolveAsync(async c =>
            {
                var input = c.GetArgument<NoteFromTemplateArguments>("input");
                return await c.Service<StartNoteFromTemplate>().HandleAsync(new NewNoteFromTemplate(Id(input.PatientId, "input.patientId"),
                    input.TemplateKey, Id(input.LocationId, "input.locationId"), input.Title), c.CancellationToken);
            });
    }

    private static Guid? OptionalUuid(IResolveFieldContext context, string name) => Id(context.GetArgument<string?>(name), name);

    private static Guid? Id(string? raw, string path) =>
        raw is null ? null
        : Guid.TryParse(raw, out var id) ? id
        : throw EhrException.Validation([new FieldError(path, ErrorCodes.InvalidFormat, $"'{raw}' is not an id.")]);
}

internal sealed class NoteTemplateType : ObjectGraphType<NoteTemplateVersion>
{
    public NoteTemplateType()
    {
        Name = "NoteTemplate";
        this.ProjectsParent();
        Description = "One version of a documentation template: a Questionnaire, a Liquid narrative rendered from its answers, and a note type. The content's parts read as null where a draft lacks them.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("This version's id: what a note pins.").Resolve(c => c.Source.Artifact.Id);
        Field<NonNullGraphType<StringGraphType>>("key").Resolve(c => c.Source.Artifact.Key);
        Field<IdGraphType>("locationId").Description("Null: the tenant's standard; else that location's override.").Resolve(c => c.Source.Artifact.LocationId);
        Field<NonNullGraphType<IntGraphType>>("version").Description("1, 2, ... within the key and scope.").Resolve(c => c.Source.Artifact.Version);
        Field<NonNullGraphType<StringGraphType>>("status").Description("draft, published or retired.").Resolve(c => c.Source.Artifact.Status);
        Field<NonNullGraphType<StringGraphType>>("title").Description("A note's default title.").Resolve(c => c.Source.Artifact.Title);
        Field<StringGraphType>("noteType").Description("progress, soap, history-and-physical, procedure, telehealth, consult, discharge or other.").Resolve(c => c.Source.NoteType);
        Field<StringGraphType>("description").Resolve(c => c.Source.Description);
        Field<StringGraphType>("codeSystem").Description("The note's document type code system (LOINC where one exists).").Resolve(c => c.Source.CodeSystem);
        Field<StringGraphType>("code").Description("The note's document type code, e.g. 11506-3 (Progress note).").Resolve(c => c.Source.Code);
        Field<StringGraphType>("codeDisplay").Resolve(c => c.Source.CodeDisplay);
        Field<StringGraphType>("questionnaire").Description("The FHIR R4 Questionnaire (JSON).").Resolve(c => c.Source.Questionnaire);
        Field<StringGraphType>("narrative").Description("The Liquid source of the note's text.").Resolve(c => c.Source.Narrative);
        Field<NonNullGraphType<StringGraphType>>("content").Description("The whole content (JSON) exactly as saved.").Resolve(c => c.Source.Artifact.Content);
        Field<StringGraphType>("versionNote").Description("What changed, as given when publishing.").Resolve(c => c.Source.Artifact.Note);
        Field<NonNullGraphType<StringGraphType>>("source").Description("tenant, or pack:<name> for a starter pack's.").Resolve(c => c.Source.Artifact.Source);
        Field<NonNullGraphType<StringGraphType>>("createdBy").Resolve(c => c.Source.Artifact.CreatedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.Artifact.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.Artifact.UpdatedAt);
        Field<StringGraphType>("publishedBy").Resolve(c => c.Source.Artifact.PublishedBy);
        Field<DateTimeOffsetGraphType>("publishedAt").Resolve(c => c.Source.Artifact.PublishedAt);
        Field<StringGraphType>("retiredBy").Resolve(c => c.Source.Artifact.RetiredBy);
        Field<DateTimeOffsetGraphType>("retiredAt").Resolve(c => c.Source.Artifact.RetiredAt);
        Field<NonNullGraphType<IntGraphType>>("rowVersion").Description("Send it back as expectedVersion.").Resolve(c => c.Source.Artifact.RowVersion);
    }
}

internal sealed class NoteTemplatePreviewType : ObjectGraphType<NoteTemplatePreview>
{
    public NoteTemplatePreviewType()
    {
        Name = "NoteTemplatePreview";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("narrative").Description("The rendered text (plain text: show it as text, never as HTML).").Resolve(c => c.Source.Narrative);
        Field<NonNullGraphType<StringGraphType>>("answers").Description("The answers it was rendered from, as the server processed them (QuestionnaireResponse JSON).").Resolve(c => c.Source.Answers);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<AnswerProblemType>>>>("answerProblems")
            .Description("What is wrong with the sample answers (path answers.<linkId>), checked as a draft's.").Resolve(c => c.Source.AnswerProblems);
    }
}

internal sealed class AnswerProblemType : ObjectGraphType<FieldError>
{
    public AnswerProblemType()
    {
        Name = "AnswerProblem";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("path").Description("answers.<linkId>, or answers for the whole response.").Resolve(c => c.Source.Path);
        Field<NonNullGraphType<StringGraphType>>("code").Description("A stable code, e.g. REQUIRED, ANSWER_NOT_IN_OPTIONS.").Resolve(c => c.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("message").Resolve(c => c.Source.Message);
    }
}

internal sealed class NoteTemplateDraftInputType : InputObjectGraphType<ArtifactDraftArguments>
{
    public NoteTemplateDraftInputType()
    {
        Name = "NoteTemplateDraftInput";
        Field<StringGraphType>("key").Description("Required unless from is given: lower-case letters, digits, '.', '_' and '-', e.g. soap-progress-note.");
        Field<IdGraphType>("locationId").Description("A location's override; null for the tenant's standard.");
        Field<StringGraphType>("title").Description("Required unless from is given: the notes' default title.");
        Field<StringGraphType>("content").Description("JSON: { noteType, code?, description?, questionnaire, narrative }.");
        Field<IdGraphType>("from").Description("A version to copy (title and content given here replace the copy's).");
    }
}

internal sealed class NoteFromTemplateArguments
{
    public string? PatientId { get; set; }

    public string? TemplateKey { get; set; }

    public string? LocationId { get; set; }

    public string? Title { get; set; }
}

internal sealed class NoteFromTemplateInputType : InputObjectGraphType<NoteFromTemplateArguments>
{
    public NoteFromTemplateInputType()
    {
        Name = "NoteFromTemplateInput";
        Field<NonNullGraphType<IdGraphType>>("patientId");
        Field<NonNullGraphType<StringGraphType>>("templateKey");
        Field<IdGraphType>("locationId").Description("Where the note is written; the template in force there is used.");
        Field<StringGraphType>("title").Description("1-200 characters; the template's title by default.");
    }
}
