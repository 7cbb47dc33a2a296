using System.Text.RegularExpressions;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Tests.Architecture;

/// <summary>
/// Raw SQL names the columns it reads. Statements are prepared automatically and reused across tenants, so a
/// <c>SELECT *</c> fails ("cached plan must not change result type") whenever a migration has added a column to one
/// schema's table and not yet to another's; <see cref="EntityColumns"/> spells an entity's columns out from the model.
/// </summary>
public sealed partial class RawSqlShould
{
    [Fact]
    public void NeverSelectEveryColumn()
    {
        var offenders = Directory.EnumerateFiles(Path.Combine(Repository.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(Repository.Root, f), Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("//", StringComparison.Ordinal) && SelectStar().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}")
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void SpellAnEntitysColumnsOutFromTheModel()
    {
        using var platform = new PlatformDbContext(new DbContextOptionsBuilder<PlatformDbContext>().UseNpgsql("Host=unused").UseSnakeCaseNamingConvention().Options);
        var columns = EntityColumns.Of<UserAccount>(platform).Split(", ");

        Assert.Contains("\"email\"", columns);
        Assert.Contains("\"password_hash\"", columns);
        Assert.Equal(columns.Length, columns.Distinct().Count());
        Assert.Equal(platform.Model.FindEntityType(typeof(UserAccount))!.GetProperties().Count(), columns.Length);
        Assert.All(EntityColumns.Of<UserAccount>(platform, "u").Split(", "), c => Assert.StartsWith("u.\"", c, StringComparison.Ordinal));

        var query = platform.Users.SelectFrom($"FROM platform.users WHERE email = {"a@example.test"} FOR UPDATE").ToQueryString();
        // The value stays a parameter; the select list is the model's.
        Assert.StartsWith("-- p0='a@example.test'", query, StringComparison.Ordinal);
        Assert.Contains("SELECT " + EntityColumns.Of<UserAccount>(platform) + " FROM platform.users WHERE email = @p0 FOR UPDATE", query, StringComparison.Ordinal);
    }

    // A select list of * or alias.* in a C# string (SQL keywords are written in capitals here).
    [GeneratedRegex(@"SELECT\s+(\w+\.)?\*\s+FROM")]
    private static partial Regex SelectStar();
}
