using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Locations;

/// <summary>
/// A site of the tenant. Patients are shared across locations; configuration may differ per location. Its code is
/// fixed once created (role overrides, memberships and later appointments name the location by id, people by code);
/// its name and time zone change, and it is deactivated rather than deleted, so nothing that points at it dangles.
/// </summary>
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

    public int Version { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public static Location Create(string code, string name, string timezone) => Create(code, name, timezone, DateTimeOffset.UtcNow);

    internal static Location Create(string code, string name, string timezone, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        Code = code,
        Name = name,
        Timezone = timezone,
        Active = true,
        Version = 1,
        CreatedAt = now,
        UpdatedAt = now,
    };

    internal void Change(int expectedVersion, string name, string timezone, DateTimeOffset now)
    {
        CheckVersion(expectedVersion);
        Name = name;
        Timezone = timezone;
        Touch(now);
    }

    /// <summary>Deactivated locations keep their data and history; they can no longer be assigned to anyone.</summary>
    internal void SetActive(int expectedVersion, bool active, DateTimeOffset now)
    {
        CheckVersion(expectedVersion);
        Active = active;
        Touch(now);
    }

    private void CheckVersion(int expectedVersion)
    {
        if (expectedVersion != Version)
        {
            throw EhrException.VersionConflict("Location " + Code, expectedVersion, Version);
        }
    }

    private void Touch(DateTimeOffset now)
    {
        Version++;
        UpdatedAt = now;
    }
}

internal sealed class LocationModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Location>(e =>
        {
            e.ToTable("locations");
            e.HasKey(l => l.Id);
            e.Property(l => l.Version).IsConcurrencyToken();
        });
}
