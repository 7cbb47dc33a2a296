using Ehr.Platform.Artifacts;
using Ehr.Platform.Audit;
using Ehr.Platform.Database;
using Ehr.Platform.Health;
using Ehr.Platform.Disclosures;
using Ehr.Platform.Events;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.ApiClients;
using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Identity.Portal;
using Ehr.Platform.Identity.Roles;
using Ehr.Platform.Jobs;
using Ehr.Platform.Locations;
using Ehr.Platform.Mail;
using Ehr.Platform.Notifications;
using Ehr.Platform.Persistence;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Schema;
using Ehr.Platform.Tenancy;
using Ehr.Platform.Topics;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Ehr.Platform;

public sealed class JobsOptions
{
    public const string SectionName = "Jobs";

    /// <summary>Run a Hangfire server in this process (the host and the worker do; CLI verbs do not).</summary>
    public bool RunServer { get; set; } = true;

    public int WorkerCount { get; set; } = 4;

    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the job server moves scheduled jobs that are due to their queue (Hangfire's default is 15 s): the
    /// lateness of a workflow timer is about this plus <see cref="QueuePollInterval"/>.
    /// </summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cron (UTC) of the nightly audit-chain verification.</summary>
    public string AuditVerificationCron { get; set; } = "0 3 * * *";
}

/// <summary>The platform module: database, tenancy, identity, audit, jobs and health.</summary>
public static class PlatformModule
{
    public static IServiceCollection AddEhrPlatform(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Url), "Database:Url (EHR_DATABASE_URL) is required.")
            .ValidateOnStart();
        services.AddOptions<TenancyOptions>().Bind(configuration.GetSection(TenancyOptions.SectionName));
        services.AddOptions<DataDirectoryOptions>().Bind(configuration.GetSection(DataDirectoryOptions.SectionName));
        services.AddOptions<StarterPackOptions>().Bind(configuration.GetSection(StarterPackOptions.SectionName));
        services.AddOptions<JobsOptions>().Bind(configuration.GetSection(JobsOptions.SectionName));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var builder = new NpgsqlDataSourceBuilder(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.BuildConnectionString());
            return builder.Build();
        });

        services.AddSingleton<TenantCatalog>();
        services.AddSingleton<TenantResolver>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<StarterPacks>();
        services.AddSingleton<TenantProvisioner>();
        services.AddSingleton<TenantJobScope>();
        services.AddScoped<TenantContext>();
        services.AddScoped<ActorContext>();
        services.AddScoped<ActorBinding>();
        services.AddScoped<GetCurrentTenant>();

        services.AddSingleton<TenantConnectionInterceptor>();
        services.AddDbContext<TenantDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(sp.GetRequiredService<TenantConnectionInterceptor>()));
        services.AddDbContextFactory<PlatformDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            .UseSnakeCaseNamingConvention()
            .UseOpenIddict());
        services.AddSingleton<AuditSealer>();
        services.AddHostedService<AuditSealingService>();
        services.AddScoped<AuditTrail>();
        services.AddSingleton<TenantAuditWriter>();
        services.AddScoped<AuditVerifier>();
        services.AddScoped<AuditLog>();
        services.AddScoped<LocationDirectory>();
        services.AddScoped<CreateLocation>();
        services.AddScoped<ChangeLocation>();
        services.AddScoped<SetLocationActive>();
        services.AddSingleton<ITenantSchemaContributor, PlatformTenantSchema>();
        services.AddSingleton<ITenantModelConfiguration, LocationModel>();
        services.AddSingleton<IStarterPackSection, LocationsSection>();
        services.AddSingleton<IStarterPackSection, RolesSection>();
        services.AddSingleton<ITenantModelConfiguration, CustomRoleModel>();
        services.AddScoped<RoleResolver>();
        services.AddScoped<DefineRole>();
        services.AddScoped<UpdateRole>();
        services.AddScoped<DeleteRole>();
        services.AddScoped<ListRoles>();
        services.AddSingleton<ITenantModelConfiguration, NotificationModel>();
        services.AddScoped<Notifier>();
        services.AddScoped<ListNotifications>();
        services.AddScoped<FollowNotifications>();
        services.AddScoped<MarkNotificationRead>();
        services.AddSingleton<ITenantModelConfiguration, DisclosureModel>();
        services.AddScoped<DisclosureLog>();
        services.AddScoped<DisclosureReport>();

        services.AddEhrAccounts(configuration);
        services.AddEhrPortalAccess();
        services.AddSingleton<LocalSigningKey>();
        services.AddSingleton<DevTokenIssuer>();
        services.AddEhrAuthorizationServer(configuration);
        services.AddAuthentication().AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<LocalSigningKey>((o, key) =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = LocalSigningKey.Issuer,
                    ValidAudience = LocalSigningKey.Audience,
                    IssuerSigningKey = key.Key,
                    ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                    NameClaimType = EhrClaims.Subject,
                    RoleClaimType = EhrClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });
        services.AddAuthorization();
        services.AddEhrClientRateLimits(configuration);

        services.AddSingleton<AuditVerificationJobs>();
        services.AddHangfire((sp, c) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(
                    o => o.UseNpgsqlConnection(database.BuildConnectionString()),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = database.JobsSchema,
                        // Installed by the platform migration, under a lock (hosts starting together raced to create it).
                        PrepareSchemaIfNecessary = false,
                        QueuePollInterval = sp.GetRequiredService<IOptions<JobsOptions>>().Value.QueuePollInterval,
                    });
        });
        var jobs = configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        if (jobs.RunServer)
        {
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = jobs.WorkerCount;
                o.SchedulePollingInterval = jobs.SchedulePollingInterval;
            });
        }

        services.AddSingleton<ITenantModelConfiguration, ArtifactModel>();
        // Scoped: a kind's checks may need the tenant's data (the forms kind checks answer value sets held in the tenant).
        services.AddScoped<ArtifactKindRegistry>();
        services.AddScoped<CreateDraft>();
        services.AddScoped<ArtifactLifecycle>();
        services.AddScoped<ReadArtifacts>();
        services.AddScoped<DomainEvents>();
        services.AddScoped<Mail.TenantMailOutbox>();
        services.AddSingleton<TopicListener>();
        services.AddHostedService(sp => sp.GetRequiredService<TopicListener>());
        services.AddScoped<ITenantTopics, TenantTopics>();
        services.AddEhrMail(configuration, jobs.RunServer);

        services.AddHealthChecks().AddCheck<ReadinessCheck>("database", tags: ["ready"]);
        return services;
    }

    /// <summary>Trusted proxies' headers, authentication, tenant resolution and actor binding, then health and the jobs dashboard.</summary>
    public static WebApplication UseEhrPlatform(this WebApplication app)
    {
        app.UseTrustedProxies();
        app.UseAuthentication();
        app.UseMiddleware<TenantResolutionMiddleware>();
        app.UseMiddleware<ActorBindingMiddleware>();
        app.UseEhrClientRateLimits();
        app.UseAuthorization();
        app.MapEhrAuthorizationServer();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.UseHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new PlatformAdminDashboardFilter()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "Ehr.Saas jobs",
        });
        return app;
    }

    /// <summary>Registers the recurring platform jobs (idempotent: re-registering updates them).</summary>
    public static void ScheduleRecurringJobs(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<JobsOptions>>().Value;
        services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<AuditVerificationJobs>(
            AuditVerificationJobs.RecurringJobId, j => j.DispatchAllAsync(CancellationToken.None), options.AuditVerificationCron);
    }

    private sealed class PlatformAdminDashboardFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context)
        {
            var http = context.GetHttpContext();
            return http.User.Identity?.IsAuthenticated == true &&
                   http.User.FindAll(EhrClaims.Role).Any(c => c.Value == Permissions.PlatformAdminRole);
        }
    }
}
