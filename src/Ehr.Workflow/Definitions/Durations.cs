using System.Globalization;
using System.Text.RegularExpressions;

namespace Ehr.Workflow.Definitions;

/// <summary>
/// ISO-8601 durations in weeks, days, hours, minutes and seconds (<c>PT72H</c>, <c>P3D</c>, <c>P1W</c>). Years and
/// months are refused: their length depends on the calendar and the time zone, and a due date must mean the same
/// thing whenever it is computed. A day is 24 hours (the engine counts in UTC).
/// </summary>
public static partial class Durations
{
    /// <summary>Longer than anything a workflow waits for; beyond it a typo is more likely than intent.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(3660);

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is null) return false;
        var m = Pattern().Match(text);
        if (!m.Success || text == "P" || text.EndsWith('T')) return false;
        try
        {
            decimal Part(string name) => m.Groups[name].Success ? decimal.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0m;
            var seconds = Part("w") * 7 * 86400 + Part("d") * 86400 + Part("h") * 3600 + Part("m") * 60 + Part("s");
            if (seconds > (decimal)Longest.TotalSeconds) return false;
            duration = TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not a supported ISO-8601 duration.");

    [GeneratedRegex(@"^P(?:(?<w>\d{1,7})W)?(?:(?<d>\d{1,7})D)?(?:T(?:(?<h>\d{1,9})H)?(?:(?<m>\d{1,10})M)?(?:(?<s>\d{1,12}(?:\.\d{1,7})?)S)?)?$")]
    private static partial Regex Pattern();
}
