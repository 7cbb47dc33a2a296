using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ehr.Forms;

/// <summary>
/// The forms module: FHIR Questionnaires as form definitions, responses checked and scored on the server,
/// observation extraction. This part is the engine (no database); persistence, APIs and the console build on it.
/// </summary>
public static class FormsModule
{
    public static IServiceCollection AddEhrForms(this IServiceCollection services)
    {
        // The tenant's value sets arrive with persistence; until then none are held (contained ones always work).
        services.TryAddSingleton<IAnswerValueSets>(InMemoryAnswerValueSets.Empty);
        services.AddSingleton<DefinitionValidator>();
        services.AddSingleton<ResponseEngine>();
        return services;
    }
}
