using System.Text.RegularExpressions;

namespace Ehr.Platform.Database;

/// <summary>
/// Identifiers (schema and role names) cannot be bound as parameters, so they are validated against a strict pattern
/// before they are ever put into SQL text. Values always travel as parameters.
/// </summary>
internal static partial class SqlIdentifier
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Safe();

    public static string Quote(string identifier)
    {
        if (!Safe().IsMatch(identifier))
        {
            throw new ArgumentException($"'{identifier}' is not a safe SQL identifier.", nameof(identifier));
        }

        return "\"" + identifier + "\"";
    }
}
