using System.Text.Json;
using System.Text.Json.Nodes;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Provisioning;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Forms.Templates;

/// <summary>One documentation template of a starter pack: its key, title and content (the JSON with the Liquid narrative put in).</summary>
internal sealed record PackNoteTemplate(string Key, string Title, string Content);

/// <summary>
/// <c>note-templates.json</c> in a starter pack: <c>[{ "key", "title", "template": "note-templates/&lt;name&gt;" }]</c>, where
/// <c>&lt;name&gt;.json</c> holds the content (note type, code, description, questionnaire) and <c>&lt;name&gt;.liquid</c> the
/// narrative, kept as a file of its own so it reads as what it is. Each is drafted and published as a tenant standard
/// through the artifact store's use cases (the same checks as a tenant's own), marked as coming from the pack, inside
/// the provisioning transaction: a template that does not check leaves no tenant behind.
/// </summary>
internal sealed class NoteTemplatesSection : IStarterPackSection
{
    public string Name => "note-templates";

    // After locations (10), before demo patients (100): templates depend on nothing but the tenant.
    public int Order => 50;

    public async Task LoadAsync(StarterPackScope scope, JsonElement content, CancellationToken ct)
    {
        var pack = scope.Services.GetRequiredService<StarterPacks>().Find(scope.PackName)
                   ?? throw new InvalidOperationException($"Starter pack '{scope.PackName}' is not on disk.");
        var create = scope.Services.GetRequiredService<CreateDraft>();
        var lifecycle = scope.Services.GetRequiredService<ArtifactLifecycle>();
        // Publishing checks answer value sets against the tenant's (those the pack has put there by now).
        await scope.Services.GetRequiredService<TenantFormEngine>().LoadAsync(ct);
        foreach (var template in Read(pack.Directory, scope.PackName, content))
        {
            var draft = await create.FromStarterPackAsync(new NewDraft(NoteTemplateKind.Name, template.Key, null, template.Title, template.Content), scope, ct);
            await lifecycle.PublishAsync(draft.Id, draft.RowVersion, $"From the {scope.PackName} starter pack.", ct);
        }
    }

    /// <summary>The pack's templates as files describe them; a malformed entry or a path outside the pack is an error naming the pack.</summary>
    public static IReadOnlyList<PackNoteTemplate> Read(string packDirectory, string packName, JsonElement section)
    {
        if (section.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException($"Starter pack '{packName}': note-templates.json is a list of {{ key, title, template }}.");
        }

        var root = Path.GetFullPath(packDirectory) + Path.DirectorySeparatorChar;
        var templates = new List<PackNoteTemplate>();
        foreach (var entry in section.EnumerateArray())
        {
            string Text(string name) => entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw new InvalidOperationException($"Starter pack '{packName}': a note template without '{name}'.");
            var key = Text("key");
            var path = Path.GetFullPath(Path.Combine(packDirectory, Text("template")));
            if (!path.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Starter pack '{packName}': note template '{key}' points outside the pack.");
            }

            var content = JsonNode.Parse(File.ReadAllText(path + ".json")) as JsonObject
                          ?? throw new InvalidOperationException($"Starter pack '{packName}': {path}.json is not a JSON object.");
            if (File.Exists(path + ".liquid"))
            {
                if (content.ContainsKey("narrative"))
                {
                    throw new InvalidOperationException($"Starter pack '{packName}': note template '{key}' has a narrative in its JSON and in a .liquid file.");
                }

                content["narrative"] = File.ReadAllText(path + ".liquid");
            }

            templates.Add(new PackNoteTemplate(key, Text("title"), content.ToJsonString()));
        }

        return templates;
    }
}
