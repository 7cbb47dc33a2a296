using System.Text.RegularExpressions;
using Ehr.Platform.Errors;

namespace Ehr.Platform.Tenancy;

/// <summary>
/// The tenant's short name: 3-40 characters of lowercase letters, digits and single hyphens, starting with a letter.
/// The schema and the role are both <c>t_&lt;slug&gt;</c> with hyphens as underscores; underscores are not allowed in
/// slugs, so that mapping is one-to-one.
/// </summary>
public static partial class TenantSlug
{
    // Names that would collide with routes, host names or platform concepts.
    private static readonly HashSet<string> ReservedWords =
    [
        "admin", "api", "app", "auth", "console", "default", "ehr", "fhir", "graphql", "health", "jobs", "login",
        "logout", "mail", "oauth", "platform", "portal", "postgres", "public", "root", "static", "status", "support",
        "system", "tenant", "tenants", "test", "www", "hangfire", "owner", "ext",
    ];

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex Pattern();

    /// <summary>Problems with a proposed slug, each naming <paramref name="path"/>; empty when valid.</summary>
    public static IReadOnlyList<FieldError> Validate(string? slug, string path = "slug")
    {
        if (string.IsNullOrEmpty(slug))
        {
            return [new FieldError(path, ErrorCodes.Required, "A tenant slug is required.")];
        }

        if (slug.Length is < 3 or > 40)
        {
            return [new FieldError(path, ErrorCodes.OutOfRange, "A tenant slug has 3 to 40 characters.")];
        }

        if (!Pattern().IsMatch(slug))
        {
            return [new FieldError(path, ErrorCodes.InvalidFormat,
                "Use lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen.")];
        }

        if (ReservedWords.Contains(slug))
        {
            return [new FieldError(path, ErrorCodes.Reserved, $"'{slug}' is reserved.")];
        }

        return [];
    }

    public static bool IsValid(string? slug) => Validate(slug).Count == 0;

    /// <summary>The schema (and role) name of a valid slug.</summary>
    public static string SchemaName(string slug) => "t_" + slug.Replace('-', '_');
}
