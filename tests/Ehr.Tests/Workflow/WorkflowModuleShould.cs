using Ehr.Platform.Contracts;
using Ehr.Workflow;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Tests.Workflow;

/// <summary>AddEhrWorkflow(): the engine from the container, and the actions and events modules register found by it.</summary>
public sealed class WorkflowModuleShould
{
    [Fact]
    public void CheckDefinitionsAgainstWhatTheModulesRegistered()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new WorkflowActionDescriptor("appointment.confirm", "Confirm.", [new("appointmentId", WorkflowValueType.String, true, "the appointment")], ["confirmed"]));
        services.AddSingleton(new DomainEventDescriptor("appointment.booked", "Appointment", "Booked.", []));
        services.AddEhrWorkflow();
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var definitions = provider.GetRequiredService<WorkflowDefinitions>();
        var loaded = definitions.Load("""
            {"schemaVersion":1,"title":"Confirm","nodes":[
              {"id":"start","kind":"start","trigger":{"type":"event","event":"appointment.booked"}},
              {"id":"confirm","kind":"action","action":"appointment.confirm","inputs":{"appointmentId":"event.subjectId"}},
              {"id":"done","kind":"end"}],
             "edges":[{"from":"start","to":"confirm"},{"from":"confirm","outcome":"confirmed","to":"done"}]}
            """, Guid.NewGuid());

        Assert.True(loaded.Succeeded, string.Join("; ", loaded.Problems));
        Assert.NotNull(provider.GetRequiredService<WorkflowEngine>());
        Assert.Same(provider.GetRequiredService<WorkflowCatalog>(), provider.GetRequiredService<WorkflowCatalog>());
    }

    [Fact]
    public void RefuseToStartWithTwoModulesClaimingOneAction()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new WorkflowActionDescriptor("patient.flag", "One.", [], ["done"]));
        services.AddSingleton(new WorkflowActionDescriptor("patient.flag", "Two.", [], ["done"]));
        services.AddEhrWorkflow();
        using var provider = services.BuildServiceProvider();

        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<WorkflowCatalog>());
    }
}
