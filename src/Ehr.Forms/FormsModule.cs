using Ehr.Forms.Definitions;
using Ehr.Forms.Intake;
using Ehr.Forms.Library;
using Ehr.Forms.Responses;
using Ehr.Forms.Templates;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Schema;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ehr.Forms;

/// <summary>
/// The forms module: FHIR Questionnaires as form definitions (the <c>form</c> artifact kind), answer value sets held
/// in the tenant, responses checked and scored on the server and stored pinned to the version they answer, extraction
/// into the chart through the platform's contracts, and documentation templates (the <c>note-template</c> kind: a
/// Questionnaire, a Liquid narrative, a note type).
/// </summary>
public static class FormsModule
{
    public static IServiceCollection AddEhrForms(this IServiceCollection services)
    {
        // The pure engine, for callers without a tenant (the library, benchmarks): no tenant value sets. The use cases
        // build their engine over the scope's TenantAnswerValueSets instead.
        services.TryAddSingleton<IAnswerValueSets>(InMemoryAnswerValueSets.Empty);
        services.AddSingleton<DefinitionValidator>();
        services.AddSingleton<ResponseEngine>();

        services.AddSingleton<ITenantSchemaContributor, FormsSchema>();
        services.AddSingleton<ITenantModelConfiguration, FormResponseModel>();
        services.AddScoped<TenantAnswerValueSets>();
        services.AddScoped(sp => new TenantFormEngine(sp.GetRequiredService<TenantAnswerValueSets>()));
        services.AddScoped<IArtifactKind, FormKind>();
        services.AddSingleton<IArtifactKind, ValueSetKind>();
        services.AddSingleton<PublishedForms>();
        services.AddScoped<FormDefinitions>();
        services.AddScoped<CreateFormDraft>();
        services.AddScoped<EditFormDraft>();
        services.AddScoped<PublishFormDefinition>();
        services.AddScoped<RetireFormDefinition>();
        services.AddScoped<DiscardFormDraft>();
        services.AddScoped<GetFormDefinition>();
        services.AddScoped<ListFormDefinitions>();
        services.AddScoped<DiffFormDefinitions>();
        services.AddScoped<FormCanonicals>();
        services.AddScoped<FindFormVersions>();
        services.AddScoped<AddQuestionnaire>();
        services.AddScoped<ListLibraryForms>();
        services.AddScoped<ImportLibraryForm>();
        services.AddSingleton<IStarterPackSection, FormsSection>();
        services.AddScoped<ImportAnswerValueSet>();
        services.AddScoped<ListAnswerValueSets>();
        services.AddScoped<FormResponseChanges>();
        services.AddScoped<StartFormResponse>();
        services.AddScoped<SaveFormResponse>();
        services.AddScoped<CompleteFormResponse>();
        services.AddScoped<AmendFormResponse>();
        services.AddScoped<MarkFormResponseEnteredInError>();
        services.AddScoped<GetFormResponse>();
        services.AddScoped<GetResponseValueSets>();
        services.AddScoped<GetFormToFill>();
        services.AddScoped<ListFormResponses>();
        services.AddScoped<RecordFormResponse>();

        services.AddOptions<IntakeOptions>().BindConfiguration(IntakeOptions.SectionName);
        services.AddSingleton<ITenantModelConfiguration, IntakeLinkModel>();
        services.AddScoped<SendIntakeLink>();
        services.AddScoped<RevokeIntakeLink>();
        services.AddScoped<ListIntakeLinks>();
        services.AddScoped<GetIntakeSettings>();
        services.AddScoped<ChangeIntakeSettings>();
        services.AddSingleton<IntakeLinkSessions>();
        services.AddSingleton<OpenIntakeForm>();
        services.AddSingleton<SaveIntakeForm>();
        services.AddSingleton<CompleteIntakeForm>();
        services.AddScoped<IFormResponseChecks, FormResponseChecks>();
        services.AddScoped<ITaskFormSubmissions, TaskFormSubmissions>();
        services.AddSingleton(FormEvents.Submitted);
        services.AddSingleton(FormEvents.Amended);
        services.AddEhrNoteTemplates();
        return services;
    }

    // After the clinical module's tables: responses reference patients (and the platform's artifacts and locations).
    private sealed class FormsSchema : ITenantSchemaContributor
    {
        public int Order => 200;

        public IReadOnlyList<SchemaMigration> Migrations { get; } =
            SchemaMigration.FromResources(typeof(FormsSchema).Assembly, "forms", "Schema/Tenant");
    }

    private static void AddEhrNoteTemplates(this IServiceCollection services)
    {
        // Scoped, like the form kind: publishing resolves answer value sets held in the scope's tenant.
        services.AddScoped<NoteTemplateKind>();
        services.AddScoped<IArtifactKind>(sp => sp.GetRequiredService<NoteTemplateKind>());
        services.AddScoped<INoteTemplates, NoteTemplates>();
        services.AddScoped<ReadNoteTemplates>();
        services.AddScoped<ChangeNoteTemplates>();
        services.AddScoped<PreviewNoteTemplate>();
        services.AddSingleton<IStarterPackSection, NoteTemplatesSection>();
    }
}
