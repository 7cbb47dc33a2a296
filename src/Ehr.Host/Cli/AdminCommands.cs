using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Authorization;
using System.CommandLine;
using Ehr.Platform.Identity;
using Ehr.Platform.Jobs;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Schema;
using Ehr.Platform.Tenancy;
using Spectre.Console;

namespace Ehr.Host.Cli;

internal static class AdminCommands
{
    public static Command Migrate()
    {
        var command = new Command("migrate", "Migrate the platform schema, then every tenant (bounded parallelism); exit 1 if any tenant failed.");
        command.SetAction((_, ct) => CliHost.RunAsync(async services =>
        {
            var migrator = services.GetRequiredService<SchemaMigrator>();
            await migrator.MigratePlatformAsync(ct);
            AnsiConsole.MarkupLine($"Platform schema at version {migrator.LatestPlatformVersion}.");
            var total = (await services.GetRequiredService<TenantCatalog>().ListAsync(ct)).Count;
            TenantMigrationReport? report = null;
            await AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask($"Tenants (0/{total})", maxValue: Math.Max(total, 1));
                    var done = 0;
                    report = await migrator.MigrateTenantsAsync(null, new Progress<TenantMigrationResult>(_ =>
                    {
                        var n = Interlocked.Increment(ref done);
                        task.Description = $"Tenants ({n}/{total})";
                        task.Increment(1);
                    }), ct);
                    task.Value = task.MaxValue;
                });
            var failed = report!.Failed;
            AnsiConsole.MarkupLine($"{report.Tenants.Count - failed.Count} of {report.Tenants.Count} tenants at schema version {migrator.LatestTenantVersion} in {report.Elapsed.TotalSeconds:F1} s.");
            if (failed.Count == 0)
            {
                return 0;
            }

            var table = new Table().AddColumn("Tenant").AddColumn("Error");
            foreach (var f in failed)
            {
                table.AddRow(Markup.Escape(f.Slug), Markup.Escape(f.Error ?? ""));
            }

            AnsiConsole.Write(table);
            return 1;
        }));
        return command;
    }

    public static Command Tenants()
    {
        var tenants = new Command("tenants", "Create, list, suspend and resume tenants.");

        var slug = new Argument<string>("slug") { Description = "3-40 lowercase letters, digits and hyphens." };
        var name = new Option<string>("--name") { Description = "Display name.", Required = true };
        var pack = new Option<string>("--pack") { Description = "Starter pack (a folder of tenant-templates/).", Required = true };
        var create = new Command("create", "Create a tenant from a starter pack, all or nothing.") { slug, name, pack };
        create.SetAction((r, ct) => CliHost.RunAsync(async services =>
        {
            await services.GetRequiredService<SchemaMigrator>().MigratePlatformAsync(ct);
            var tenant = await services.GetRequiredService<TenantProvisioner>()
                .CreateAsync(new CreateTenant(r.GetValue(slug)!, r.GetValue(name)!, r.GetValue(pack)!), PlatformAdministration.Operator("cli"), ct);
            AnsiConsole.MarkupLineInterpolated($"Created tenant [green]{tenant.Slug}[/] ({tenant.DisplayName}) from {tenant.StarterPack}: schema {tenant.SchemaName}.");
            return 0;
        }));

        var list = new Command("list", "List tenants.");
        list.SetAction((_, ct) => CliHost.RunAsync(async services =>
        {
            var rows = (await services.GetRequiredService<TenantCatalog>().ListAsync(ct))
                .Select(t => new[]
                {
                    t.Slug, t.DisplayName, t.Status.ToString().ToLowerInvariant(), t.StarterPack,
                    t.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    t.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                })
                .ToList();
            // A table for people, tab-separated lines for scripts.
            if (System.Console.IsOutputRedirected)
            {
                rows.ForEach(r => System.Console.WriteLine(string.Join('\t', r)));
                return 0;
            }

            var table = new Table().AddColumns("Slug", "Name", "Status", "Pack", "Schema version", "Created");
            rows.ForEach(r => table.AddRow(r.Select(Markup.Escape).ToArray()));
            AnsiConsole.Write(table);
            return 0;
        }));

        tenants.Subcommands.Add(create);
        tenants.Subcommands.Add(list);
        tenants.Subcommands.Add(StatusCommand("suspend", TenantStatus.Suspended, "Refuse every request for the tenant (403 TENANT_SUSPENDED); data is kept."));
        tenants.Subcommands.Add(StatusCommand("resume", TenantStatus.Active, "Serve a suspended tenant again."));
        return tenants;
    }

    private static Command StatusCommand(string verb, TenantStatus status, string description)
    {
        var slug = new Argument<string>("slug");
        var command = new Command(verb, description) { slug };
        command.SetAction((r, ct) => CliHost.RunAsync(async services =>
        {
            var tenant = await services.GetRequiredService<TenantCatalog>().SetStatusAsync(r.GetValue(slug)!, status, PlatformAdministration.Operator("cli"), ct);
            AnsiConsole.MarkupLineInterpolated($"Tenant {tenant.Slug} is {tenant.Status.ToString().ToLowerInvariant()}.");
            return 0;
        }));
        return command;
    }

    public static Command Token()
    {
        var tenant = new Option<string?>("--tenant") { Description = "Tenant slug (omit for a platform token)." };
        var user = new Option<string>("--user") { Description = "User id (the token's subject).", Required = true };
        var role = new Option<string[]>("--role") { Description = "Role; repeat for several.", Required = true, AllowMultipleArgumentsPerToken = true };
        var minutes = new Option<int>("--minutes") { Description = "Lifetime.", DefaultValueFactory = _ => 60 };
        var patient = new Option<Guid[]>("--patient")
        {
            Description = "With --role patient: a patient record the token may read (the person's own, or one they are proxy for); repeat for several.",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("token", "Print a local-development bearer token signed with this machine's key.") { tenant, user, role, minutes, patient };
        command.SetAction((r, _) => CliHost.RunAsync(services =>
        {
            var token = services.GetRequiredService<DevTokenIssuer>()
                .Issue(r.GetValue(tenant), r.GetValue(user)!, r.GetValue(role)!, r.GetValue(minutes), r.GetValue(patient));
            System.Console.WriteLine(token);
            return Task.FromResult(0);
        }));
        return command;
    }

    public static Command Audit()
    {
        var audit = new Command("audit", "Audit chain operations.");
        var slug = new Argument<string>("slug");
        var verify = new Command("verify", "Walk a tenant's audit chain and report the first broken entry; exit 3 if broken.") { slug };
        verify.SetAction((r, ct) => CliHost.RunAsync(async services =>
        {
            var result = await services.GetRequiredService<AuditVerificationJobs>().VerifyTenantAsync(r.GetValue(slug)!, ct);
            if (result.Intact)
            {
                AnsiConsole.MarkupLineInterpolated($"[green]intact[/]: {result.Entries} entries in {result.Tenant}'s audit chain verified.");
                return 0;
            }

            AnsiConsole.MarkupLineInterpolated($"[red]BROKEN[/] at entry {result.FirstBrokenSeq}: {result.Problem}");
            return 3;
        }));
        audit.Subcommands.Add(verify);
        return audit;
    }

    public static Command Keys()
    {
        var keys = new Command("keys", "The authorization server's signing and encryption keys.");
        var activateIn = new Option<int>("--activate-in")
        {
            Description = "Minutes until the new keys sign (until then they are only published, so every host has them first).",
            DefaultValueFactory = _ => (int)KeyRing.DefaultActivationDelay.TotalMinutes,
        };
        var rotate = new Command("rotate", "Add new current keys; older ones keep validating until every token they made has expired.") { activateIn };
        rotate.SetAction((r, _) => CliHost.RunAsync(services =>
        {
            var minutes = r.GetValue(activateIn);
            if (minutes is < 0 or > 7 * 24 * 60)
            {
                throw EhrException.Validation([new FieldError("activate-in", ErrorCodes.OutOfRange, "Between 0 and 10080 minutes.")]);
            }

            var ids = services.GetRequiredService<KeyRing>().Rotate(TimeSpan.FromMinutes(minutes));
            AnsiConsole.MarkupLineInterpolated($"New signing key {ids[0]} and encryption key {ids[1]}, active in {minutes} min. Running hosts pick them up within a minute.");
            return Task.FromResult(0);
        }));
        keys.Subcommands.Add(rotate);
        return keys;
    }
}
