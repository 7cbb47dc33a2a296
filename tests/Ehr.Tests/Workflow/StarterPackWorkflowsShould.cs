using System.Text.Json;
using System.Text.RegularExpressions;
using Ehr.Clinical;
using Ehr.Forms;
using Ehr.Platform.Identity;
using Ehr.Workflow;
using Ehr.Workflow.Definitions;
using Ehr.Workflow.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Tests.Workflow;

/// <summary>
/// The starter packs' workflows (<c>tenant-templates/*/workflows.json</c>) against what the modules really register
/// (not the engine tests' catalog): each passes every check publishing makes, routes tasks only to roles that exist
/// (built in, or defined by the same pack's <c>roles.json</c>), and the co-signature one starts on an NP's signature
/// as the clinical module raises it, and not on a physician's.
/// </summary>
public sealed partial class StarterPackWorkflowsShould
{
    private static readonly Lazy<ServiceProvider> Modules = new(() =>
    {
        var services = new ServiceCollection();
        services.AddEhrClinical();
        services.AddEhrForms();
        services.AddEhrWorkflow();
        return services.BuildServiceProvider();
    });

    private static WorkflowDefinitions Definitions => Modules.Value.GetRequiredService<WorkflowDefinitions>();

    public static TheoryData<string, string> Workflows()
    {
        var data = new TheoryData<string, string>();
        foreach (var (pack, workflow) in All())
        {
            data.Add(pack, workflow.Key);
        }

        return data;
    }

    [Fact]
    public void GiveEveryPackTheWorkflowsThatBelongToIt()
    {
        var keys = All().GroupBy(w => w.Pack).ToDictionary(g => g.Key, g => g.Select(w => w.Workflow.Key).Order().ToList());

        Assert.Equal(["intake-review", "medication-refill", "note-cosignature", "referral-review"], keys["primary-care"]);
        Assert.Equal(["intake-review", "medication-refill", "note-cosignature"], keys["behavioral-health"]);
        Assert.Equal(["intake-review", "note-cosignature"], keys["dermatology"]);
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void PassEveryPublishingCheckAgainstTheRegisteredActionsAndEvents(string pack, string key)
    {
        var workflow = All().Single(w => w.Pack == pack && w.Workflow.Key == key).Workflow;

        Assert.Empty(Definitions.Check(workflow.Content, publishing: true));
    }

    [Theory]
    [MemberData(nameof(Workflows))]
    public void RouteTasksOnlyToRolesThatExist(string pack, string key)
    {
        var workflow = All().Single(w => w.Pack == pack && w.Workflow.Key == key).Workflow;
        var packRoles = PackRoles(pack);

        var named = RoleNames().Matches(workflow.Content).Select(m => m.Groups["json"].Success ? m.Groups["json"].Value : m.Groups["script"].Value).ToList();

        Assert.NotEmpty(named);
        Assert.All(named, role => Assert.True(Permissions.IsKnownRole(role) || packRoles.Contains(role), $"{pack}/{key} routes to the role '{role}', which nothing defines."));
    }

    [Fact]
    public void StartTheCoSignatureOnANursePractitionersSignatureOnly()
    {
        var loaded = Definitions.Load(All().First(w => w.Workflow.Key == "note-cosignature").Workflow.Content, Guid.NewGuid());
        Assert.True(loaded.Succeeded);
        var engine = Modules.Value.GetRequiredService<WorkflowEngine>();
        var location = Guid.NewGuid();
        StepResult Signed(params string[] roles) => engine.Start(loaded.Plan!, StartWorkflow.For(Guid.NewGuid(), new WorkflowEvent(Guid.NewGuid(), "note.signed", "Note",
            "note-1", location, JsonSerializer.SerializeToElement(new { patientId = "p1", authorId = "np.ray", signedBy = "np.ray", actorId = "np.ray", actorRoles = roles }),
            "np.ray", DateTimeOffset.UnixEpoch)), DateTimeOffset.UnixEpoch);

        var byNp = Signed("nurse-practitioner");
        Assert.Equal(StepStatus.Applied, byNp.Status);
        Assert.Equal("note.requestCosign", Assert.Single(byNp.Effects.OfType<InvokeAction>()).Action);
        Assert.Equal(StepStatus.NotStarted, Signed("physician").Status);
        Assert.Equal(StepStatus.NotStarted, Signed("nurse-practitioner", "physician").Status);
        Assert.Equal(StepStatus.NotStarted, Signed("nurse").Status);
    }

    private static IEnumerable<(string Pack, PackWorkflow Workflow)> All()
    {
        foreach (var dir in Directory.EnumerateDirectories(Root()).Order(StringComparer.Ordinal))
        {
            var section = Path.Combine(dir, "workflows.json");
            if (!File.Exists(section))
            {
                continue;
            }

            using var document = JsonDocument.Parse(File.ReadAllText(section));
            foreach (var workflow in WorkflowsSection.Read(dir, Path.GetFileName(dir), document.RootElement))
            {
                yield return (Path.GetFileName(dir), workflow);
            }
        }
    }

    private static HashSet<string> PackRoles(string pack)
    {
        var file = Path.Combine(Root(), pack, "roles.json");
        if (!File.Exists(file))
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllText(file));
        return document.RootElement.EnumerateArray().Select(r => r.GetProperty("key").GetString()!).ToHashSet(StringComparer.Ordinal);
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tenant-templates");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No tenant-templates folder above the test binaries.");
    }

    /// <summary>A role named in JSON (<c>"role": "nurse"</c>) or in an assignee script (<c>role: 'nurse'</c>).</summary>
    [GeneratedRegex("\"role\"\\s*:\\s*\"(?<json>[a-z0-9-]+)\"|role:\\s*'(?<script>[a-z0-9-]+)'")]
    private static partial Regex RoleNames();
}
