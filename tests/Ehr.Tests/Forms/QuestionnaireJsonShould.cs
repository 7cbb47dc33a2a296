using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;

namespace Ehr.Tests.Forms;

public sealed class QuestionnaireJsonShould
{
    [Fact]
    public void ReadAQuestionnaireAndWriteItBackUnchanged()
    {
        const string json = """{"resourceType":"Questionnaire","id":"x","url":"https://forms.example.org/x","status":"draft","item":[{"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"1 + 1"}}],"linkId":"a","text":"A","type":"integer","required":true}]}""";

        var parsed = QuestionnaireJson.ParseQuestionnaire(json);

        Assert.True(parsed.Succeeded);
        Assert.Equal("a", parsed.Resource!.Item[0].LinkId);
        Assert.Equal(json, QuestionnaireJson.Serialize(parsed.Resource));
    }

    [Fact]
    public void ReportJsonThatIsNotJsonWithWhereItBroke()
    {
        var parsed = QuestionnaireJson.ParseQuestionnaire("{\n  \"resourceType\": \"Questionnaire\",\n  \"status\": }");

        var problem = Assert.Single(parsed.Problems);
        Assert.Null(parsed.Resource);
        Assert.Equal(FormProblemCodes.InvalidJson, problem.Code);
        Assert.Contains("line 3", problem.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void ReportAnEmptyDocument(string json)
    {
        var problem = Assert.Single(QuestionnaireJson.ParseQuestionnaire(json).Problems);
        Assert.Equal(FormProblemCodes.InvalidJson, problem.Code);
    }

    [Fact]
    public void ReportEachWrongElementWithItsPath()
    {
        const string json = """{"resourceType":"Questionnaire","status":"bogus","item":[{"linkId":"a","type":"integer","required":"yes"},{"linkId":3,"type":"string","colour":"red"}]}""";

        var parsed = QuestionnaireJson.ParseQuestionnaire(json);

        Assert.Null(parsed.Resource);
        Assert.All(parsed.Problems, p => Assert.Equal(FormProblemCodes.InvalidResource, p.Code));
        Assert.Equal(
            ["Questionnaire.item[0].required", "Questionnaire.item[1].colour", "Questionnaire.item[1].linkId", "Questionnaire.status"],
            parsed.Problems.Select(p => p.Path).Order());
    }

    [Fact]
    public void ReportAnItemTypeThatR4DoesNotHave()
    {
        var parsed = QuestionnaireJson.ParseQuestionnaire("""{"resourceType":"Questionnaire","status":"draft","item":[{"linkId":"a","type":"coding"}]}""");

        Assert.Equal("Questionnaire.item[0].type", Assert.Single(parsed.Problems).Path);
    }

    [Fact]
    public void ReportAnItemWithoutLinkIdOrType()
    {
        var parsed = QuestionnaireJson.ParseQuestionnaire("""{"resourceType":"Questionnaire","status":"draft","item":[{"text":"x"}]}""");

        Assert.Null(parsed.Resource);
        Assert.Equal(["Questionnaire.item[0].linkId", "Questionnaire.item[0].type"], parsed.Problems.Select(p => p.Path).Order());
    }

    [Fact]
    public void RefuseAnotherResourceType()
    {
        var parsed = QuestionnaireJson.ParseQuestionnaire("""{"resourceType":"Patient","id":"p"}""");

        Assert.Equal(FormProblemCodes.WrongResourceType, Assert.Single(parsed.Problems).Code);
    }

    [Fact]
    public void ReportAnUnknownResourceType()
    {
        var parsed = QuestionnaireJson.ParseQuestionnaire("""{"resourceType":"Form","id":"p"}""");

        Assert.Null(parsed.Resource);
        Assert.NotEmpty(parsed.Problems);
    }

    [Fact]
    public void ReadAResponse()
    {
        var parsed = QuestionnaireJson.ParseResponse("""{"resourceType":"QuestionnaireResponse","status":"completed","item":[{"linkId":"a","answer":[{"valueInteger":3}]}]}""");

        Assert.True(parsed.Succeeded);
        Assert.Equal(3, ((Integer)parsed.Resource!.Item[0].Answer[0].Value!).Value);
    }
}
