using System.CommandLine;

namespace Ehr.Host.Cli;

internal static class Commands
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Ehr.Saas: multi-tenant electronic health record host.");
        root.Subcommands.Add(ServeCommands.Serve());
        root.Subcommands.Add(ServeCommands.Up());
        root.Subcommands.Add(ServeCommands.Worker());
        root.Subcommands.Add(AdminCommands.Migrate());
        root.Subcommands.Add(AdminCommands.Tenants());
        root.Subcommands.Add(AdminCommands.Token());
        root.Subcommands.Add(AdminCommands.Audit());
        root.Subcommands.Add(UserCommands.Users());
        root.Subcommands.Add(AdminCommands.Keys());
        return root;
    }
}
