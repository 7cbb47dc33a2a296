using Ehr.Clinical;
using Ehr.Forms;
using Ehr.Web;
using Ehr.GraphQL;
using Ehr.Interop;
using Ehr.Platform;
using Ehr.Platform.Schema;
using Ehr.Workflow;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Serilog;
using Serilog.Formatting.Compact;

namespace Ehr.Host;

/// <summary>
/// The composition root: every module's <c>AddX()</c> and <c>UseX()/MapX()</c>, shared by the web host, the worker
/// and the CLI verbs (and by the tests, which start the same host on a free port).
/// </summary>
public static class EhrHost
{
    /// <summary>Environment variables the README documents, mapped onto configuration keys.</summary>
    private static readonly Dictionary<string, string> EnvironmentAliases = new()
    {
        ["EHR_DATABASE_URL"] = "Database:Url",
        ["EHR_DATA_DIR"] = "Ehr:DataDir",
        ["EHR_ISSUER"] = "Identity:Issuer",
        ["EHR_TRUSTED_PROXIES"] = "Network:TrustedProxies",
    };

    public static void AddEhrConfiguration(this IConfigurationBuilder configuration, IDictionary<string, string?>? overrides = null)
    {
        var aliased = EnvironmentAliases
            .Select(a => (a.Value, Environment.GetEnvironmentVariable(a.Key)))
            .Where(a => !string.IsNullOrEmpty(a.Item2))
            .ToDictionary(a => a.Item1, a => a.Item2);
        configuration.AddInMemoryCollection(aliased);
        if (overrides is not null)
        {
            configuration.AddInMemoryCollection(overrides);
        }
    }

    public static void AddEhrModules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEhrPlatform(configuration);
        services.AddEhrClinical();
        services.AddEhrForms();
        services.AddEhrWorkflow(configuration);
    }

    /// <summary>
    /// The web host: APIs, health, jobs dashboard. Bound to loopback unless configured otherwise.
    /// <paramref name="replaceServices"/> runs after every module's registrations (tests give hosts a shared clock).
    /// </summary>
    public static WebApplication BuildWeb(string[] args, IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? replaceServices = null)
    {
        // Settings (appsettings.json) live beside the binary, wherever the command is run from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
            // Named, not taken from the entry assembly: tests and benchmarks host it too, and the static web assets
            // manifests are named after it.
            ApplicationName = typeof(EhrHost).Assembly.GetName().Name,
        });
        builder.Configuration.AddEhrConfiguration(overrides);
        DefaultPublicAddress(builder.Configuration);
        ConfigureLogging(builder.Host, builder.Configuration);
        builder.Services.AddEhrModules(builder.Configuration);
        builder.Services.AddEhrGraphQL(builder.Configuration);
        builder.Services.AddEhrConsole(builder.Configuration);
        // The console's and MudBlazor's static files, also when running from the build output (not only published).
        builder.WebHost.UseStaticWebAssets();
        AddTelemetry(builder.Services, builder.Configuration);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        replaceServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseEhrPlatform();
        app.MapEhrGraphQL();
        app.MapEhrFhir();
        app.MapEhrConsole();
        return app;
    }

    /// <summary>
    /// The web host on 127.0.0.1 and a free port, platform schema migrated: what the tests and the benchmarks run.
    /// </summary>
    public static async Task<(WebApplication App, Uri Address)> StartOnLoopbackAsync(IDictionary<string, string?> overrides,
        Action<IServiceCollection>? replaceServices = null)
    {
        // A free port chosen up front, so the authorization server's issuer (which the console signs in against) is known.
        var port = FreeLoopbackPort();
        var settings = new Dictionary<string, string?>(overrides) { ["Urls"] = $"http://127.0.0.1:{port}" };
        settings.TryAdd("Identity:Issuer", $"http://127.0.0.1:{port}/");
        // Hosts started side by side on one database (tests, benchmarks) each register their own console client.
        settings.TryAdd("Identity:ConsoleClientId", $"ehr-console-{port}");
        var app = BuildWeb([], settings, replaceServices);
        await app.Services.GetRequiredService<SchemaMigrator>().MigratePlatformAsync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>
    /// The authorization server's issuer (what the console signs in against) and the base of links in e-mails: the
    /// configured public URL, else the one address the host listens on (./ehr up, ./ehr serve on a fixed port).
    /// </summary>
    private static void DefaultPublicAddress(ConfigurationManager configuration)
    {
        var urls = configuration["Urls"]?.Split(';', StringSplitOptions.RemoveEmptyEntries);
        if (string.IsNullOrEmpty(configuration["Identity:Issuer"]) && urls is [var only] &&
            Uri.TryCreate(only.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var uri) && uri.Port != 0)
        {
            configuration["Identity:Issuer"] = uri.GetLeftPart(UriPartial.Authority) + "/";
        }

        if (string.IsNullOrEmpty(configuration["Accounts:PublicUrl"]) && !string.IsNullOrEmpty(configuration["Identity:Issuer"]))
        {
            configuration["Accounts:PublicUrl"] = configuration["Identity:Issuer"];
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Each host its own logger (preserveStaticLogger): otherwise every host of a process (the tests', the benchmark's)
    // writes through the static Log.Logger, which is the last-started host's, sinks and all.
    private static void ConfigureLogging(IHostBuilder host, IConfiguration configuration) =>
        host.UseSerilog((_, log) =>
        {
            log.ReadFrom.Configuration(configuration).Enrich.FromLogContext();
            if (configuration.GetValue<bool>("Logging:Json"))
            {
                log.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
            else
            {
                log.WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}");
            }
        }, preserveStaticLogger: true);

    /// <summary>Traces and metrics are always collected; they leave the process only when an OTLP endpoint is configured.</summary>
    private static void AddTelemetry(IServiceCollection services, ConfigurationManager configuration)
    {
        var otel = services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource("Ehr.*").AddAspNetCoreInstrumentation().AddNpgsql())
            .WithMetrics(m => m.AddMeter("Ehr.*").AddAspNetCoreInstrumentation().AddMeter("Npgsql"));
        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }
    }
}
