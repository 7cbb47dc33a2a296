using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Extraction;

/// <summary>One Observation of an extraction plan and the questionnaire item (link id) it comes from.</summary>
public sealed record ExtractedObservation(string LinkId, Observation Observation);

/// <summary>
/// SDC observation-based extraction as a plan: the Observations a completed response yields, for a later step to
/// write through the Clinical module in the response's transaction. An item is extracted when it carries
/// <c>observationExtract = true</c>, or when the questionnaire does and the item has a code (an item can opt out with
/// false). Each answer becomes one Observation: the item's codes, the answer as value, the response's subject,
/// authored time as effective time, and <c>derivedFrom</c> the response. Pure: run it on the server's processed
/// response (<see cref="Responses.ResponseEngine.Process"/>), never on what the client sent.
/// </summary>
public static class ObservationExtraction
{
    private static readonly CodeableConcept SurveyCategory = new("http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey");

    /// <param name="responseReference">How the Observations point back at the response, for example <c>QuestionnaireResponse/123</c>.</param>
    public static IReadOnlyList<Observation> Plan(Questionnaire questionnaire, QuestionnaireResponse response, string responseReference) =>
        PlanItems(questionnaire, response, responseReference).Select(p => p.Observation).ToList();

    /// <summary><see cref="Plan"/>, each Observation with the link id of the item it comes from.</summary>
    public static IReadOnlyList<ExtractedObservation> PlanItems(Questionnaire questionnaire, QuestionnaireResponse response, string responseReference)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrWhiteSpace(responseReference);
        var index = ItemIndex.Of(questionnaire);
        var observations = new List<ExtractedObservation>();
        void Walk(IEnumerable<QuestionnaireResponse.ItemComponent> items)
        {
            foreach (var item in items)
            {
                if (index.ByLinkId.TryGetValue(item.LinkId ?? "", out var node) && node.IsQuestion
                    && node.Item.Code.Count > 0 && Sdc.ExtractsObservation(questionnaire, node.Item))
                {
                    foreach (var answer in item.Answer)
                        if (answer.Value is { } value && ToObservationValue(value) is { } converted)
                            observations.Add(new ExtractedObservation(node.LinkId, Build(node.Item, converted, response, responseReference)));
                }
                Walk(item.Item);
                foreach (var answer in item.Answer) Walk(answer.Item);
            }
        }
        Walk(response.Item);
        return observations;
    }

    private static Observation Build(Questionnaire.ItemComponent item, DataType value, QuestionnaireResponse response, string responseReference) => new()
    {
        Status = ObservationStatus.Final,
        Category = [(CodeableConcept)SurveyCategory.DeepCopy()],
        Code = new CodeableConcept { Coding = item.Code.Select(c => (Coding)c.DeepCopy()).ToList(), Text = item.Text },
        Subject = (ResourceReference?)response.Subject?.DeepCopy(),
        Encounter = (ResourceReference?)response.Encounter?.DeepCopy(),
        Effective = response.Authored is null ? null : new FhirDateTime(response.Authored),
        Performer = response.Author is null ? [] : [(ResourceReference)response.Author.DeepCopy()],
        Value = value,
        DerivedFrom = [new ResourceReference(responseReference)],
    };

    private static DataType? ToObservationValue(DataType answer) => answer switch
    {
        Coding c => new CodeableConcept { Coding = [(Coding)c.DeepCopy()], Text = c.Display },
        // Observation.value has no decimal: a plain number becomes a unitless quantity.
        FhirDecimal d => new Quantity { Value = d.Value },
        Integer i => new Integer(i.Value),
        FhirString s => new FhirString(s.Value),
        FhirBoolean b => new FhirBoolean(b.Value),
        Quantity q => (Quantity)q.DeepCopy(),
        FhirDateTime dt => new FhirDateTime(dt.Value),
        Date d => new FhirDateTime(d.Value),
        Time t => new Time(t.Value),
        // Observation.value cannot hold these; the definition validator refuses extraction on such items.
        _ => null,
    };
}
