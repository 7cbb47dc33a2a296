using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Scripts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ehr.Workflow;

/// <summary>
/// The workflow module: versioned workflow definitions (JSON with a published schema), their validation, a sandbox for
/// their scripts and the step function that runs an instance. This part is the engine (no database, no transport);
/// persistence, timers, APIs and the console build on it.
/// </summary>
public static class WorkflowModule
{
    public static IServiceCollection AddEhrWorkflow(this IServiceCollection services)
    {
        // Modules describe their actions and events as WorkflowActionDescriptor / DomainEventDescriptor singletons;
        // the catalog collects whatever is registered when it is first asked for.
        services.TryAddSingleton<WorkflowCatalog>();
        services.TryAddSingleton(ScriptLimits.Default);
        services.TryAddSingleton<ScriptSandbox>();
        services.TryAddSingleton<WorkflowDefinitions>();
        services.TryAddSingleton<WorkflowEngine>();
        return services;
    }
}
