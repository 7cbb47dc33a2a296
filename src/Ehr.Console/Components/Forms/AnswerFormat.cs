using System.Globalization;
using Hl7.Fhir.Model;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Web.Components.Forms;

/// <summary>
/// Between the text of an HTML input and a FHIR answer value, for each item type. Dates and times use the formats of
/// the browser's own controls (<c>yyyy-MM-dd</c>, <c>yyyy-MM-ddTHH:mm</c>, <c>HH:mm:ss</c>); a dateTime is entered in
/// the person's time zone and stored with its offset for that very instant (so daylight saving time is right).
/// </summary>
internal static class AnswerFormat
{
    /// <summary>The text an input shows for a value (empty when there is none or it does not fit the input).</summary>
    public static string ToInput(DataType? value, TimeZoneInfo zone) => value switch
    {
        null => "",
        Integer i => i.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        FhirDecimal d => d.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        Quantity q => q.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        Date d => d.Value is { Length: 10 } full ? full : "",
        FhirDateTime dt => LocalDateTime(dt, zone),
        Time t => t.Value ?? "",
        FhirString s => s.Value ?? "",
        FhirUri u => u.Value ?? "",
        ResourceReference r => r.Reference ?? "",
        _ => "",
    };

    private static string LocalDateTime(FhirDateTime value, TimeZoneInfo zone)
    {
        if (value.Value is not { Length: > 10 }) return "";
        if (!DateTimeOffset.TryParse(value.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)) return "";
        return TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The answer an input's text stands for: null with no error when the text is empty (no answer), null with an
    /// error when the text cannot be read as this type.
    /// </summary>
    public static DataType? FromInput(string? text, Questionnaire.ItemComponent item, TimeZoneInfo zone, out string? error)
    {
        error = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        switch (item.Type)
        {
            case ItemType.Integer:
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return new Integer(n);
                error = "Enter a whole number.";
                return null;
            case ItemType.Decimal:
                if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d)) return new FhirDecimal(d);
                error = "Enter a number.";
                return null;
            case ItemType.Date:
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)) return new Date(text);
                error = "Enter a date.";
                return null;
            case ItemType.DateTime:
                if (DateTime.TryParseExact(text, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
                {
                    var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
                    // An instant that does not exist in the zone (the hour skipped at a DST change) is not a valid entry.
                    if (zone.IsInvalidTime(unspecified))
                    {
                        error = "That time does not exist on that day (the clocks change).";
                        return null;
                    }
                    return new FhirDateTime(new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified)));
                }
                error = "Enter a date and time.";
                return null;
            case ItemType.Time:
                if (TimeOnly.TryParseExact(text, ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                    return new Time(time.ToString("HH:mm:ss", CultureInfo.InvariantCulture));
                error = "Enter a time.";
                return null;
            case ItemType.Url:
                return new FhirUri(text);
            case ItemType.Reference:
                return new ResourceReference(text);
            case ItemType.String or ItemType.Text or ItemType.OpenChoice:
                return new FhirString(text);
            default:
                error = "This question does not take typed text.";
                return null;
        }
    }

    /// <summary>A quantity from the number typed and the unit chosen (one of the item's units, or none).</summary>
    public static Quantity? QuantityFrom(string? number, Coding? unit, out string? error)
    {
        error = null;
        number = number?.Trim();
        if (string.IsNullOrEmpty(number)) return null;
        if (!decimal.TryParse(number, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            error = "Enter a number.";
            return null;
        }
        return new Quantity { Value = value, Unit = unit is null ? null : SdcExtensions.UnitLabel(unit), System = unit?.System, Code = unit?.Code };
    }

    /// <summary>A value for an attribute such as <c>min</c>/<c>max</c> of an input, from a minValue/maxValue bound.</summary>
    public static string? Bound(DataType? bound) => bound switch
    {
        Integer i => i.Value?.ToString(CultureInfo.InvariantCulture),
        FhirDecimal d => d.Value?.ToString(CultureInfo.InvariantCulture),
        Date d => d.Value,
        Time t => t.Value,
        Quantity q => q.Value?.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}
