using System.Diagnostics;
using Ehr.Host.Cli;
using YamlDotNet.RepresentationModel;

namespace Ehr.Tests.Operations;

/// <summary>
/// No Docker engine runs here, so the deployment files are checked statically: Compose's own validator
/// (Debian's docker-compose, installed by ./ehr test) and the facts the host relies on.
/// </summary>
public sealed class DeploymentShould
{
    private static readonly string Root = Repository.Root;

    [Fact]
    public void RunTheApiHostWithAFixedHttpsIssuerAndWithoutDevelopmentTokens()
    {
        var environment = (YamlMappingNode)Node(Services(), "host", "environment")!;
        var values = environment.Children.ToDictionary(k => k.Key.ToString(), k => k.Value.ToString());

        Assert.StartsWith("${EHR_ISSUER:?", values["EHR_ISSUER"], StringComparison.Ordinal);
        Assert.Equal("false", values["Identity__DevelopmentTokens"]);
        Assert.Equal("true", values["Identity__RequireHttps"]);
        Assert.Contains("EHR_TRUSTED_PROXIES", values.Keys);
    }

    [Fact]
    public async Task BeAValidComposeFile()
    {
        var psi = new ProcessStartInfo("docker-compose", ["-f", Path.Combine(Root, "docker-compose.yml"), "config", "--quiet"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = Root,
        };
        psi.Environment["POSTGRES_PASSWORD"] = "check-only";
        psi.Environment["EHR_DB_PASSWORD"] = "check-only";
        psi.Environment["EHR_ISSUER"] = "https://ehr.example.test/";
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("docker-compose is missing: ./ehr test installs it (apt-get install -y docker-compose).", e);
        }

        using (process)
        {
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, errors);
        }
    }

    [Fact]
    public void RunTheDatabaseTheHostAndAWorker()
    {
        var services = Services();

        Assert.Equal(["db", "host", "worker"], services.Children.Keys.Select(k => k.ToString()).Order());
        Assert.NotNull(Node(services, "db", "healthcheck", "test"));
        Assert.Equal("service_healthy", Node(services, "host", "depends_on", "db", "condition")!.ToString());
        Assert.Equal("service_healthy", Node(services, "worker", "depends_on", "db", "condition")!.ToString());
        Assert.StartsWith("127.0.0.1:", ((YamlSequenceNode)Node(services, "host", "ports")!).Children[0].ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host")]
    [InlineData("worker")]
    public void GiveTheHostEverythingItNeeds(string service)
    {
        var services = Services();
        var environment = (YamlMappingNode)Node(services, service, "environment")!;
        var command = ((YamlSequenceNode)Node(services, service, "command")!).Children[0].ToString();

        Assert.Contains("EHR_DATABASE_URL", environment.Children.Keys.Select(k => k.ToString()));
        Assert.Contains("EHR_DATA_DIR", environment.Children.Keys.Select(k => k.ToString()));
        Assert.Contains(Commands.Build().Subcommands, c => c.Name == command);
    }

    [Fact]
    public void BootstrapTheDatabaseWithTheSameScriptAsTheEmbeddedCluster()
    {
        var mounts = ((YamlSequenceNode)Node(Services(), "db", "volumes")!).Children.Select(v => v.ToString()).ToList();
        var init = File.ReadAllText(Path.Combine(Root, "infra", "postgres-init.sh"));

        Assert.Contains("./infra/bootstrap.sql:/ehr/bootstrap.sql:ro", mounts);
        Assert.Contains("-f /ehr/bootstrap.sql", init, StringComparison.Ordinal);
        Assert.Contains("bootstrap.sql", File.ReadAllText(Path.Combine(Root, "ehr")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Root, "infra", "Dockerfile")));
    }

    [Theory]
    [InlineData("ehr")]
    [InlineData(".ci/run")]
    public void ShipScriptsThatParse(string script)
    {
        var psi = new ProcessStartInfo("bash", ["-n", Path.Combine(Root, script)]) { RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, errors);
        Assert.True(script != ".ci/run" || File.ReadAllText(Path.Combine(Root, script)).Contains("./ehr test", StringComparison.Ordinal));
    }

    private static YamlMappingNode Services()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Root, "docker-compose.yml"))));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children["services"];
    }

    private static YamlNode? Node(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(key, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

}
