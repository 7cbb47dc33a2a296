using Ehr.Forms.Definitions;
using Ehr.Forms.Library;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Forms;

/// <summary>
/// Importing Questionnaires made with other tools. The forms here are reproductions written for these tests in the
/// shapes such tools export (SDC renderer forms with group variables and older extraction extensions, CQL-backed
/// forms, adaptive forms, narrative and profiles); they are not copies of anyone's form.
/// </summary>
public sealed class FormImportShould
{
    private static readonly DefinitionValidator Validator = new();

    [Fact]
    public void ImportEveryLibraryFormCleanly()
    {
        foreach (var file in Directory.EnumerateFiles(FormLibrary.Locate(), "*.json"))
        {
            var report = FormImport.Inspect(File.ReadAllText(file), Validator);
            Assert.True(report.ImportsCleanly, $"{Path.GetFileName(file)}: {Codes(report.Problems)}");
            Assert.Empty(report.UnsupportedFeatures);
        }
    }

    [Fact]
    public void NameEachUnsupportedFeatureOfARendererMadeFormOnceAndStillCalculate()
    {
        const string json = """
            {"resourceType":"Questionnaire","id":"bmi","meta":{"profile":["http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-render"]},
             "status":"draft","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-template","valueBoolean":true}],
             "item":[{"linkId":"body","type":"group",
               "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/variable","valueExpression":{"name":"h","language":"text/fhirpath","expression":"item.where(linkId='h').answer.value"}},
                            {"url":"http://hl7.org/fhir/StructureDefinition/variable","valueExpression":{"name":"w","language":"text/fhirpath","expression":"item.where(linkId='w').answer.value"}}],
               "item":[
                 {"linkId":"h","type":"decimal","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationLinkPeriod","valueDuration":{"value":1,"unit":"year"}},
                                                              {"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-observationCode","valueCodeableConcept":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]}}]},
                 {"linkId":"w","type":"decimal","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationLinkPeriod","valueDuration":{"value":1,"unit":"year"}}]},
                 {"linkId":"bmi","type":"decimal","readOnly":true,"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"(%w / ((%h / 100).power(2))).round(1)"}}]}]}]}
            """;

        var report = FormImport.Inspect(json, Validator);

        Assert.False(report.ImportsCleanly);
        Assert.Equal(
            ["http://hl7.org/fhir/StructureDefinition/questionnaire-observationCode",
             "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationLinkPeriod",
             "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-template"],
            report.UnsupportedFeatures);
        Assert.All(report.Problems, p => Assert.Equal(FormProblemCodes.Unsupported, p.Code));
        Assert.Equal(["h", "h", "w", null], report.Problems.Select(p => p.LinkId).OrderBy(l => l ?? "~"));

        // What it does use works: the BMI is computed on the server from the group's variables.
        var q = report.Questionnaire!;
        var outcome = new ResponseEngine().Process(q, R(q, A("h", new FhirDecimal(180m)), A("w", new FhirDecimal(81m))));
        Assert.Equal(25.0m, ((FhirDecimal)Assert.Single(Answers(outcome.Response, "bmi"))).Value);
    }

    [Fact]
    public void NameCqlAndAdaptiveFormsAsUnsupported()
    {
        const string json = """
            {"resourceType":"Questionnaire","status":"draft",
             "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/cqf-library","valueCanonical":"Library/phq-9-logic"},
                          {"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-questionnaireAdaptive","valueUri":"https://adaptive.example.org/"}],
             "item":[{"linkId":"score","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/cql","expression":"\"PHQ-9 Score\""}}]}]}
            """;

        var report = FormImport.Inspect(json, Validator);

        Assert.Equal(
            ["expression language text/cql", "http://hl7.org/fhir/StructureDefinition/cqf-library", "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-questionnaireAdaptive"],
            report.UnsupportedFeatures);
    }

    [Fact]
    public void ImportAFormWithNarrativeProfilesAndAContainedAnswerListWithScores()
    {
        const string json = """
            {"resourceType":"Questionnaire","id":"phq2","meta":{"profile":["http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire|2.7"],"tag":[{"code":"exported-by: another tool"}]},
             "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">PHQ-2</div>"},
             "contained":[{"resourceType":"ValueSet","id":"freq","status":"active","expansion":{"timestamp":"2020-01-01T00:00:00Z","contains":[
                {"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/iso21090-CO-value","valueDecimal":0}],"system":"http://loinc.org","code":"LA6568-5","display":"Not at all"},
                {"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/iso21090-CO-value","valueDecimal":3}],"system":"http://loinc.org","code":"LA6571-9","display":"Nearly every day"}]}}],
             "status":"active","item":[
               {"linkId":"/44250-9","type":"choice","answerValueSet":"#freq","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl","valueCodeableConcept":{"coding":[{"system":"http://hl7.org/fhir/questionnaire-item-control","code":"radio-button"}]}}]},
               {"linkId":"/44255-8","type":"choice","answerValueSet":"#freq"},
               {"linkId":"/55758-7","type":"integer","readOnly":true,"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = '/44250-9' or linkId = '/44255-8').answer.value.ordinal().sum()"}}]}]}
            """;

        var report = FormImport.Inspect(json, Validator);

        Assert.True(report.ImportsCleanly, Codes(report.Problems));
        var q = report.Questionnaire!;
        var outcome = new ResponseEngine().Process(q, R(q, A("/44250-9", Code("LA6571-9")), A("/44255-8", Code("LA6571-9"))));
        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(6, ((Integer)Assert.Single(Answers(outcome.Response, "/55758-7"))).Value);
    }

    [Fact]
    public void ReportAFormThatDoesNotReadWithoutDefinition()
    {
        var report = FormImport.Inspect("""{"resourceType":"Questionnaire","status":"draft","item":[{"linkId":"a","type":"string","required":"maybe"}]}""", Validator);

        Assert.Null(report.Questionnaire);
        Assert.Equal("Questionnaire.item[0].required", Assert.Single(report.Problems).Path);
    }
}
