using System.Text.Json;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Provisioning;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Workflow.Definitions;

/// <summary>One workflow of a starter pack: its key, title and definition (the JSON of <c>workflows/&lt;name&gt;.json</c>).</summary>
internal sealed record PackWorkflow(string Key, string Title, string Content);

/// <summary>
/// <c>workflows.json</c> in a starter pack: <c>[{ "key", "title", "definition": "workflows/&lt;name&gt;.json" }]</c>. Each
/// definition is drafted and published as a tenant standard through the artifact store (the same checks as a tenant's
/// own: the schema and the whole graph against the actions and events the modules register), marked as coming from
/// the pack, inside the provisioning transaction: a workflow that does not check leaves no tenant behind.
/// </summary>
internal sealed class WorkflowsSection : IStarterPackSection
{
    public string Name => "workflows";

    // After roles (20), forms (30) and note templates (50), before demo patients (100): a workflow may name forms and
    // roles; demo patients' events then meet the published workflows like any later event.
    public int Order => 60;

    public async Task LoadAsync(StarterPackScope scope, JsonElement content, CancellationToken ct)
    {
        var pack = scope.Services.GetRequiredService<StarterPacks>().Find(scope.PackName)
                   ?? throw new InvalidOperationException($"Starter pack '{scope.PackName}' is not on disk.");
        var create = scope.Services.GetRequiredService<CreateDraft>();
        var lifecycle = scope.Services.GetRequiredService<ArtifactLifecycle>();
        foreach (var workflow in Read(pack.Directory, scope.PackName, content))
        {
            var draft = await create.FromStarterPackAsync(new NewDraft(WorkflowKind.Name, workflow.Key, null, workflow.Title, workflow.Content), scope, ct);
            await lifecycle.PublishAsync(draft.Id, draft.RowVersion, $"From the {scope.PackName} starter pack.", ct);
        }
    }

    /// <summary>The pack's workflows as its files describe them; a malformed entry or a path outside the pack is an error naming the pack.</summary>
    public static IReadOnlyList<PackWorkflow> Read(string packDirectory, string packName, JsonElement section)
    {
        if (section.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException($"Starter pack '{packName}': workflows.json is a list of {{ key, title, definition }}.");
        }

        var root = Path.GetFullPath(packDirectory) + Path.DirectorySeparatorChar;
        var workflows = new List<PackWorkflow>();
        foreach (var entry in section.EnumerateArray())
        {
            string Text(string name) => entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw new InvalidOperationException($"Starter pack '{packName}': a workflow without '{name}'.");
            var key = Text("key");
            var path = Path.GetFullPath(Path.Combine(packDirectory, Text("definition")));
            if (!path.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Starter pack '{packName}': workflow '{key}' points outside the pack.");
            }

            workflows.Add(new PackWorkflow(key, Text("title"), File.ReadAllText(path)));
        }

        return workflows;
    }
}
