using System.Globalization;
using Hl7.Fhir.Model;

namespace Ehr.Web.Components.Forms;

/// <summary>
/// The FHIR and SDC extensions the renderer shows and the builder writes, by canonical URL (the engine keeps its own
/// list, internal to Ehr.Forms; these are the standard's URLs, so the two cannot drift), with typed reads and writes.
/// </summary>
internal static class SdcExtensions
{
    private const string Core = "http://hl7.org/fhir/StructureDefinition/";
    private const string SdcBase = "http://hl7.org/fhir/uv/sdc/StructureDefinition/";

    public const string CalculatedExpression = SdcBase + "sdc-questionnaire-calculatedExpression";
    public const string EnableWhenExpression = SdcBase + "sdc-questionnaire-enableWhenExpression";
    public const string InitialExpression = SdcBase + "sdc-questionnaire-initialExpression";
    public const string ObservationExtract = SdcBase + "sdc-questionnaire-observationExtract";
    public const string MinValue = Core + "minValue";
    public const string MaxValue = Core + "maxValue";
    public const string MinLength = Core + "minLength";
    public const string MaxDecimalPlaces = Core + "maxDecimalPlaces";
    public const string Unit = Core + "questionnaire-unit";
    public const string UnitOption = Core + "questionnaire-unitOption";
    public const string OrdinalValue = Core + "ordinalValue";
    public const string ItemWeight = Core + "itemWeight";
    public const string Iso21090CoValue = Core + "iso21090-CO-value";
    public const string Hidden = Core + "questionnaire-hidden";
    public const string ItemControl = Core + "questionnaire-itemControl";
    public const string EntryFormat = Core + "entryFormat";
    public const string OptionPrefix = Core + "questionnaire-optionPrefix";
    public const string ChoiceOrientation = Core + "questionnaire-choiceOrientation";
    public const string MinOccurs = Core + "questionnaire-minOccurs";
    public const string MaxOccurs = Core + "questionnaire-maxOccurs";
    public const string ItemControlSystem = "http://hl7.org/fhir/questionnaire-item-control";
    public const string Ucum = "http://unitsofmeasure.org";

    /// <summary>The item-control codes the renderer acts on (others fall back to the default control for the item).</summary>
    public static readonly IReadOnlyList<string> ItemControls = ["radio-button", "check-box", "drop-down"];

    public static DataType? ValueOf(IExtendable element, string url) =>
        element.Extension.FirstOrDefault(e => e.Url == url)?.Value;

    /// <summary>Sets the one extension with this URL, or removes it when the value is null.</summary>
    public static void Set(IExtendable element, string url, DataType? value)
    {
        element.Extension.RemoveAll(e => e.Url == url);
        if (value is not null) element.Extension.Add(new Extension(url, value));
    }

    public static Expression? ExpressionOf(IExtendable element, string url) => ValueOf(element, url) as Expression;

    public static void SetExpression(IExtendable element, string url, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            Set(element, url, null);
            return;
        }
        // Keep the expression's other members (a name, a description) when only its text changes.
        if (ExpressionOf(element, url) is { } existing)
        {
            existing.Expression_ = text;
            existing.Language ??= "text/fhirpath";
            return;
        }
        Set(element, url, new Expression { Language = "text/fhirpath", Expression_ = text });
    }

    public static bool IsCalculated(Questionnaire.ItemComponent item) =>
        !string.IsNullOrWhiteSpace(ExpressionOf(item, CalculatedExpression)?.Expression_);

    /// <summary>Whether an answer is demanded: required, or at least one answer (repetition) by minOccurs, as the engine reads it.</summary>
    public static bool IsRequired(Questionnaire.ItemComponent item) =>
        item.Required == true || ValueOf(item, MinOccurs) is Integer { Value: >= 1 };

    /// <summary>The most answers (repetitions, for a group) an item takes, when the form says (maxOccurs).</summary>
    public static int? MaxOccursOf(Questionnaire.ItemComponent item) => (ValueOf(item, MaxOccurs) as Integer)?.Value;

    public static bool IsHidden(Questionnaire.ItemComponent item) => ValueOf(item, Hidden) is FhirBoolean { Value: true };

    public static string? ItemControlOf(Questionnaire.ItemComponent item) =>
        (ValueOf(item, ItemControl) as CodeableConcept)?.Coding.FirstOrDefault()?.Code;

    public static void SetItemControl(Questionnaire.ItemComponent item, string? code) =>
        Set(item, ItemControl, string.IsNullOrEmpty(code) ? null : new CodeableConcept(ItemControlSystem, code));

    public static string? EntryFormatOf(Questionnaire.ItemComponent item) => (ValueOf(item, EntryFormat) as FhirString)?.Value;

    public static bool IsHorizontal(Questionnaire.ItemComponent item) =>
        ValueOf(item, ChoiceOrientation) is Code { Value: "horizontal" };

    public static string? PrefixOf(Questionnaire.AnswerOptionComponent option) => (ValueOf(option, OptionPrefix) as FhirString)?.Value;

    /// <summary>The score of an option: ordinalValue, itemWeight or CO-value on the option or on its coding.</summary>
    public static decimal? OrdinalOf(Questionnaire.AnswerOptionComponent option) =>
        Ordinal(option) ?? (option.Value is Coding c ? Ordinal(c) : null);

    private static decimal? Ordinal(IExtendable element)
    {
        foreach (var ext in element.Extension)
        {
            if (ext.Url is OrdinalValue or ItemWeight or Iso21090CoValue)
            {
                return ext.Value switch
                {
                    FhirDecimal d => d.Value,
                    Integer i => i.Value,
                    _ => null,
                };
            }
        }
        return null;
    }

    public static void SetOrdinal(Questionnaire.AnswerOptionComponent option, decimal? score)
    {
        // One score, on the option itself (where SDC puts it), whichever of the three URLs it came with.
        option.Extension.RemoveAll(e => e.Url is OrdinalValue or ItemWeight or Iso21090CoValue);
        if (option.Value is Coding c) c.Extension.RemoveAll(e => e.Url is OrdinalValue or ItemWeight or Iso21090CoValue);
        if (score is { } s) option.Extension.Add(new Extension(OrdinalValue, new FhirDecimal(s)));
    }

    /// <summary>The units an answer may take: the unit options, else the single unit.</summary>
    public static IReadOnlyList<Coding> UnitsOf(Questionnaire.ItemComponent item)
    {
        var options = item.Extension.Where(e => e.Url == UnitOption).Select(e => e.Value).OfType<Coding>().ToList();
        if (options.Count > 0) return options;
        return ValueOf(item, Unit) is Coding unit ? [unit] : [];
    }

    public static string UnitLabel(Coding unit) => unit.Display ?? unit.Code ?? "";

    public static string Describe(DataType? value) => value switch
    {
        null => "",
        Coding c => c.Display ?? c.Code ?? "",
        Quantity q => $"{q.Value?.ToString(CultureInfo.InvariantCulture)} {q.Unit ?? q.Code}".Trim(),
        ResourceReference r => r.Display ?? r.Reference ?? "",
        FhirDecimal d => d.Value?.ToString(CultureInfo.InvariantCulture) ?? "",
        Attachment a => a.Title ?? a.Url ?? "attachment",
        PrimitiveType p => p.ToString() ?? "",
        _ => value.TypeName,
    };
}
