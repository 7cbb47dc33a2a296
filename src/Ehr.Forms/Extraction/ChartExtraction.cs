using Ehr.Platform.Contracts;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Extraction;

/// <summary>
/// An extraction plan (<see cref="ObservationExtraction.PlanItems"/>) as the chart's contract takes it: the item's
/// first coding with a system as the code (the definition validator makes sure there is one), the answer as the value,
/// the response's authored time as the effective time, the response as the source and the link id as the item.
/// </summary>
internal static class ChartExtraction
{
    public static IReadOnlyList<DerivedChartObservation> Map(IReadOnlyList<ExtractedObservation> plan, Guid patientId, string responseReference) =>
        plan.Select(p => Map(p, patientId, responseReference)).OfType<DerivedChartObservation>().ToList();

    private static DerivedChartObservation? Map(ExtractedObservation planned, Guid patientId, string responseReference)
    {
        var observation = planned.Observation;
        var coding = observation.Code.Coding.FirstOrDefault(c => !string.IsNullOrEmpty(c.System) && !string.IsNullOrEmpty(c.Code));
        if (coding is null || Value(observation.Value) is not { } value)
        {
            return null;
        }

        var effective = (observation.Effective as FhirDateTime)?.TryToDateTimeOffset(out var at) == true ? at : (DateTimeOffset?)null;
        return new DerivedChartObservation(patientId, new ChartCode(coding.System!, coding.Code!, coding.Display ?? observation.Code.Text), value,
            effective, responseReference, planned.LinkId);
    }

    private static ChartValue? Value(DataType? value) => value switch
    {
        Quantity { Value: { } number } q => new ChartValue(Quantity: number, Unit: q.Unit, UnitCode: q.Code),
        Integer { Value: { } whole } => new ChartValue(WholeNumber: whole),
        FhirString { Value: { } text } => new ChartValue(Text: text),
        FhirBoolean { Value: { } flag } => new ChartValue(Boolean: flag),
        CodeableConcept concept => Coded(concept),
        FhirDateTime dateTime when dateTime.TryToDateTimeOffset(out var at) => new ChartValue(DateTime: at),
        Time { Value: { } time } => new ChartValue(Text: time),
        _ => null,
    };

    private static ChartValue? Coded(CodeableConcept concept)
    {
        if (concept.Coding.FirstOrDefault(c => !string.IsNullOrEmpty(c.System) && !string.IsNullOrEmpty(c.Code)) is { } coded)
        {
            return new ChartValue(Coding: new ChartCode(coded.System!, coded.Code!, coded.Display));
        }

        // An answer option coded without a system keeps its meaning as text.
        var shown = concept.Text ?? concept.Coding.Select(c => c.Display ?? c.Code).FirstOrDefault(t => t is not null);
        return shown is null ? null : new ChartValue(Text: shown);
    }
}
