using Ehr.Forms.Responses;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Forms;

/// <summary>Which items a response enables, asked item by item (a renderer's question), including unanswered ones.</summary>
public sealed class EnabledItemsShould
{
    private static readonly ResponseEngine Engine = new();

    [Fact]
    public void DisableAnUnansweredQuestionUntilItsConditionHolds()
    {
        var q = Q("""
            [{"linkId":"smoker","type":"boolean"},
             {"linkId":"packs","type":"integer","enableWhen":[{"question":"smoker","operator":"=","answerBoolean":true}]}]
            """);
        var packs = q.Item[1];

        var none = EnabledItems.Of(q, Engine.Process(q, R(q), ResponseCheck.Save).Response);
        var no = EnabledItems.Of(q, Engine.Process(q, R(q, A("smoker", new FhirBoolean(false))), ResponseCheck.Save).Response);
        var yes = EnabledItems.Of(q, Engine.Process(q, R(q, A("smoker", new FhirBoolean(true))), ResponseCheck.Save).Response);

        Assert.False(none.IsEnabled(packs, null));
        Assert.False(no.IsEnabled(packs, null));
        Assert.True(yes.IsEnabled(packs, null));
        Assert.True(yes.IsEnabled(q.Item[0], null));
        Assert.False(yes.IsEnabled(new Questionnaire.ItemComponent { LinkId = "packs" }, null)); // not an item of this form
    }

    [Fact]
    public void DecideEachRepetitionOfAGroupOnItsOwnAnswers()
    {
        var q = Q("""
            [{"linkId":"med","type":"group","repeats":true,"item":[
               {"linkId":"takes","type":"boolean"},
               {"linkId":"dose","type":"string","enableWhen":[{"question":"takes","operator":"=","answerBoolean":true}]}]}]
            """);
        var response = new QuestionnaireResponse();
        foreach (var takes in new[] { true, false })
        {
            response.Item.Add(new QuestionnaireResponse.ItemComponent
            {
                LinkId = "med",
                Item = [new() { LinkId = "takes", Answer = [new() { Value = new FhirBoolean(takes) }] }],
            });
        }
        var processed = Engine.Process(q, response, ResponseCheck.Save).Response;
        var enabled = EnabledItems.Of(q, processed);
        var dose = q.Item[0].Item[1];

        Assert.True(enabled.IsEnabled(dose, processed.Item[0]));
        Assert.False(enabled.IsEnabled(dose, processed.Item[1]));
    }
}
