using System.Globalization;
using Hl7.Fhir.Model;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Forms.Definitions;

/// <summary>What kind of value each item type takes, and how values compare: one place for definitions and responses.</summary>
internal static class Answers
{
    public static bool TypeFits(ItemType type, DataType value) => type switch
    {
        ItemType.Boolean => value is FhirBoolean,
        ItemType.Decimal => value is FhirDecimal,
        ItemType.Integer => value is Integer,
        ItemType.Date => value is Date,
        ItemType.DateTime => value is FhirDateTime,
        ItemType.Time => value is Time,
        ItemType.String or ItemType.Text => value is FhirString,
        ItemType.Url => value is FhirUri,
        ItemType.Choice => value is Coding or FhirString or Integer or Date or Time or ResourceReference,
        ItemType.OpenChoice => value is Coding or FhirString or Integer or Date or Time or ResourceReference,
        ItemType.Attachment => value is Attachment,
        ItemType.Reference => value is ResourceReference,
        ItemType.Quantity => value is Quantity,
        _ => false,
    };

    /// <summary>The FHIR type name an item type's answers have, for messages.</summary>
    public static string ExpectedType(ItemType type) => type switch
    {
        ItemType.Boolean => "boolean",
        ItemType.Decimal => "decimal",
        ItemType.Integer => "integer",
        ItemType.Date => "date",
        ItemType.DateTime => "dateTime",
        ItemType.Time => "time",
        ItemType.String or ItemType.Text => "string",
        ItemType.Url => "uri",
        ItemType.Choice => "Coding (or the type of its answer options)",
        ItemType.OpenChoice => "Coding or string",
        ItemType.Attachment => "Attachment",
        ItemType.Reference => "Reference",
        ItemType.Quantity => "Quantity",
        _ => "nothing",
    };

    public static bool BoundFits(ItemType type, DataType bound) => type switch
    {
        ItemType.Integer => bound is Integer,
        ItemType.Decimal => bound is FhirDecimal or Integer,
        ItemType.Date => bound is Date,
        ItemType.DateTime => bound is FhirDateTime or Date,
        ItemType.Time => bound is Time,
        ItemType.Quantity => bound is Quantity or FhirDecimal or Integer,
        _ => false,
    };

    public static bool EnableWhenAnswerFits(ItemType targetType, Questionnaire.ItemComponent target, DataType answer) => targetType switch
    {
        ItemType.Boolean => answer is FhirBoolean,
        ItemType.Decimal => answer is FhirDecimal or Integer,
        ItemType.Integer => answer is Integer,
        ItemType.Date => answer is Date,
        ItemType.DateTime => answer is FhirDateTime or Date,
        ItemType.Time => answer is Time,
        ItemType.String or ItemType.Text or ItemType.Url => answer is FhirString,
        ItemType.Choice => target.AnswerOption.Count > 0
            ? target.AnswerOption.Any(o => o.Value?.GetType() == answer.GetType())
            : answer is Coding,
        ItemType.OpenChoice => answer is Coding or FhirString
            || target.AnswerOption.Any(o => o.Value?.GetType() == answer.GetType()),
        ItemType.Quantity => answer is Quantity,
        ItemType.Reference => answer is ResourceReference,
        _ => false,
    };

    public static bool IsOrdered(DataType value) => value is Integer or FhirDecimal or Date or FhirDateTime or Time or Quantity;

    private static decimal? Number(DataType value) => value switch
    {
        Integer i => i.Value,
        FhirDecimal d => d.Value,
        Quantity q => q.Value,
        _ => null,
    };

    /// <summary>Negative, zero or positive as <paramref name="a"/> is below, equal to or above <paramref name="b"/>; null when they do not compare.</summary>
    public static int? Compare(DataType a, DataType b)
    {
        if (a is Quantity qa && b is Quantity qb && !SameUnit(qa, qb)) return null;
        if (Number(a) is { } na && Number(b) is { } nb) return na.CompareTo(nb);
        if (a is Time ta && b is Time tb) return string.CompareOrdinal(ta.Value, tb.Value);
        if ((a is Date or FhirDateTime) && (b is Date or FhirDateTime))
        {
            var da = Instant(a);
            var db = Instant(b);
            return da is null || db is null ? null : da.Value.CompareTo(db.Value);
        }
        if (a is FhirString sa && b is FhirString sb) return string.CompareOrdinal(sa.Value, sb.Value);
        return null;
    }

    private static DateTimeOffset? Instant(DataType value)
    {
        var text = value switch
        {
            Date d => d.Value,
            FhirDateTime dt => dt.Value,
            _ => null,
        };
        if (text is null) return null;
        // Partial dates (2024, 2024-05) compare by their first instant.
        if (text.Length == 4) text += "-01-01";
        else if (text.Length == 7) text += "-01";
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
    }

    public static bool SameUnit(Quantity a, Quantity b) =>
        a.Code is not null && b.Code is not null
            ? a.Code == b.Code && (a.System is null || b.System is null || a.System == b.System)
            : string.Equals(a.Unit, b.Unit, StringComparison.Ordinal);

    public static bool AreEqual(DataType a, DataType b)
    {
        if (a is Coding ca && b is Coding cb)
            return ca.Code == cb.Code && (ca.System is null || cb.System is null || ca.System == cb.System);
        if (a is ResourceReference ra && b is ResourceReference rb) return ra.Reference == rb.Reference;
        if (a is Quantity qa && b is Quantity qb) return SameUnit(qa, qb) && qa.Value == qb.Value;
        if (Number(a) is { } na && Number(b) is { } nb && a is not Quantity && b is not Quantity) return na == nb;
        if ((a is Date or FhirDateTime) && (b is Date or FhirDateTime)) return Compare(a, b) == 0;
        return a.GetType() == b.GetType() && Key(a) == Key(b);
    }

    /// <summary>A text key that is equal for two equal answer values of the same type.</summary>
    public static string Key(DataType value) => value switch
    {
        Coding c => $"Coding|{c.System}|{c.Code}",
        ResourceReference r => $"Reference|{r.Reference}",
        Quantity q => $"Quantity|{q.Value?.ToString(CultureInfo.InvariantCulture)}|{q.System}|{q.Code ?? q.Unit}",
        FhirDecimal d => $"decimal|{d.Value?.ToString(CultureInfo.InvariantCulture)}",
        PrimitiveType p => $"{p.TypeName}|{p}",
        _ => $"{value.TypeName}|{value}",
    };

    public static string Describe(DataType value) => value switch
    {
        Coding c => c.Display is not null ? $"'{c.Display}' ({c.Code})" : $"'{c.Code}'",
        Quantity q => $"{q.Value?.ToString(CultureInfo.InvariantCulture)} {q.Unit ?? q.Code}",
        ResourceReference r => r.Reference ?? r.Display ?? "a reference",
        FhirDecimal d => d.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        PrimitiveType p => $"'{p}'",
        _ => value.TypeName,
    };
}
