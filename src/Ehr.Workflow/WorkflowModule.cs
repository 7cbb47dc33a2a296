using Ehr.Platform.Artifacts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Schema;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Effects;
using Ehr.Workflow.Incidents;
using Ehr.Workflow.Instances;
using Ehr.Workflow.Notifications;
using Ehr.Workflow.Runtime;
using Ehr.Workflow.Scripts;
using Ehr.Workflow.Store;
using Ehr.Workflow.Tasks;
using Ehr.Workflow.Triggers;
using Ehr.Workflow.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Ehr.Workflow;

/// <summary>
/// The workflow module: versioned workflow definitions (the <c>workflow</c> artifact kind: JSON with a published schema,
/// checked as a whole graph when published), a sandbox for their scripts, the step function, and the runtime that
/// stores instances in the tenant schema, starts them on domain events or by hand, resumes them exactly once (tasks,
/// timers, module actions, web hooks, admin retries) and carries out their effects.
/// </summary>
public static class WorkflowModule
{
    public static IServiceCollection AddEhrWorkflow(this IServiceCollection services, IConfiguration? configuration = null)
    {
        // Modules describe their actions and events as WorkflowActionDescriptor / DomainEventDescriptor singletons;
        // the catalog collects whatever is registered when it is first asked for.
        services.TryAddSingleton<WorkflowCatalog>();
        services.TryAddSingleton(ScriptLimits.Default);
        services.TryAddSingleton<ScriptSandbox>();
        services.TryAddSingleton<WorkflowDefinitions>();
        services.TryAddSingleton<WorkflowEngine>();
        if (configuration is null)
        {
            // The engine alone (fast tests, benchmarks of the step function).
            return services;
        }

        services.AddOptions<WorkflowOptions>().Bind(configuration.GetSection(WorkflowOptions.SectionName))
            .Validate(o => o.Parallelism > 0 && o.EffectConcurrency > 0 && o.EventBatchSize > 0 && o.EffectBatchSize > 0 && o.MaxEffectAttempts > 0,
                "Workflow: Parallelism, EffectConcurrency, EventBatchSize, EffectBatchSize and MaxEffectAttempts must be positive.")
            .Validate(o => o.SweepInterval >= TimeSpan.FromSeconds(1) && o.EffectDelay >= TimeSpan.Zero,
                "Workflow: SweepInterval is at least 1 s and EffectDelay is not negative.")
            .ValidateOnStart();
        services.AddSingleton<ITenantSchemaContributor, WorkflowSchema>();
        services.AddSingleton<WorkflowKind>();
        services.AddSingleton<IArtifactKind>(sp => sp.GetRequiredService<WorkflowKind>());
        services.AddSingleton<IStarterPackSection, WorkflowsSection>();
        services.AddScoped<ChangeWorkflowDefinitions>();
        services.AddScoped<ReadWorkflowDefinitions>();
        services.AddScoped<TestRunWorkflow>();

        services.AddSingleton<WorkflowPlans>();
        services.AddSingleton<WorkflowSignals>();
        services.AddSingleton<WorkflowTaskChanges>();
        services.AddScoped<InstanceStore>();
        services.AddScoped<WorkflowRuntime>();
        services.AddScoped<InForceWorkflows>();
        services.AddScoped<EventConsumer>();
        services.AddScoped<EffectRunner>();
        services.AddScoped<TenantWorkProbe>();
        services.AddSingleton<WorkflowTimers>();
        services.AddSingleton<ImminentTimers>();
        services.AddScoped<WebhookEndpoints>();
        services.AddSingleton<WebhookSender>();
        WebhookSender.Register(services);

        services.AddScoped<StartWorkflowInstance>();
        services.AddScoped<ListWorkflowInstances>();
        services.AddScoped<GetWorkflowInstance>();
        services.AddScoped<CancelWorkflowInstance>();
        services.AddScoped<MigrateWorkflowInstance>();
        services.AddScoped<ListWorkflowIncidents>();
        services.AddScoped<RetryWorkflowIncident>();
        services.AddScoped<WorkflowTaskActs>();
        services.AddScoped<ListWorkflowTasks>();
        services.AddScoped<GetWorkflowTask>();
        services.AddScoped<ClaimWorkflowTask>();
        services.AddScoped<ReleaseWorkflowTask>();
        services.AddScoped<DelegateWorkflowTask>();
        services.AddScoped<CompleteWorkflowTask>();
        services.AddScoped<WorkflowNotifications>();
        services.AddScoped<FollowWorkflowTasks>();

        var runsJobs = configuration.GetValue<bool?>("Jobs:RunServer") ?? true;
        if (configuration.GetValue<bool?>(WorkflowOptions.SectionName + ":" + nameof(WorkflowOptions.RunWorkers)) ?? runsJobs)
        {
            services.AddHostedService<WorkflowDispatcher>();
        }

        return services;
    }

    // After the forms module (200): nothing references its tables, but instances pin artifacts and name locations.
    private sealed class WorkflowSchema : ITenantSchemaContributor
    {
        public int Order => 300;

        public IReadOnlyList<SchemaMigration> Migrations { get; } =
            SchemaMigration.FromResources(typeof(WorkflowSchema).Assembly, "workflow", "Schema/Tenant");
    }
}
