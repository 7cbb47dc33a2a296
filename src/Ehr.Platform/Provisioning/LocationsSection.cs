using System.Text.Json;
using Ehr.Platform.Locations;

namespace Ehr.Platform.Provisioning;

/// <summary><c>locations.json</c>: <c>[{ "code": "MAIN", "name": "Main street clinic", "timezone": "America/Chicago" }]</c>.</summary>
internal sealed class LocationsSection : IStarterPackSection
{
    public string Name => "locations";

    public int Order => 10;

    public async Task LoadAsync(StarterPackScope scope, JsonElement content, CancellationToken ct)
    {
        foreach (var item in content.EnumerateArray())
        {
            var code = item.GetProperty("code").GetString()!;
            var name = item.GetProperty("name").GetString()!;
            var timezone = item.TryGetProperty("timezone", out var tz) ? tz.GetString()! : "UTC";
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out _))
            {
                throw new InvalidOperationException($"Starter pack '{scope.PackName}': location '{code}' has unknown time zone '{timezone}'.");
            }

            scope.Db.Add(Location.Create(code, name, timezone));
        }

        await scope.Db.SaveChangesAsync(ct);
    }
}
