using System.Globalization;
using System.Text;

namespace Ehr.Clinical.Paging;

/// <summary>An opaque cursor for newest-first pages ordered by (time, id): the last row's time and id.</summary>
internal static class KeysetCursor
{
    public static string Of(DateTimeOffset at, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(at.UtcTicks.ToString(CultureInfo.InvariantCulture) + ":" + id.ToString("N")));

    public static bool TryParse(string? value, out (DateTimeOffset At, Guid Id) position)
    {
        position = default;
        if (value is null)
        {
            return false;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(value)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) &&
                ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
            {
                position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }
}
