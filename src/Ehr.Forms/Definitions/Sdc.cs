using Hl7.Fhir.Model;

namespace Ehr.Forms.Definitions;

/// <summary>The extensions the engine understands, by canonical URL. Anything else is reported as unsupported.</summary>
internal static class Sdc
{
    private const string Core = "http://hl7.org/fhir/StructureDefinition/";
    private const string SdcBase = "http://hl7.org/fhir/uv/sdc/StructureDefinition/";
    private const string R5 = "http://hl7.org/fhir/5.0/StructureDefinition/";

    public const string CalculatedExpression = SdcBase + "sdc-questionnaire-calculatedExpression";
    public const string InitialExpression = SdcBase + "sdc-questionnaire-initialExpression";
    public const string EnableWhenExpression = SdcBase + "sdc-questionnaire-enableWhenExpression";
    public const string LaunchContext = SdcBase + "sdc-questionnaire-launchContext";
    public const string ObservationExtract = SdcBase + "sdc-questionnaire-observationExtract";
    public const string ObservationLinkPeriod = SdcBase + "sdc-questionnaire-observationLinkPeriod";
    public const string Variable = Core + "variable";
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
    public const string MinOccurs = Core + "questionnaire-minOccurs";
    public const string MaxOccurs = Core + "questionnaire-maxOccurs";

    /// <summary>
    /// Presentation hints the renderer may use or not; they never change what an answer means, so accepting them
    /// without acting on them changes no result.
    /// </summary>
    public static readonly IReadOnlySet<string> PresentationHints = new HashSet<string>(StringComparer.Ordinal)
    {
        ItemControl, EntryFormat, Hidden,
        Core + "questionnaire-optionPrefix",
        Core + "questionnaire-displayCategory",
        Core + "questionnaire-choiceOrientation",
        Core + "rendering-xhtml",
        Core + "rendering-markdown",
        Core + "rendering-style",
        Core + "rendering-styleSensitive",
        SdcBase + "sdc-questionnaire-shortText",
        SdcBase + "sdc-questionnaire-optionalDisplay",
        // R5 elements carried into R4 forms (the SDC guide uses them): whether a disabled item is hidden or greyed.
        R5 + "extension-Questionnaire.item.disabledDisplay",
    };

    /// <summary>Facts about the form itself that change neither what is asked nor what an answer means.</summary>
    public static readonly IReadOnlySet<string> Metadata = new HashSet<string>(StringComparer.Ordinal)
    {
        // How the form's versions compare (semver, date ...): we version definitions ourselves.
        R5 + "extension-Questionnaire.versionAlgorithm[x]",
    };

    /// <summary>Extensions whose meaning the engine implements (validation, calculation, scoring, extraction).</summary>
    public static readonly IReadOnlySet<string> Behaviour = new HashSet<string>(StringComparer.Ordinal)
    {
        MinOccurs, MaxOccurs,
        CalculatedExpression, InitialExpression, EnableWhenExpression, LaunchContext, ObservationExtract, Variable,
        MinValue, MaxValue, MinLength, MaxDecimalPlaces, Unit, UnitOption, OrdinalValue, ItemWeight, Iso21090CoValue,
    };

    /// <summary>
    /// Whether an answer is demanded: <c>required</c>, or a minimum number of answers (repetitions, for a group) of one
    /// or more (<c>questionnaire-minOccurs</c>, as forms made with LHC-Forms say it).
    /// </summary>
    public static bool IsRequired(Questionnaire.ItemComponent item) =>
        item.Required == true || (ValueOf(item, MinOccurs) is Integer { Value: >= 1 });

    /// <summary>The item's least and greatest number of answers (repetitions, for a group), when the form sets them.</summary>
    public static (int? Min, int? Max) Occurs(Questionnaire.ItemComponent item) =>
        ((ValueOf(item, MinOccurs) as Integer)?.Value, (ValueOf(item, MaxOccurs) as Integer)?.Value);

    public static bool IsKnown(string? url) =>
        url is not null && (Behaviour.Contains(url) || PresentationHints.Contains(url) || Metadata.Contains(url));

    public static Expression? ExpressionOf(IExtendable element, string url) =>
        element.Extension.FirstOrDefault(e => e.Url == url)?.Value as Expression;

    public static DataType? ValueOf(IExtendable element, string url) =>
        element.Extension.FirstOrDefault(e => e.Url == url)?.Value;

    /// <summary>The score of an answer option: the ordinalValue / itemWeight / CO-value extension on the option or on its coding.</summary>
    public static decimal? OrdinalOf(IExtendable? element)
    {
        if (element is null) return null;
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

    /// <summary>Whether the item (or, failing that, the questionnaire) asks for observation extraction.</summary>
    public static bool ExtractsObservation(Questionnaire questionnaire, Questionnaire.ItemComponent item)
    {
        if (ValueOf(item, ObservationExtract) is FhirBoolean own) return own.Value == true;
        return ValueOf(questionnaire, ObservationExtract) is FhirBoolean all && all.Value == true && item.Code.Count > 0;
    }
}
