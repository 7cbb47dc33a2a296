using System.Text.RegularExpressions;
using Ehr.Platform.Errors;

namespace Ehr.Platform.Locations;

/// <summary>A new location: a short code (unique in the tenant), a name and an IANA time zone.</summary>
public sealed record LocationInput(string? Code, string? Name, string? Timezone);

/// <summary>What can change in a location: its name and time zone (the code is fixed).</summary>
public sealed record LocationChange(string? Name, string? Timezone);

/// <summary>Checks a location's fields and reports every problem at once, each with its field path.</summary>
internal static partial class LocationValidation
{
    public const int MaxName = 200;

    /// <summary>Upper-cased and trimmed; 1-20 letters, digits and hyphens, starting with a letter or digit.</summary>
    public static string? Code(string? code, string path, List<FieldError> errors)
    {
        var normalized = code?.Trim().ToUpperInvariant() ?? "";
        if (normalized.Length == 0)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A location code is required."));
            return null;
        }

        if (!CodePattern().IsMatch(normalized))
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat,
                "1 to 20 letters, digits and hyphens, starting with a letter or digit (for example MAIN or NORTH-2)."));
            return null;
        }

        return normalized;
    }

    public static string Name(string? name, string path, List<FieldError> errors)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A name is required."));
        }
        else if (trimmed.Length > MaxName || trimmed.Any(char.IsControl))
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {MaxName} characters, no control characters."));
        }

        return trimmed;
    }

    /// <summary>
    /// An IANA time zone id (<c>America/Chicago</c>, <c>UTC</c>). Windows ids resolve on this platform too, but are
    /// refused: stored ids must mean the same thing everywhere.
    /// </summary>
    public static string Timezone(string? timezone, string path, List<FieldError> errors)
    {
        var trimmed = timezone?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A time zone is required (an IANA id such as America/Chicago)."));
        }
        else if (trimmed.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(trimmed, out var zone) || !zone.HasIanaId ||
                 !string.Equals(zone.Id, trimmed, StringComparison.Ordinal))
        {
            errors.Add(new FieldError(path, ErrorCodes.UnknownReference, $"'{trimmed}' is not an IANA time zone id (such as America/Chicago)."));
        }

        return trimmed;
    }

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{0,19}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();
}
