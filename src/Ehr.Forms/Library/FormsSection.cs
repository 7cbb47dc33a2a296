using System.Text.Json;
using Ehr.Platform.Provisioning;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Forms.Library;

/// <summary>
/// <c>forms.json</c> in a starter pack: the library forms a new tenant starts with, each published as a tenant
/// standard (source <c>pack:&lt;name&gt;</c>) through <see cref="ImportLibraryForm"/>, so they are checked and audited
/// like any import. Entries name a library file or key: <c>["phq-9.json", "gad-7"]</c>, or
/// <c>[{ "file": "phq-9.json" }, { "key": "gad-7" }]</c>.
/// </summary>
internal sealed class FormsSection : IStarterPackSection
{
    public string Name => "forms";

    // After locations (10), before demo data (patients, 100).
    public int Order => 50;

    public async Task LoadAsync(StarterPackScope scope, JsonElement content, CancellationToken ct)
    {
        var import = scope.Services.GetRequiredService<ImportLibraryForm>();
        foreach (var item in content.EnumerateArray())
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString()
                : item.TryGetProperty("file", out var file) ? file.GetString()
                : item.TryGetProperty("key", out var key) ? key.GetString()
                : null;
            if (ListLibraryForms.Find(name) is null)
            {
                throw new InvalidOperationException($"Starter pack '{scope.PackName}': forms.json names '{name ?? item.ToString()}', which is not in the form library.");
            }

            await import.ImportAsync(name, null, publish: true, $"From the {scope.PackName} starter pack.", "pack:" + scope.PackName, ct);
        }
    }
}
