using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Roles;

/// <summary>
/// A tenant's own role: a named set of permissions under a key, tenant-wide (<see cref="LocationId"/> null, the
/// group's standard) or for one location (an override of the same key there). A configuration artifact: versioned,
/// and every change names the version it was based on.
/// </summary>
public sealed class CustomRole
{
    private CustomRole()
    {
    }

    public Guid Id { get; private set; }

    public string Key { get; private set; } = "";

    public Guid? LocationId { get; private set; }

    public string Name { get; private set; } = "";

    public string? Description { get; private set; }

    public string[] Permissions { get; private set; } = [];

    public int Version { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    internal static CustomRole Define(string key, Guid? locationId, ValidRole data, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        Key = key,
        LocationId = locationId,
        Name = data.Name,
        Description = data.Description,
        Permissions = [.. data.Permissions],
        Version = 1,
        CreatedAt = now,
        UpdatedAt = now,
    };

    /// <summary>The caller saw <paramref name="expectedVersion"/>; anything else is <c>VERSION_CONFLICT</c>.</summary>
    internal void CheckVersion(int expectedVersion)
    {
        if (expectedVersion != Version)
        {
            throw EhrException.VersionConflict("Role " + Key, expectedVersion, Version);
        }
    }

    internal void Revise(int expectedVersion, ValidRole data, DateTimeOffset now)
    {
        CheckVersion(expectedVersion);
        Name = data.Name;
        Description = data.Description;
        Permissions = [.. data.Permissions];
        Version++;
        UpdatedAt = now;
    }
}

/// <summary>A role's name, description and permissions after validation (trimmed, permissions known and distinct).</summary>
internal sealed record ValidRole(string Name, string? Description, IReadOnlyList<string> Permissions);

internal sealed class CustomRoleModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<CustomRole>(e =>
        {
            e.ToTable("roles");
            e.HasKey(r => r.Id);
            e.Property(r => r.Version).IsConcurrencyToken();
        });
}
