using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.Templates;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Provisioning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ehr.Forms;

/// <summary>
/// The forms module: FHIR Questionnaires as form definitions, responses checked and scored on the server,
/// observation extraction, and documentation templates (note templates: a Questionnaire, a Liquid narrative, a note type).
/// </summary>
public static class FormsModule
{
    public static IServiceCollection AddEhrForms(this IServiceCollection services)
    {
        // The tenant's value sets arrive with persistence; until then none are held (contained ones always work).
        services.TryAddSingleton<IAnswerValueSets>(InMemoryAnswerValueSets.Empty);
        services.AddSingleton<DefinitionValidator>();
        services.AddSingleton<ResponseEngine>();
        services.AddEhrNoteTemplates();
        return services;
    }

    private static void AddEhrNoteTemplates(this IServiceCollection services)
    {
        services.AddSingleton<NoteTemplateKind>();
        services.AddSingleton<IArtifactKind>(sp => sp.GetRequiredService<NoteTemplateKind>());
        services.AddScoped<INoteTemplates, NoteTemplates>();
        services.AddScoped<ReadNoteTemplates>();
        services.AddScoped<ChangeNoteTemplates>();
        services.AddScoped<PreviewNoteTemplate>();
        services.AddSingleton<IStarterPackSection, NoteTemplatesSection>();
    }
}
