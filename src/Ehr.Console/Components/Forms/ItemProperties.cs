using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;
using Operator = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemOperator;

namespace Ehr.Web.Components.Forms;

/// <summary>
/// The builder inspector's reads and writes of an item's properties as text: values typed as FHIR literals
/// (<c>2024-05-01</c>, <c>12.5</c>, <c>true</c>), parsed for the item's type, with a plain error instead of a change
/// when the text does not fit. Keeps the inspector's markup free of FHIR details.
/// </summary>
internal static class ItemProperties
{
    public static bool TakesMaxLength(ItemType? type) =>
        type is ItemType.Boolean or ItemType.Decimal or ItemType.Integer or ItemType.String or ItemType.Text or ItemType.Url or ItemType.OpenChoice;

    public static bool TakesBounds(ItemType? type) =>
        type is ItemType.Integer or ItemType.Decimal or ItemType.Date or ItemType.DateTime or ItemType.Time or ItemType.Quantity;

    public static bool TakesUnits(ItemType? type) => type is ItemType.Integer or ItemType.Decimal or ItemType.Quantity;

    public static bool TakesOptions(Questionnaire.ItemComponent item) =>
        item.Type is ItemType.Choice or ItemType.OpenChoice || (item.AnswerOption.Count > 0 && item.Type is ItemType.Integer or ItemType.Date or ItemType.Time or ItemType.String or ItemType.Text);

    public static bool TakesInitial(Questionnaire.ItemComponent item) =>
        item.Type is not (null or ItemType.Group or ItemType.Display or ItemType.Attachment) && item.AnswerOption.Count == 0
        && item.AnswerValueSet is null && SdcExtensions.ExpressionOf(item, SdcExtensions.InitialExpression) is null;

    public static bool IsQuestion(Questionnaire.ItemComponent item) => item.Type is not (null or ItemType.Group or ItemType.Display);

    /// <summary>The item types the builder offers, in the order of its menu.</summary>
    public static readonly IReadOnlyList<ItemType> Types =
    [
        ItemType.String, ItemType.Text, ItemType.Boolean, ItemType.Choice, ItemType.OpenChoice, ItemType.Integer, ItemType.Decimal,
        ItemType.Date, ItemType.DateTime, ItemType.Time, ItemType.Quantity, ItemType.Url, ItemType.Attachment, ItemType.Reference,
        ItemType.Group, ItemType.Display,
    ];

    public static string TypeLabel(ItemType type) => type switch
    {
        ItemType.String => "Short text",
        ItemType.Text => "Long text",
        ItemType.Boolean => "Yes / no",
        ItemType.Choice => "Choice",
        ItemType.OpenChoice => "Choice or other",
        ItemType.Integer => "Whole number",
        ItemType.Decimal => "Decimal number",
        ItemType.Date => "Date",
        ItemType.DateTime => "Date and time",
        ItemType.Time => "Time",
        ItemType.Quantity => "Quantity with unit",
        ItemType.Url => "Web address",
        ItemType.Attachment => "File",
        ItemType.Reference => "Reference",
        ItemType.Group => "Section (group)",
        ItemType.Display => "Display text",
        _ => type.GetLiteral(),
    };

    // ------------------------------------------------------------------ literals

    /// <summary>Reads a FHIR literal as an answer of <paramref name="item"/>'s type (null with no error: empty text).</summary>
    public static DataType? Parse(Questionnaire.ItemComponent item, string? text, out string? error)
    {
        error = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        switch (item.Type)
        {
            case ItemType.Boolean:
                if (text is "true" or "false") return new FhirBoolean(text == "true");
                error = "Enter true or false.";
                return null;
            case ItemType.Integer:
                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return new Integer(n);
                error = "Enter a whole number.";
                return null;
            case ItemType.Decimal:
                if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d)) return new FhirDecimal(d);
                error = "Enter a number (with a dot for decimals).";
                return null;
            case ItemType.Quantity:
                if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var q))
                {
                    var unit = SdcExtensions.UnitsOf(item) is { Count: > 0 } units ? units[0] : null;
                    return new Quantity { Value = q, Unit = unit is null ? null : SdcExtensions.UnitLabel(unit), System = unit?.System, Code = unit?.Code };
                }
                error = "Enter a number (in the item's unit).";
                return null;
            case ItemType.Date:
                if (Date.IsValidValue(text)) return new Date(text);
                error = "Enter a date as YYYY-MM-DD.";
                return null;
            case ItemType.DateTime:
                if (FhirDateTime.IsValidValue(text)) return new FhirDateTime(text);
                error = "Enter a date and time as YYYY-MM-DDThh:mm:ss+zz:zz (or a date).";
                return null;
            case ItemType.Time:
                if (Time.IsValidValue(text)) return new Time(text);
                if (Time.IsValidValue(text + ":00")) return new Time(text + ":00");
                error = "Enter a time as hh:mm:ss.";
                return null;
            case ItemType.String or ItemType.Text:
                return new FhirString(text);
            case ItemType.Url:
                return new FhirUri(text);
            case ItemType.Reference:
                return new ResourceReference(text);
            case ItemType.Choice or ItemType.OpenChoice:
                // Without options to pick from: a code, or system|code.
                var bar = text.LastIndexOf('|');
                return bar > 0 ? new Coding(text[..bar], text[(bar + 1)..]) : item.Type == ItemType.OpenChoice ? new FhirString(text) : new Coding(null, text);
            default:
                error = "This item takes no value.";
                return null;
        }
    }

    /// <summary>A value written as the literal <see cref="Parse"/> reads.</summary>
    public static string Literal(DataType? value) => value switch
    {
        null => "",
        FhirBoolean b => b.Value == true ? "true" : b.Value == false ? "false" : "",
        Integer i => i.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        FhirDecimal d => d.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        Quantity q => q.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        Coding c => c.System is null ? c.Code ?? "" : $"{c.System}|{c.Code}",
        ResourceReference r => r.Reference ?? "",
        PrimitiveType p => p.ToString() ?? "",
        _ => "",
    };

    // ------------------------------------------------------------------ initial value, bounds, units

    public static string InitialText(Questionnaire.ItemComponent item) => Literal(item.Initial.FirstOrDefault()?.Value);

    public static string? SetInitial(Questionnaire.ItemComponent item, string? text)
    {
        var value = Parse(item, text, out var error);
        if (error is not null) return error;
        item.Initial.Clear();
        if (value is not null) item.Initial.Add(new Questionnaire.InitialComponent { Value = value });
        return null;
    }

    public static string BoundText(Questionnaire.ItemComponent item, string url) => Literal(SdcExtensions.ValueOf(item, url));

    public static string? SetBound(Questionnaire.ItemComponent item, string url, string? text)
    {
        // A quantity's bound is a plain number in its unit; a dateTime's may be a date.
        var value = item.Type == ItemType.Quantity
            ? Parse(new Questionnaire.ItemComponent { Type = ItemType.Decimal }, text, out var error)
            : Parse(item, text, out error);
        if (error is not null) return error;
        SdcExtensions.Set(item, url, value);
        return null;
    }

    /// <summary>The item's unit codes, comma separated.</summary>
    public static string UnitsText(Questionnaire.ItemComponent item) => string.Join(", ", SdcExtensions.UnitsOf(item).Select(u => u.Code));

    /// <summary>Sets the item's units from UCUM codes (comma separated): one is the unit, several are the options of a quantity.</summary>
    public static string? SetUnits(Questionnaire.ItemComponent item, string? text)
    {
        var codes = (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (codes.Count > 1 && item.Type != ItemType.Quantity) return "A number has one unit; only a quantity offers a choice of units.";
        if (codes.Any(c => c.Any(char.IsWhiteSpace))) return "A unit code has no spaces (UCUM, e.g. kg, cm, mm[Hg]).";
        var known = SdcExtensions.UnitsOf(item).ToDictionary(u => u.Code ?? "", StringComparer.Ordinal);
        item.Extension.RemoveAll(e => e.Url is SdcExtensions.Unit or SdcExtensions.UnitOption);
        var url = codes.Count > 1 ? SdcExtensions.UnitOption : SdcExtensions.Unit;
        foreach (var code in codes)
            item.Extension.Add(new Extension(url, known.TryGetValue(code, out var same) ? same : new Coding(SdcExtensions.Ucum, code, code)));
        return null;
    }

    // ------------------------------------------------------------------ conditions

    public static IReadOnlyList<Operator> OperatorsFor(Questionnaire.ItemComponent? target)
    {
        var ordered = target?.Type is ItemType.Integer or ItemType.Decimal or ItemType.Date or ItemType.DateTime or ItemType.Time or ItemType.Quantity
            || (target?.AnswerOption.Count > 0 && target.AnswerOption.All(o => o.Value is Integer or Date or Time));
        return ordered
            ? [Operator.Equal, Operator.NotEqual, Operator.GreaterThan, Operator.LessThan, Operator.GreaterOrEqual, Operator.LessOrEqual, Operator.Exists]
            : [Operator.Equal, Operator.NotEqual, Operator.Exists];
    }

    public static string OperatorLabel(Operator op) => op switch
    {
        Operator.Exists => "is answered (true) / not answered (false)",
        Operator.Equal => "=",
        Operator.NotEqual => "≠",
        Operator.GreaterThan => ">",
        Operator.LessThan => "<",
        Operator.GreaterOrEqual => "≥",
        Operator.LessOrEqual => "≤",
        _ => op.GetLiteral(),
    };

    /// <summary>Reads the answer a condition compares with, for its question and operator (exists takes true/false).</summary>
    public static DataType? ParseConditionAnswer(Questionnaire.ItemComponent target, Operator? op, string? text, out string? error)
    {
        if (op == Operator.Exists) return Parse(new Questionnaire.ItemComponent { Type = ItemType.Boolean }, text, out error);
        return Parse(target, text, out error);
    }

    /// <summary>A new condition on <paramref name="target"/>: equal to its first option, true, or answered.</summary>
    public static Questionnaire.EnableWhenComponent NewCondition(Questionnaire.ItemComponent target)
    {
        if (target.AnswerOption.FirstOrDefault()?.Value is { } first)
            return new Questionnaire.EnableWhenComponent { Question = target.LinkId, Operator = Operator.Equal, Answer = (DataType)first.DeepCopy() };
        if (target.Type == ItemType.Boolean)
            return new Questionnaire.EnableWhenComponent { Question = target.LinkId, Operator = Operator.Equal, Answer = new FhirBoolean(true) };
        return new Questionnaire.EnableWhenComponent { Question = target.LinkId, Operator = Operator.Exists, Answer = new FhirBoolean(true) };
    }

    /// <summary>Points a condition at another question, keeping its operator and answer when they still fit.</summary>
    public static void Retarget(Questionnaire.EnableWhenComponent condition, Questionnaire.ItemComponent target)
    {
        var fresh = NewCondition(target);
        condition.Question = target.LinkId;
        if (condition.Operator is not { } op || !OperatorsFor(target).Contains(op))
        {
            condition.Operator = fresh.Operator;
            condition.Answer = fresh.Answer;
            return;
        }
        if (op == Operator.Exists) return;
        var text = Literal(condition.Answer);
        if (target.AnswerOption.Count > 0)
        {
            if (!target.AnswerOption.Any(o => o.Value is not null && condition.Answer is not null && o.Value.IsExactly(condition.Answer)))
                condition.Answer = fresh.Answer ?? condition.Answer;
            return;
        }
        var parsed = ParseConditionAnswer(target, op, text, out var error);
        if (error is null && parsed is not null) condition.Answer = parsed;
        else
        {
            condition.Operator = fresh.Operator;
            condition.Answer = fresh.Answer;
        }
    }

    /// <summary>Sets a condition's operator, turning the answer into a boolean for exists (and back).</summary>
    public static void SetOperator(Questionnaire.EnableWhenComponent condition, Questionnaire.ItemComponent? target, Operator op)
    {
        var was = condition.Operator;
        condition.Operator = op;
        if (op == Operator.Exists && condition.Answer is not FhirBoolean) condition.Answer = new FhirBoolean(true);
        // Back from exists: the first option or true when the question has them; otherwise the answer is typed next.
        else if (was == Operator.Exists && op != Operator.Exists && target is not null && NewCondition(target) is { Operator: not Operator.Exists } fresh)
            condition.Answer = fresh.Answer;
    }

    // ------------------------------------------------------------------ observation extraction

    public static bool Extracts(Questionnaire.ItemComponent item) => SdcExtensions.ValueOf(item, SdcExtensions.ObservationExtract) is FhirBoolean { Value: true };

    public static void SetExtracts(Questionnaire.ItemComponent item, bool on) =>
        SdcExtensions.Set(item, SdcExtensions.ObservationExtract, on ? new FhirBoolean(true) : null);

    /// <summary>Sets the item's (first) code, the Observation's code when extracted; an empty code removes it.</summary>
    public static void SetCode(Questionnaire.ItemComponent item, string? system, string? code, string? display)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            if (item.Code.Count > 0) item.Code.RemoveAt(0);
            return;
        }
        var coding = new Coding(string.IsNullOrWhiteSpace(system) ? null : system.Trim(), code.Trim(), string.IsNullOrWhiteSpace(display) ? null : display.Trim());
        if (item.Code.Count == 0) item.Code.Add(coding);
        else item.Code[0] = coding;
    }
}
