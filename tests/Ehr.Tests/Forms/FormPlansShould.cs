using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Forms;

/// <summary>
/// The plan kept per definition version (<see cref="PublishedForms"/>): one per published version, shared by every
/// response to it, its expressions compiled once; another version, or a draft being edited, never sees a stale one.
/// </summary>
public sealed class FormPlansShould
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static readonly ResponseEngine Engine = new();

    // Same url and version in both: only the artifact (id and content) tells them apart.
    private static string Scored(string expression) =>
        $$$"""{"resourceType":"Questionnaire","status":"active","url":"https://forms.example.org/plan","version":"1","item":[{"linkId":"a","type":"integer"},{"linkId":"score","type":"integer","readOnly":true,"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"{{{expression}}}"}}]}]}""";

    private static Artifact Form(string content, bool publish)
    {
        var artifact = Artifact.NewDraft(FormKind.Name, "plan", null, 1, "Plan", content, "test", "tester", Now);
        if (publish) artifact.Publish(1, null, "tester", Now);
        return artifact;
    }

    private static string? Score(FormPlan plan, int answer) =>
        Answers(Engine.Process(plan, R(plan.Questionnaire, A("a", new Integer(answer)))).Response, "score").SingleOrDefault()?.ToString();

    [Fact]
    public void KeepOnePlanPerPublishedVersionAndCompileItsExpressionsOnce()
    {
        using var forms = new PublishedForms();
        var published = Form(Scored("%resource.item.where(linkId = 'a').answer.value * 2"), publish: true);

        var plan = forms.Plan(published);
        Assert.Equal("6", Score(plan, 3));
        var compiled = plan.CompiledCount;
        var expression = plan.Compile("%resource.item.where(linkId = 'a').answer.value * 2");
        Assert.Equal("10", Score(forms.Plan(published), 5));

        Assert.Same(plan, forms.Plan(published));
        Assert.Same(plan.Questionnaire, forms.Read(published));
        Assert.Equal(1, compiled);
        Assert.Equal(compiled, plan.CompiledCount);
        Assert.Same(expression, plan.Compile("%resource.item.where(linkId = 'a').answer.value * 2"));
    }

    [Fact]
    public void GiveAnotherVersionItsOwnPlanEvenUnderTheSameCanonical()
    {
        using var forms = new PublishedForms();
        var doubled = Form(Scored("%resource.item.where(linkId = 'a').answer.value * 2"), publish: true);
        var tripled = Form(Scored("%resource.item.where(linkId = 'a').answer.value * 3"), publish: true);

        Assert.Equal("8", Score(forms.Plan(doubled), 4));
        Assert.Equal("12", Score(forms.Plan(tripled), 4));
        Assert.Equal("8", Score(forms.Plan(doubled), 4));
        Assert.NotSame(forms.Plan(doubled), forms.Plan(tripled));
    }

    [Fact]
    public void MakeANewPlanForADraftEachTimeSoEditsCount()
    {
        using var forms = new PublishedForms();
        var draft = Form(Scored("%resource.item.where(linkId = 'a').answer.value * 2"), publish: false);
        Assert.Equal("4", Score(forms.Plan(draft), 2));

        draft.Edit(1, "Plan", Scored("%resource.item.where(linkId = 'a').answer.value + 100"), Now);

        Assert.Equal("102", Score(forms.Plan(draft), 2));
        Assert.NotSame(forms.Plan(draft), forms.Plan(draft));
    }

    [Fact]
    public void ReportAnExpressionThatDoesNotCompileOnEveryResponseWithoutKeepingIt()
    {
        var plan = FormPlan.Of(Q("""[{"linkId":"a","type":"integer"},{"linkId":"score","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(("}}]}]"""));

        for (var i = 0; i < 2; i++)
        {
            var outcome = Engine.Process(plan, R(plan.Questionnaire, A("a", new Integer(1))));
            Assert.Contains(outcome.Problems, p => p.LinkId == "score" && p.Code == FormProblemCodes.ExpressionFailed);
        }

        Assert.Equal(0, plan.CompiledCount);
    }

    [Fact]
    public void ProcessAResponseThroughAKeptPlanAsThroughTheQuestionnaire()
    {
        var q = Library("phq-9");
        var plan = FormPlan.Of(q);
        var response = R(q, [.. Enumerable.Range(1, 9).Select(i => A($"phq9-item{i}", Code("LA6570-1"))), A("phq9-difficulty", Code("LA6573-5"))]);

        for (var i = 0; i < 3; i++)
        {
            var kept = Engine.Process(plan, response);
            var fresh = Engine.Process(q, response);
            Assert.Equal(QuestionnaireJson.Serialize(fresh.Response), QuestionnaireJson.Serialize(kept.Response));
            Assert.Equal(fresh.Problems, kept.Problems);
        }

        Assert.Equal("18", Answers(Engine.Process(plan, response).Response, "phq9-total").Single().ToString());
    }

    [Fact]
    public void HandOutOnlyTheValueSetsAFormNamesAndReadNoneForAFormThatNamesNone()
    {
        var plan = FormPlan.Of(Q("""
            [{"linkId":"a","type":"choice","answerValueSet":"https://vs.example.org/a"},
             {"linkId":"b","type":"choice","answerValueSet":"https://vs.example.org/a"},
             {"linkId":"c","type":"choice","answerValueSet":"#inside"}]
            """));
        Assert.Equal(["https://vs.example.org/a"], plan.TenantValueSets);
        var held = new InMemoryAnswerValueSets()
            .Add(new AnswerValueSet("https://vs.example.org/a", [new AnswerConcept("s", "1")]))
            .Add(new AnswerValueSet("https://vs.example.org/other", [new AnswerConcept("s", "2")]));
        var forms = TenantFormEngine.Over(held);

        var named = forms.NamedBy(plan);
        Assert.Equal("1", Assert.Single(named.Find("https://vs.example.org/a")!.Concepts).Code);
        Assert.Null(named.Find("https://vs.example.org/other"));
        Assert.Empty(FormPlan.Of(Library("phq-9")).TenantValueSets);
    }
}
