using System.Reflection;

namespace Ehr.Platform.Schema;

/// <summary>
/// One step of a schema, identified by <c>&lt;module&gt;/&lt;file&gt;</c>, written to be safe to run again
/// (<c>IF NOT EXISTS</c>) and recorded in the schema's <c>schema_migrations</c> table once applied. Placeholders
/// <c>{{owner_role}}</c>, <c>{{app_role}}</c> and <c>{{tenant_role}}</c> are replaced by validated identifiers.
/// </summary>
public sealed record SchemaMigration(string Id, string Sql)
{
    /// <summary>Every embedded <c>.sql</c> resource of <paramref name="assembly"/> under <paramref name="folder"/>, by file name.</summary>
    public static IReadOnlyList<SchemaMigration> FromResources(Assembly assembly, string module, string folder)
    {
        var prefix = folder.TrimEnd('/') + "/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return new SchemaMigration(module + "/" + Path.GetFileNameWithoutExtension(n), reader.ReadToEnd());
            })
            .ToList();
    }
}

/// <summary>A module's part of every tenant schema. Modules are applied by <see cref="Order"/>, so later ones may reference earlier tables.</summary>
public interface ITenantSchemaContributor
{
    int Order { get; }

    IReadOnlyList<SchemaMigration> Migrations { get; }
}

internal sealed class PlatformTenantSchema : ITenantSchemaContributor
{
    public int Order => 0;

    public IReadOnlyList<SchemaMigration> Migrations { get; } =
        SchemaMigration.FromResources(typeof(PlatformTenantSchema).Assembly, "platform", "Schema/Tenant");
}
