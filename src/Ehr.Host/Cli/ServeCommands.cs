using System.CommandLine;
using Ehr.Platform;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Schema;
using Ehr.Platform.Tenancy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Host.Cli;

internal static class ServeCommands
{
    public const string DemoTenant = "demo";
    public const string DemoPack = "primary-care";

    private static Option<int> PortOption(int fallback) => new("--port")
    {
        Description = "TCP port on 127.0.0.1.",
        DefaultValueFactory = _ => fallback,
    };

    public static Command Serve()
    {
        var port = PortOption(8080);
        var address = new Option<string>("--address") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("serve", "Serve the APIs (migrating first).") { port, address };
        command.SetAction(async (r, ct) =>
        {
            await using var app = EhrHost.BuildWeb([], new Dictionary<string, string?> { ["Urls"] = $"http://{r.GetValue(address)}:{r.GetValue(port)}" });
            await MigrateAsync(app.Services, ct);
            PlatformModule.ScheduleRecurringJobs(app.Services);
            await app.RunAsync(ct);
            return 0;
        });
        return command;
    }

    public static Command Up()
    {
        var port = PortOption(5080);
        var command = new Command("up", "Migrate, create the demo tenant on first run, serve on localhost and print how to use it.") { port };
        command.SetAction(async (r, ct) =>
        {
            await using var app = EhrHost.BuildWeb([], new Dictionary<string, string?>
            {
                ["Urls"] = $"http://127.0.0.1:{r.GetValue(port)}",
                // No mail transport on a developer's machine: invitation links go to the console.
                ["Accounts:LogInvitationLinks"] = "true",
            });
            await MigrateAsync(app.Services, ct);
            var demo = await EnsureDemoTenantAsync(app.Services, ct);
            var logins = await EnsureDemoUsersAsync(app.Services, demo, ct);
            PlatformModule.ScheduleRecurringJobs(app.Services);
            await app.StartAsync(ct);
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            PrintWelcome(url, demo, logins);
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    public static Command Worker()
    {
        var command = new Command("worker", "Run background jobs only (no HTTP).");
        command.SetAction(async (_, ct) =>
        {
            var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddEhrConfiguration();
            builder.Services.AddEhrModules(builder.Configuration);
            using var host = builder.Build();
            await host.RunAsync(ct);
            return 0;
        });
        return command;
    }

    private static async Task MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        var migrator = services.GetRequiredService<SchemaMigrator>();
        await migrator.MigratePlatformAsync(ct);
        var report = await migrator.MigrateTenantsAsync(ct: ct);
        foreach (var failed in report.Failed)
        {
            services.GetRequiredService<ILogger<SchemaMigrator>>().LogError("Tenant {Tenant} not migrated: {Error}", failed.Slug, failed.Error);
        }
    }

    private static async Task<Tenant> EnsureDemoTenantAsync(IServiceProvider services, CancellationToken ct)
    {
        var catalog = services.GetRequiredService<TenantCatalog>();
        return await catalog.FindAsync(DemoTenant, ct) ?? await services.GetRequiredService<TenantProvisioner>()
            .CreateAsync(new CreateTenant(DemoTenant, "Demo Family Practice", DemoPack), PlatformAdministration.Operator("up"), ct);
    }

    /// <summary>The demo tenant's people: (e-mail, name, role).</summary>
    private static readonly (string Email, string Name, string Role)[] DemoUsers =
    [
        ("admin@demo.local", "Demo Admin", "tenant-admin"),
        ("dr.demo@demo.local", "Dr. Demo", "physician"),
    ];

    /// <summary>
    /// Creates the demo accounts that do not exist yet, each with a random password returned here to be printed once:
    /// no fixed password is ever in the repository or in a fresh installation.
    /// </summary>
    private static async Task<IReadOnlyList<(string Email, string Role, string? Password)>> EnsureDemoUsersAsync(
        IServiceProvider services, Tenant demo, CancellationToken ct)
    {
        var logins = new List<(string, string, string?)>();
        foreach (var (email, name, role) in DemoUsers)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
            if (await db.Users.AnyAsync(u => u.Email == email, ct))
            {
                logins.Add((email, role, (string?)null));
                continue;
            }

            var password = UserCommands.RandomPassword();
            await scope.ServiceProvider.GetRequiredService<CreateUser>().HandleAsync(new NewUser(email, name, password), ct);
            await scope.ServiceProvider.GetRequiredService<GrantMembership>().HandleAsync(email, demo.Slug, [role], ct);
            logins.Add((email, role, password));
        }

        return logins;
    }

    private static void PrintWelcome(string url, Tenant demo, IReadOnlyList<(string Email, string Role, string? Password)> logins)
    {
        var graphql = url.TrimEnd('/') + "/graphql";
        System.Console.WriteLine($$"""

            Ehr.Saas is running.
              Console       {{url}}/console  (sign in with a demo account below)
              GraphQL       {{graphql}}
              OAuth2/OIDC   {{url}}/.well-known/openid-configuration
              Health        {{url}}/health/ready
              Jobs          {{url}}/jobs  (platform admins)
              Demo tenant   {{demo.Slug}} ({{demo.DisplayName}}, starter pack {{demo.StarterPack}})

            Get a token for the demo tenant (valid 60 minutes):
              TOKEN=$(./ehr token --tenant {{demo.Slug}} --user dr.demo --role physician)
            Then:
              curl -s {{graphql}} -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
                -d '{"query":"{ patients(first: 5) { nodes { mrn name { given family } birthDate } } }"}'

            Ctrl-C stops the host; ./ehr down stops the database.
            """);
        Console.WriteLine("Demo accounts (tenant demo):");
        foreach (var (email, role, password) in logins)
        {
            Console.WriteLine(password is null
                ? $"  {email,-22} {role,-14} (password shown on the first run only)"
                : $"  {email,-22} {role,-14} password {password}   <- shown once, note it now");
        }

        Console.WriteLine();
    }
}
