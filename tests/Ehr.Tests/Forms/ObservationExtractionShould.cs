using Ehr.Forms.Extraction;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Forms;

public sealed class ObservationExtractionShould
{
    private const string Extract = """{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract","valueBoolean":true}""";
    private const string DoNotExtract = """{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract","valueBoolean":false}""";

    private static IReadOnlyList<Observation> Plan(Questionnaire q, QuestionnaireResponse r) =>
        ObservationExtraction.Plan(q, new ResponseEngine().Process(q, r).Response, "QuestionnaireResponse/42");

    [Fact]
    public void ExtractOnlyMarkedItemsWithACode()
    {
        var q = Q($$"""
            [{"linkId":"marked","type":"integer","code":[{"system":"http://loinc.org","code":"72514-3"}],"extension":[{{Extract}}]},
             {"linkId":"unmarked","type":"integer","code":[{"system":"http://loinc.org","code":"8867-4"}]},
             {"linkId":"plain","type":"string"}]
            """);

        var observations = Plan(q, R(q, A("marked", new Integer(7)), A("unmarked", new Integer(80)), A("plain", new FhirString("x"))));

        var only = Assert.Single(observations);
        Assert.Equal("72514-3", only.Code.Coding.Single().Code);
        Assert.Equal(ObservationStatus.Final, only.Status);
        Assert.Equal("survey", only.Category.Single().Coding.Single().Code);
        Assert.Equal("QuestionnaireResponse/42", only.DerivedFrom.Single().Reference);
    }

    [Fact]
    public void ExtractEveryCodedItemWhenTheFormAsksAndLetAnItemOptOut()
    {
        var q = Q($$"""
            [{"linkId":"hr","type":"integer","code":[{"system":"http://loinc.org","code":"8867-4"}]},
             {"linkId":"rr","type":"integer","code":[{"system":"http://loinc.org","code":"9279-1"}],"extension":[{{DoNotExtract}}]},
             {"linkId":"note","type":"string"}]
            """, $$""" "extension":[{{Extract}}]""");

        var observations = Plan(q, R(q, A("hr", new Integer(80)), A("rr", new Integer(16)), A("note", new FhirString("calm"))));

        Assert.Equal(["8867-4"], observations.Select(o => o.Code.Coding[0].Code));
    }

    [Fact]
    public void MakeOneObservationPerAnswerWithTheRightValueType()
    {
        var q = Q($$$"""
            [{"linkId":"symptoms","type":"choice","repeats":true,"code":[{"system":"http://loinc.org","code":"x-symptoms"}],"answerOption":[{"valueCoding":{"system":"http://snomed.info/sct","code":"49727002","display":"Cough"}},{"valueCoding":{"system":"http://snomed.info/sct","code":"386661006","display":"Fever"}}],"extension":[{{{Extract}}}]},
             {"linkId":"temp","type":"decimal","code":[{"system":"http://loinc.org","code":"8310-5"}],"extension":[{{{Extract}}}]},
             {"linkId":"weight","type":"quantity","code":[{"system":"http://loinc.org","code":"29463-7"}],"extension":[{{{Extract}}}]},
             {"linkId":"smoker","type":"boolean","code":[{"system":"http://loinc.org","code":"x-smoker"}],"extension":[{{{Extract}}}]},
             {"linkId":"onset","type":"date","code":[{"system":"http://loinc.org","code":"x-onset"}],"extension":[{{{Extract}}}]}]
            """);

        var observations = Plan(q, R(q,
            A("symptoms", new Coding("http://snomed.info/sct", "49727002", "Cough"), new Coding("http://snomed.info/sct", "386661006", "Fever")),
            A("temp", new FhirDecimal(38.2m)), A("weight", new Quantity(70m, "kg")), A("smoker", new FhirBoolean(false)), A("onset", new Date("2026-01-01"))));

        Assert.Equal(6, observations.Count);
        Assert.Equal(["49727002", "386661006"], observations.Take(2).Select(o => ((CodeableConcept)o.Value!).Coding.Single().Code));
        Assert.Equal(38.2m, ((Quantity)observations[2].Value!).Value);
        Assert.Equal(("kg", 70m), (((Quantity)observations[3].Value!).Code, ((Quantity)observations[3].Value!).Value!.Value));
        Assert.False(((FhirBoolean)observations[4].Value!).Value);
        Assert.Equal("2026-01-01", ((FhirDateTime)observations[5].Value!).Value);
        Assert.All(observations, o => Assert.Equal(("Patient/p1", "2026-01-02T03:04:05Z"), (o.Subject!.Reference, ((FhirDateTime)o.Effective!).Value)));
    }

    [Fact]
    public void ExtractNothingFromADisabledItemTheClientAnswered()
    {
        var q = Q($$"""
            [{"linkId":"smokes","type":"boolean"},
             {"linkId":"packs","type":"integer","code":[{"system":"http://loinc.org","code":"8663-7"}],"extension":[{{Extract}}],"enableWhen":[{"question":"smokes","operator":"=","answerBoolean":true}]}]
            """);

        Assert.Empty(Plan(q, R(q, A("smokes", new FhirBoolean(false)), A("packs", new Integer(2)))));
        Assert.Single(Plan(q, R(q, A("smokes", new FhirBoolean(true)), A("packs", new Integer(2)))));
    }

    [Fact]
    public void RefuseAnEmptyResponseReference()
    {
        var q = Q("""[{"linkId":"a","type":"string"}]""");
        Assert.Throws<ArgumentException>(() => ObservationExtraction.Plan(q, R(q), " "));
    }
}
