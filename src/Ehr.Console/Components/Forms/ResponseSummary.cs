using Hl7.Fhir.Model;

namespace Ehr.Web.Components.Forms;

/// <summary>One calculated answer of a response (a score, a severity, a body mass index) as a list shows it.</summary>
public sealed record ScoreLine(string LinkId, string Caption, string Value);

/// <summary>
/// What a list of responses shows of each: its calculated items that have a value (scores and what is derived from
/// them), in the form's order, as the server computed them when it stored the response. Hidden calculated items are
/// left out, as the renderer leaves them out.
/// </summary>
public static class ResponseSummary
{
    public static IReadOnlyList<ScoreLine> Scores(Questionnaire questionnaire, QuestionnaireResponse response)
    {
        ArgumentNullException.ThrowIfNull(questionnaire);
        ArgumentNullException.ThrowIfNull(response);
        var lines = new List<ScoreLine>();
        Walk(questionnaire.Item, response.Item, lines);
        return lines;
    }

    private static void Walk(List<Questionnaire.ItemComponent> definitions, List<QuestionnaireResponse.ItemComponent> answered, List<ScoreLine> lines)
    {
        foreach (var definition in definitions)
        {
            foreach (var item in answered.Where(i => i.LinkId == definition.LinkId))
            {
                if (SdcExtensions.IsCalculated(definition) && !SdcExtensions.IsHidden(definition) &&
                    item.Answer.Select(a => a.Value).OfType<DataType>().ToList() is { Count: > 0 } values)
                {
                    var unit = values[0] is Quantity ? null : SdcExtensions.UnitsOf(definition).Select(SdcExtensions.UnitLabel).FirstOrDefault();
                    var text = string.Join(", ", values.Select(SdcExtensions.Describe)) + (string.IsNullOrEmpty(unit) ? "" : " " + unit);
                    lines.Add(new ScoreLine(definition.LinkId ?? "", Caption(definition), text));
                }

                Walk(definition.Item, item.Item, lines);
                foreach (var answer in item.Answer)
                {
                    Walk(definition.Item, answer.Item, lines);
                }
            }
        }
    }

    private static string Caption(Questionnaire.ItemComponent item) =>
        string.IsNullOrWhiteSpace(item.Text) ? item.LinkId ?? "item" : item.Text;
}
