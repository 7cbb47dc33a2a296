using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Web.Components.Forms;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Console;

/// <summary>
/// The pieces between the console's form pages and the forms use cases: refusals placed beside the items they name,
/// a response's scores as lists show them, the tenant's form versions grouped by form and scope, keys for new forms.
/// </summary>
public sealed class FormsConsoleShould
{
    private const string Calculated = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";

    [Fact]
    public void PlaceARefusedCompletionsProblemsOnTheResponseItemsTheyName()
    {
        FieldError[] refused =
        [
            new("content.item[1].answer[0]", "ABOVE_MAXIMUM", "Above the maximum (24).", "sleep"),
            new("content", "REQUIRED", "This question needs an answer.", "q1"),
            new("reason", "REQUIRED", "Say why, in 5 to 500 characters."),
        ];

        Assert.Equal(
            [
                new FormProblem("sleep", "ABOVE_MAXIMUM", "Above the maximum (24).", "QuestionnaireResponse.item[1].answer[0]"),
                new FormProblem("q1", "REQUIRED", "This question needs an answer.", "QuestionnaireResponse"),
            ],
            ServerProblems.OfResponse(refused));
        Assert.Equal(["reason"], ServerProblems.Others(refused).Select(e => e.Path));
        Assert.Equal("Questionnaire.item[2].enableWhen[0].question",
            ServerProblems.OfDefinition([new FieldError("content.item[2].enableWhen[0].question", "ENABLE_WHEN_ORDER", "Not before this item.", "late")])[0].Path);
        Assert.Empty(ServerProblems.OfDefinition([new FieldError("contentType", "INVALID_FORMAT", "No.")]));
    }

    [Fact]
    public void ListAResponsesCalculatedValuesInTheFormsOrderWithTheirUnitsAndNotHiddenOnes()
    {
        var q = Q($$$"""
            [{"linkId":"a","text":"A","type":"integer"},
             {"linkId":"scores","type":"group","text":"Scores","item":[
               {"linkId":"total","text":"Total","type":"integer","readOnly":true,
                "extension":[{"url":"{{{Calculated}}}","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = 'a').answer.value.sum()"}},
                             {"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-unit","valueCoding":{"system":"http://unitsofmeasure.org","code":"{score}","display":"score"}}]},
               {"linkId":"secret","text":"Secret","type":"integer","extension":[
                 {"url":"{{{Calculated}}}","valueExpression":{"language":"text/fhirpath","expression":"1"}},
                 {"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-hidden","valueBoolean":true}]},
               {"linkId":"empty","text":"Empty","type":"integer","extension":[
                 {"url":"{{{Calculated}}}","valueExpression":{"language":"text/fhirpath","expression":"{}"}}]}]}]
            """);
        var processed = new ResponseEngine().Process(q, new QuestionnaireResponse
        {
            Item = [new QuestionnaireResponse.ItemComponent { LinkId = "a", Answer = [new QuestionnaireResponse.AnswerComponent { Value = new Integer(7) }] }],
        }, ResponseCheck.Save).Response;

        Assert.Equal([new ScoreLine("total", "Total", "7 score")], ResponseSummary.Scores(q, processed));
        Assert.Empty(ResponseSummary.Scores(q, new QuestionnaireResponse()));
    }

    [Fact]
    public void GroupFormVersionsByFormInTitleOrderAndByScopeWithTheVersionInForceAndTheDraft()
    {
        var north = Guid.NewGuid();
        var south = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        var v1 = Published(Artifact.NewDraft("form", "intake", null, 1, "Intake", "{}", "tenant", "admin", now));
        var v2 = Published(Artifact.NewDraft("form", "intake", null, 2, "Intake (2025)", "{}", "tenant", "admin", now));
        var v3 = Artifact.NewDraft("form", "intake", null, 3, "Intake (draft)", "{}", "tenant", "admin", now);
        var northV1 = Published(Artifact.NewDraft("form", "intake", north, 1, "Intake North", "{}", "tenant", "admin", now));
        var southV1 = Artifact.NewDraft("form", "intake", south, 1, "Intake South", "{}", "tenant", "admin", now);
        var retired = Published(Artifact.NewDraft("form", "audit-c", null, 1, "AUDIT-C", "{}", "tenant", "admin", now));
        retired.Retire(retired.RowVersion, "admin", now);

        var zeta = Artifact.NewDraft("form", "a-screen", null, 1, "Zeta screening", "{}", "tenant", "admin", now);

        var forms = FormsOverview.Of([v1, southV1, zeta, v3, northV1, retired, v2], new Dictionary<Guid, string> { [north] = "North clinic", [south] = "Another site" });

        Assert.Equal(["audit-c", "intake", "a-screen"], forms.Select(f => f.Key));
        Assert.Equal(("AUDIT-C", "retired v1", null), (forms[0].Title, forms[0].Standard!.Status, forms[0].Standard!.InForce));
        var intake = forms[1];
        Assert.Equal(("Intake (2025)", "published v2 · draft v3"), (intake.Title, intake.Standard!.Status));
        Assert.Equal([3, 2, 1], intake.Standard.Versions.Select(v => v.Version));
        Assert.Equal([("Another site", "draft v1"), ("North clinic", "published v1")], intake.Overrides.Select(o => (o.Name, o.Status)));
        Assert.Equal(["Standard", "Another site", "North clinic"], intake.Scopes.Select(s => s.Name));
        Assert.Same(v3, intake.Standard.Draft);
    }

    [Theory]
    [InlineData("Smoking and mood", "smoking-and-mood")]
    [InlineData("  Pain (0–10) assessment! ", "pain-0-10-assessment")]
    [InlineData("", "form")]
    [InlineData("PHQ-9", "phq-9-2")]
    public void SuggestAWellFormedKeyForANewFormThatNoFormHasYet(string title, string key)
    {
        var taken = new HashSet<string>(["phq-9", "form-x"], StringComparer.Ordinal);
        Assert.Equal(key, FormsOverview.SuggestKey(title, taken));
    }

    private static Artifact Published(Artifact draft)
    {
        draft.Publish(draft.RowVersion, "note", "admin", DateTimeOffset.UtcNow);
        return draft;
    }
}
