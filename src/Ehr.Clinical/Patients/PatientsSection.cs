using System.Text.Json;
using Ehr.Platform.Locations;
using Ehr.Platform.Provisioning;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Clinical.Patients;

/// <summary>
/// <c>patients.json</c> in a starter pack: synthetic demo patients, each a <see cref="PatientInput"/> in JSON with
/// <c>homeLocationCode</c> in place of an id. Registered through <see cref="RegisterPatient"/>, so they are validated,
/// get real MRNs and are audited like any other registration.
/// </summary>
internal sealed class PatientsSection : IStarterPackSection
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name => "patients";

    public int Order => 100;

    public async Task LoadAsync(StarterPackScope scope, JsonElement content, CancellationToken ct)
    {
        var locations = await scope.Db.Set<Location>().AsNoTracking().ToDictionaryAsync(l => l.Code, l => l.Id, ct);
        var register = scope.Services.GetRequiredService<RegisterPatient>();
        foreach (var item in content.EnumerateArray())
        {
            var input = item.Deserialize<PatientInput>(Json)!;
            if (item.TryGetProperty("homeLocationCode", out var code))
            {
                input = input with
                {
                    HomeLocationId = locations.TryGetValue(code.GetString()!, out var id)
                        ? id
                        : throw new InvalidOperationException($"Starter pack '{scope.PackName}': no location '{code.GetString()}'."),
                };
            }

            await register.HandleAsync(input, ct);
        }
    }
}
