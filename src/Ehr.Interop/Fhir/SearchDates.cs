using System.Globalization;
using Ehr.Platform.Errors;

namespace Ehr.Interop.Fhir;

/// <summary>
/// FHIR date search (<c>authored=ge2026-03-01&amp;authored=lt2026-04-01</c>): a prefix (<c>eq</c> by default, <c>ge</c>,
/// <c>gt</c>, <c>le</c>, <c>lt</c>) and a value whose precision (year, month, day, or a time to the second) makes it a
/// range; several parameters all apply. A value without a time zone is taken as UTC. The result is one half-open
/// interval [from, before).
/// </summary>
internal static class SearchDates
{
    public static (DateTimeOffset? From, DateTimeOffset? Before) Interval(IEnumerable<string> values, string parameter)
    {
        DateTimeOffset? from = null, before = null;
        foreach (var raw in values.Where(v => !string.IsNullOrEmpty(v)))
        {
            var prefix = raw.Length > 2 && char.IsLetter(raw[0]) && char.IsLetter(raw[1]) ? raw[..2] : "eq";
            var value = prefix == "eq" && !raw.StartsWith("eq", StringComparison.Ordinal) ? raw : raw[2..];
            if (Range(value) is not var (low, high))
            {
                throw Invalid(parameter, $"'{raw}' is not a FHIR date (2026, 2026-03, 2026-03-01 or 2026-03-01T09:30:00Z, with ge, gt, le, lt or eq before it).");
            }

            (DateTimeOffset? f, DateTimeOffset? b) bound = prefix switch
            {
                "eq" => (low, high),
                "ge" => (low, null),
                "gt" => (high, null),
                "le" => (null, high),
                "lt" => (null, low),
                _ => throw Invalid(parameter, $"'{prefix}': the prefixes supported are eq, ge, gt, le and lt."),
            };
            if (bound.f is { } f && (from is null || f > from))
            {
                from = f;
            }

            if (bound.b is { } b && (before is null || b < before))
            {
                before = b;
            }
        }

        return (from, before);
    }

    private static (DateTimeOffset Low, DateTimeOffset High)? Range(string value)
    {
        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (value.Length == 4 && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year >= 1)
        {
            var start = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero);
            return (start, start.AddYears(1));
        }

        if (value.Length == 7 && DateTimeOffset.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, styles, out var month))
        {
            return (month, month.AddMonths(1));
        }

        if (value.Length == 10 && DateTimeOffset.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, styles, out var day))
        {
            return (day, day.AddDays(1));
        }

        string[] formats = ["yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"];
        if (DateTimeOffset.TryParseExact(value, formats, CultureInfo.InvariantCulture, styles, out var instant))
        {
            // The value's precision makes the range: a minute, a second, or the instant itself with fractions.
            var time = System.Text.RegularExpressions.Regex.Replace(value[(value.IndexOf('T', StringComparison.Ordinal) + 1)..], "(Z|[+-]\\d{2}:\\d{2})$", "");
            var precision = time.Contains('.', StringComparison.Ordinal) ? TimeSpan.FromTicks(1)
                : time.Count(c => c == ':') == 2 ? TimeSpan.FromSeconds(1)
                : TimeSpan.FromMinutes(1);
            return (instant, instant + precision);
        }

        return null;
    }

    private static EhrException Invalid(string parameter, string message) =>
        EhrException.Validation([new FieldError(parameter, ErrorCodes.InvalidFormat, message)]);
}
