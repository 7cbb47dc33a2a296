using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Locations;

/// <summary>A site of the tenant. Patients are shared across locations; configuration may differ per location.</summary>
public sealed class Location
{
    private Location()
    {
    }

    public Guid Id { get; private set; }

    public string Code { get; private set; } = "";

    public string Name { get; private set; } = "";

    public string Timezone { get; private set; } = "UTC";

    public bool Active { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public static Location Create(string code, string name, string timezone) => new()
    {
        Id = Guid.CreateVersion7(),
        Code = code,
        Name = name,
        Timezone = timezone,
        Active = true,
        CreatedAt = DateTimeOffset.UtcNow,
    };
}

internal sealed class LocationModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Location>(e =>
        {
            e.ToTable("locations");
            e.HasKey(l => l.Id);
        });
}
