namespace Ehr.Platform.Tenancy;

public enum TenantStatus
{
    Active,
    Suspended,
}

/// <summary>A tenant as the platform catalog knows it.</summary>
public sealed record Tenant(
    Guid Id,
    string Slug,
    string DisplayName,
    TenantStatus Status,
    string StarterPack,
    int SchemaVersion,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>Schema and role name, <c>t_&lt;slug&gt;</c>.</summary>
    public string SchemaName => TenantSlug.SchemaName(Slug);
}
