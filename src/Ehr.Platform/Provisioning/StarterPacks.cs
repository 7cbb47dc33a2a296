using System.Text.Json;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.Extensions.Options;

namespace Ehr.Platform.Provisioning;

public sealed class StarterPackOptions
{
    public const string SectionName = "StarterPacks";

    /// <summary>The <c>tenant-templates</c> folder; by default the copy beside the host, else the nearest one above the working directory.</summary>
    public string? Directory { get; set; }
}

/// <summary>
/// One part of a starter pack (<c>tenant-templates/&lt;pack&gt;/&lt;name&gt;.json</c>), loaded by the module that owns
/// that kind of data, through its own use cases, inside the provisioning transaction.
/// </summary>
public interface IStarterPackSection
{
    string Name { get; }

    /// <summary>Sections load in ascending order, so later ones may refer to what earlier ones created.</summary>
    int Order { get; }

    Task LoadAsync(StarterPackScope scope, JsonElement content, CancellationToken ct);
}

/// <summary>What a section loads into: the new tenant's unit of work and the provisioning scope's services.</summary>
public sealed record StarterPackScope(TenantDbContext Db, IServiceProvider Services, string PackName);

public sealed record StarterPack(string Name, string DisplayName, string Description, string Directory);

/// <summary>The starter packs on disk.</summary>
public sealed class StarterPacks(IOptions<StarterPackOptions> options)
{
    private readonly Lazy<string> _root = new(() => FindRoot(options.Value.Directory));

    public string Root => _root.Value;

    public IReadOnlyList<StarterPack> List() =>
        System.IO.Directory.EnumerateDirectories(Root)
            .Where(d => File.Exists(Path.Combine(d, "pack.json")))
            .Select(Read)
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();

    public StarterPack? Find(string name) =>
        List().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    private static StarterPack Read(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "pack.json")));
        var root = doc.RootElement;
        return new StarterPack(Path.GetFileName(dir),
            root.TryGetProperty("displayName", out var n) ? n.GetString() ?? "" : Path.GetFileName(dir),
            root.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "",
            dir);
    }

    private static string FindRoot(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return System.IO.Directory.Exists(configured)
                ? Path.GetFullPath(configured)
                : throw new InvalidOperationException($"StarterPacks:Directory '{configured}' does not exist.");
        }

        var beside = Path.Combine(AppContext.BaseDirectory, "tenant-templates");
        if (System.IO.Directory.Exists(beside))
        {
            return beside;
        }

        for (var dir = new DirectoryInfo(System.IO.Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tenant-templates");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No tenant-templates folder found; set StarterPacks:Directory.");
    }

    internal static EhrException Unknown(string name, IEnumerable<StarterPack> known) => EhrException.Validation(
    [
        new FieldError("pack", ErrorCodes.UnknownReference,
            $"No starter pack '{name}'. Available: {string.Join(", ", known.Select(p => p.Name))}."),
    ]);
}
