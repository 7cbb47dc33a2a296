using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Schema;
using Spectre.Console;

namespace Ehr.Host.Cli;

/// <summary><c>./ehr users create | grant | list | unlock | reset-mfa</c>: accounts as an operator manages them.</summary>
internal static class UserCommands
{
    public static Command Users()
    {
        var users = new Command("users", "Create accounts, grant them roles in tenants, list and unlock them.");
        users.Subcommands.Add(Create());
        users.Subcommands.Add(Grant());
        users.Subcommands.Add(List());
        users.Subcommands.Add(Unlock());
        users.Subcommands.Add(ResetMfa());
        return users;
    }

    private static Command Create()
    {
        var email = new Option<string>("--email") { Description = "Sign-in e-mail address.", Required = true };
        var name = new Option<string>("--name") { Description = "Display name.", Required = true };
        var password = new Option<string?>("--password")
        {
            Description = "The password (visible in the process list and shell history: prefer the prompt).",
        };
        var platformAdmin = new Option<bool>("--platform-admin") { Description = "May run tenants and jobs (no tenant data)." };
        var command = new Command("create", "Create an account; asks for the password unless --password is given.") { email, name, password, platformAdmin };
        command.SetAction((r, ct) => CliHost.RunAsync(async services =>
        {
            var secret = r.GetValue(password) ?? AskPassword();
            await services.GetRequiredService<SchemaMigrator>().MigratePlatformAsync(ct);
            await using var scope = services.CreateAsyncScope();
            var user = await scope.ServiceProvider.GetRequiredService<CreateUser>()
                .HandleAsync(new NewUser(r.GetValue(email), r.GetValue(name), secret, r.GetValue(platformAdmin)), ct);
            AnsiConsole.MarkupLineInterpolated($"Created account [green]{user.Email}[/] ({user.DisplayName}){(user.IsPlatformAdmin ? ", platform admin" : "")}.");
            return 0;
        }));
        return command;
    }

    private static Command Grant()
    {
        var email = new Option<string>("--email") { Description = "The account's e-mail address.", Required = true };
        var tenant = new Option<string>("--tenant") { Description = "Tenant slug.", Required = true };
        var role = new Option<string[]>("--role") { Description = "Role; repeat for several.", Required = true, AllowMultipleArgumentsPerToken = true };
        var command = new Command("grant", "Give an account roles in a tenant (added to any it has).") { email, tenant, role };
        command.SetAction((r, ct) => CliHost.RunAsync(async services =>
        {
            await using var scope = services.CreateAsyncScope();
            var membership = await scope.ServiceProvider.GetRequiredService<GrantMembership>()
                .HandleAsync(r.GetValue(email)!, r.GetValue(tenant)!, r.GetValue(role)!, ct);
            AnsiConsole.MarkupLineInterpolated($"{r.GetValue(email)} in {r.GetValue(tenant)}: {string.Join(", ", membership.Roles)}.");
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only members of this tenant." };
        var command = new Command("list", "List accounts with their memberships (tab-separated when piped).") { tenant };
        command.SetAction((r, ct) => CliHost.RunAsync(async services =>
        {
            await using var scope = services.CreateAsyncScope();
            var rows = (await scope.ServiceProvider.GetRequiredService<UserDirectory>().ListAsync(r.GetValue(tenant), ct))
                .Select(u => new[]
                {
                    u.Email, u.DisplayName, u.Status.ToString().ToLowerInvariant(), u.PlatformAdmin ? "platform-admin" : "",
                    u.MfaEnabled ? "mfa" : "", u.LockedUntil?.ToString("u", CultureInfo.InvariantCulture) ?? "", string.Join("; ", u.Memberships),
                })
                .ToList();
            if (Console.IsOutputRedirected)
            {
                rows.ForEach(row => Console.WriteLine(string.Join('\t', row)));
                return 0;
            }

            var table = new Table().AddColumns("E-mail", "Name", "Status", "Platform", "MFA", "Locked until", "Memberships");
            rows.ForEach(row => table.AddRow(row.Select(Markup.Escape).ToArray()));
            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static Command Unlock()
    {
        var email = new Option<string>("--email") { Description = "The account's e-mail address.", Required = true };
        var command = new Command("unlock", "Lift a lock-out after failed sign-ins and clear the failure count.") { email };
        command.SetAction((r, ct) => CliHost.RunAsync(async services =>
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<UserDirectory>().UnlockAsync(r.GetValue(email)!, ct);
            AnsiConsole.MarkupLineInterpolated($"{r.GetValue(email)} is unlocked.");
            return 0;
        }));
        return command;
    }

    private static Command ResetMfa()
    {
        var email = new Option<string>("--email") { Description = "The account's e-mail address.", Required = true };
        var command = new Command("reset-mfa", "Turn two-step sign-in off for someone who lost their authenticator and recovery codes (verify who they are first).") { email };
        command.SetAction((r, ct) => CliHost.RunAsync(async services =>
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<UserDirectory>().ResetMfaAsync(r.GetValue(email)!, ct);
            AnsiConsole.MarkupLineInterpolated($"Two-step sign-in is off for {r.GetValue(email)}; they set it up again at their next sign-in.");
            return 0;
        }));
        return command;
    }

    private static string AskPassword()
    {
        if (Console.IsInputRedirected)
        {
            // Scripts pipe the password in on one line (keeps it out of the process list).
            return Console.In.ReadLine() ?? "";
        }

        var first = AnsiConsole.Prompt(new TextPrompt<string>("Password:").Secret());
        var second = AnsiConsole.Prompt(new TextPrompt<string>("Again:").Secret());
        return first == second
            ? first
            : throw EhrException.Validation([new FieldError("password", ErrorCodes.InvalidFormat, "The two passwords differ.")]);
    }

    /// <summary>A random password for generated accounts (demo set-up): 20 characters, about 99 bits, no look-alikes.</summary>
    public static string RandomPassword()
    {
        var raw = RandomNumberGenerator.GetString("abcdefghjkmnpqrstuvwxyz23456789", 20);
        return string.Join('-', raw.Chunk(5).Select(c => new string(c)));
    }
}
