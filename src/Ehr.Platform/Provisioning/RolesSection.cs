using System.Text.Json;
using Ehr.Platform.Identity.Roles;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Platform.Provisioning;

/// <summary>
/// <c>roles.json</c>: the pack's custom roles, <c>[{ "key", "name", "description", "permissions": [...] }]</c>, defined as
/// tenant-wide roles through <see cref="DefineRole"/> (the same checks and audit as a tenant admin's). The starter
/// workflows route tasks to them (a medical director, a practice lead); the tenant grants them to its people.
/// </summary>
internal sealed class RolesSection : IStarterPackSection
{
    public string Name => "roles";

    public int Order => 20;

    public async Task LoadAsync(StarterPackScope scope, JsonElement content, CancellationToken ct)
    {
        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException($"Starter pack '{scope.PackName}': roles.json is a list of {{ key, name, description, permissions }}.");
        }

        var define = scope.Services.GetRequiredService<DefineRole>();
        foreach (var item in content.EnumerateArray())
        {
            string? Text(string name) => item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var permissions = item.TryGetProperty("permissions", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(p => p.GetString() ?? "").ToList()
                : [];
            await define.HandleAsync(new RoleInput(Text("key"), Text("name"), Text("description"), permissions), ct);
        }
    }
}
