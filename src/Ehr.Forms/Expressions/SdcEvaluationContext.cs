using Hl7.Fhir.FhirPath;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Expressions;

/// <summary>
/// The evaluation context of one SDC expression: the environment (<c>%resource</c>, <c>%context</c>,
/// <c>%questionnaire</c>, <c>%qitem</c>, launch context and named variables) and the questionnaire's scores for
/// <c>ordinal()</c>.
/// </summary>
internal sealed class SdcEvaluationContext : FhirEvaluationContext
{
    private readonly Func<string?, Coding, decimal?> _ordinal;
    private readonly Func<string?, DataType, decimal?> _ordinalOfValue;

    public SdcEvaluationContext(
        IDictionary<string, IEnumerable<PocoNode>> environment,
        Func<string?, Coding, decimal?> ordinal,
        Func<string?, DataType, decimal?> ordinalOfValue)
    {
        Environment = environment;
        _ordinal = ordinal;
        _ordinalOfValue = ordinalOfValue;
    }

    public decimal? Ordinal(string? linkId, Coding coding) => _ordinal(linkId, coding);

    public decimal? OrdinalOfValue(string? linkId, DataType value) => _ordinalOfValue(linkId, value);
}
