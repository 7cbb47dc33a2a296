using Ehr.Platform.Errors;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Ehr.Host.Cli;

/// <summary>Services for the one-shot verbs: the same modules as the web host, without HTTP and without a job server.</summary>
internal static class CliHost
{
    public static IHost Build()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddEhrConfiguration(new Dictionary<string, string?>
        {
            ["Jobs:RunServer"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Services.AddEhrModules(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Runs a verb, turning refusals into a readable message and a non-zero exit code.</summary>
    public static async Task<int> RunAsync(Func<IServiceProvider, Task<int>> verb)
    {
        try
        {
            using var host = Build();
            return await verb(host.Services);
        }
        catch (EhrException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Code}[/]: {e.Message}");
            foreach (var field in e.FieldErrors)
            {
                AnsiConsole.MarkupLineInterpolated($"  [yellow]{field.Path}[/] ({field.Code}): {field.Message}");
            }

            return 2;
        }
        catch (OptionsValidationException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Configuration[/]: {e.Message}");
            return 2;
        }
    }
}
