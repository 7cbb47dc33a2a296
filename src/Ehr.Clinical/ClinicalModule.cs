using Ehr.Clinical.Notes;
using Ehr.Clinical.Observations;
using Ehr.Clinical.Patients;
using Ehr.Clinical.Portal;
using Ehr.Platform.Contracts;
using Ehr.Platform.Identity.Portal;
using Ehr.Platform.Persistence;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Clinical;

/// <summary>The clinical module: patients and their chart.</summary>
public static class ClinicalModule
{
    public static IServiceCollection AddEhrClinical(this IServiceCollection services)
    {
        services.AddSingleton<ITenantSchemaContributor, ClinicalSchema>();
        services.AddSingleton<ITenantModelConfiguration, PatientModel>();
        services.AddSingleton<IStarterPackSection, PatientsSection>();
        services.AddScoped<PatientValidator>();
        services.AddScoped<RegisterPatient>();
        services.AddScoped<UpdatePatient>();
        services.AddScoped<GetPatient>();
        services.AddScoped<SearchPatients>();
        services.AddSingleton<ITenantModelConfiguration, BreakGlassGrantModel>();
        services.AddScoped<PatientAccess>();
        services.AddScoped<RestrictPatient>();
        services.AddScoped<BreakTheGlass>();
        services.AddSingleton<ITenantModelConfiguration, ObservationModel>();
        services.AddScoped<ObservationValidator>();
        services.AddScoped<RecordObservation>();
        services.AddScoped<ListObservations>();
        services.AddScoped<GetObservation>();
        services.AddSingleton<ITenantModelConfiguration, NoteModel>();
        services.AddScoped<NoteChanges>();
        services.AddScoped<StartNote>();
        services.AddScoped<StartNoteFromTemplate>();
        services.AddScoped<EditNote>();
        services.AddScoped<SignNote>();
        services.AddScoped<AmendNote>();
        services.AddScoped<AddAddendum>();
        services.AddScoped<MarkNoteEnteredInError>();
        services.AddScoped<GetNote>();
        services.AddScoped<ListNotes>();
        services.AddScoped<MarkObservationEnteredInError>();
        services.AddScoped<IPortalPatients, PortalPatients>();
        services.AddScoped<IChartObservations, ChartObservations>();
        services.AddScoped<IChartAccess, ChartAccess>();
        services.AddScoped<IPatientContacts, PatientContacts>();
        services.AddScoped<IPatientLaunchContext, PatientLaunchContext>();

        // Workflows: the events they may start on, the actions they may call (each descriptor a singleton for the
        // catalog, its implementation scoped: it runs in the workflow runtime's transaction).
        foreach (var descriptor in ClinicalEvents.All)
        {
            services.AddSingleton(descriptor);
        }

        services.AddSingleton<ITenantModelConfiguration, NoteCosignatureModel>();
        services.AddSingleton<ITenantModelConfiguration, PatientFlagModel>();
        services.AddScoped<ListPatientFlags>();
        services.AddSingleton(RequestCosignAction.Definition);
        services.AddScoped<IWorkflowAction, RequestCosignAction>();
        services.AddSingleton(CosignNoteAction.Definition);
        services.AddScoped<IWorkflowAction, CosignNoteAction>();
        services.AddSingleton(FlagPatientAction.Definition);
        services.AddScoped<IWorkflowAction, FlagPatientAction>();
        return services;
    }

    private sealed class ClinicalSchema : ITenantSchemaContributor
    {
        public int Order => 100;

        public IReadOnlyList<SchemaMigration> Migrations { get; } =
            SchemaMigration.FromResources(typeof(ClinicalSchema).Assembly, "clinical", "Schema/Tenant");
    }
}
