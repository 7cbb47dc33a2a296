using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.Templates;
using Ehr.Platform.Errors;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Forms;

/// <summary>
/// A note template's narrative (Liquid through Fluid): rendered from a plain model of the answers, never from CLR
/// objects; checked when compiled (link ids, variables, filters, no files, no unbounded ranges); bounded when
/// rendered (steps, size); every failure a field error with a path, never an exception.
/// </summary>
public sealed class NarrativeShould
{
    private static readonly DateTimeOffset Now = new(2026, 3, 4, 10, 0, 0, TimeSpan.Zero);

    private static readonly Questionnaire Visit = Q("""
        [{"linkId":"cc","text":"Chief complaint","type":"string","required":true},
         {"linkId":"severity","text":"Severity","type":"choice","answerOption":[
            {"valueCoding":{"system":"urn:test","code":"mild","display":"Mild"}},
            {"valueCoding":{"system":"urn:test","code":"severe","display":"Severe"}}]},
         {"linkId":"days","text":"Days","type":"integer"},
         {"linkId":"smoker","text":"Smoker","type":"boolean"},
         {"linkId":"weight","text":"Weight","type":"quantity"},
         {"linkId":"temp","text":"Temperature","type":"decimal"},
         {"linkId":"onset","text":"Onset","type":"date"},
         {"linkId":"a","type":"integer"},{"linkId":"b","type":"integer"},
         {"linkId":"total","text":"Total","type":"integer","readOnly":true,"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
            "valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = 'a' or linkId = 'b').answer.value.sum()"}}]},
         {"linkId":"lesion","text":"Lesion","type":"group","repeats":true,"item":[
            {"linkId":"site","text":"Site","type":"string"},{"linkId":"size","text":"Size (mm)","type":"decimal"}]}]
        """);

    [Fact]
    public void RenderEachAnswerByLinkIdWithItsQuestionValueAndDisplay()
    {
        var response = R(Visit, A("cc", new FhirString("Cough & <fever>")), A("severity", new Coding("urn:test", "severe", "Severe")),
            A("days", new Integer(3)), A("smoker", new FhirBoolean(false)), A("weight", new Quantity(72.5m, "kg")),
            A("temp", new FhirDecimal(38.10m)), A("onset", new Date("2026-03-01")));

        var text = Render("""
            {{ answers.cc.text }}: {{ answers.cc.value }}
            {{ answers.severity.text }}: {{ answers.severity.display }} ({{ answers.severity.code }})
            Days+1: {{ answers.days.value | plus: 1 }}
            {% if answers.smoker.value %}smokes{% else %}does not smoke{% endif %} ({{ answers.smoker.display }})
            Weight: {{ answers.weight.display }}, value {{ answers.weight.value }} unit {{ answers.weight.unit }}
            Temp: {{ answers["temp"].display }}; onset {{ answers.onset.value }}
            {% unless answers.site %}no lesions{% endunless %}
            """, response);

        Assert.Equal("""
            Chief complaint: Cough & <fever>
            Severity: Severe (severe)
            Days+1: 4
            does not smoke (No)
            Weight: 72.5 kg, value 72.5 unit kg
            Temp: 38.10; onset 2026-03-01
            no lesions
            """, text);
    }

    [Fact]
    public void ShowTheQuestionnairesDisplayOfACodeNotTheClients()
    {
        var response = R(Visit, A("severity", new Coding("urn:test", "mild", "Severe")));

        Assert.Equal("Mild (mild)", Render("{{ answers.severity.display }} ({{ answers.severity.code }})", response));
    }

    [Fact]
    public void RenderScoresAsTheServerComputesThemNotAsTheClientSentThem()
    {
        var forged = R(Visit, A("a", new Integer(2)), A("b", new Integer(5)), A("total", new Integer(99)));
        var processed = new ResponseEngine().Process(Visit, forged, ResponseCheck.Save).Response;

        Assert.Equal("7 7", Render("{{ scores.total }} {{ answers.total.value }}", processed));
    }

    [Fact]
    public void RenderEachOccurrenceOfARepeatingGroup()
    {
        var response = QuestionnaireJson.ParseResponse("""
            {"resourceType":"QuestionnaireResponse","status":"in-progress","item":[
              {"linkId":"lesion","item":[{"linkId":"site","answer":[{"valueString":"left forearm"}]},{"linkId":"size","answer":[{"valueDecimal":4}]}]},
              {"linkId":"lesion","item":[{"linkId":"site","answer":[{"valueString":"back"}]}]}]}
            """).Resource!;

        var text = Render("{% for lesion in groups.lesion %}{{ forloop.index }}. {{ lesion.site.value }}{% if lesion['size'] %}, {{ lesion['size'].display }} mm{% endif %}\n{% endfor %}{{ answers.site.display }}", response);

        Assert.Equal("1. left forearm, 4 mm\n2. back\nleft forearm, back", text);
    }

    [Fact]
    public void WalkTheResponseInOrderThroughItems()
    {
        var response = R(Visit, A("cc", new FhirString("Rash")), A("days", new Integer(2)));

        Assert.Equal("Chief complaint=Rash;Days=2;", Render("{% for item in items %}{{ item.text }}={{ item.display }};{% endfor %}", response));
    }

    [Fact]
    public void ShowThePatientsDisplayDataWhenGiven()
    {
        var patient = new Patient
        {
            Name = [new HumanName { Use = HumanName.NameUse.Official, Given = ["Ada", "May"], Family = "Lovelace" }, new HumanName { Use = HumanName.NameUse.Usual, Given = ["Addie"] }],
            BirthDate = "1990-03-05",
            Gender = AdministrativeGender.Female,
            Identifier = [new Identifier("https://ehr-saas.org/fhir/sid/mrn", "M000123") { Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR") }],
        };

        var text = Render("{{ patient.name }} ({{ patient.preferred }}), {{ patient.age }} y, {{ patient.gender }}, born {{ patient.birth_date }}, MRN {{ patient.mrn }}",
            new QuestionnaireResponse(), patient);

        // Born 1990-03-05, rendered on 2026-03-04: still 35.
        Assert.Equal("Ada May Lovelace (Addie), 35 y, female, born 1990-03-05, MRN M000123", text);
    }

    [Fact]
    public void InsertTextAsItIsWithoutHtmlEncoding()
    {
        var response = R(Visit, A("cc", new FhirString("BP < 120 & \"stable\"")));

        Assert.Equal("BP < 120 & \"stable\"", Render("{{ answers.cc.value }}", response));
    }

    [Fact]
    public void ReachNothingButTheModelBuiltFromTheAnswers()
    {
        var response = R(Visit, A("cc", new FhirString("Rash")));

        // A .NET string's members (Length, GetType) are not reachable: the model holds Fluid values only.
        Assert.Equal("4||", Render("{{ answers.cc.value | size }}|{{ answers.cc.value.Length }}|{{ answers.cc.value.GetType }}", response));
    }

    [Theory]
    [InlineData("{% include 'secrets' %}", "include")]
    [InlineData("{% render 'secrets' %}", "render")]
    [InlineData("{% for i in (1..100000) %}x{% endfor %}", "range")]
    [InlineData("{% assign n = 5 %}{% for i in (1..n) %}x{% endfor %}", "range")]
    public void RefuseFilesAndUnboundedRanges(string source, string named)
    {
        var problems = new List<FieldError>();

        Assert.Null(LiquidNarrative.Compile(source, TemplateItems.Of(Visit), "narrative", problems));

        var problem = Assert.Single(problems);
        Assert.Equal("narrative", problem.Path);
        Assert.Contains(named, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportEveryUnknownLinkIdWithItsLine()
    {
        var problems = new List<FieldError>();

        var compiled = LiquidNarrative.Compile("""
            CC: {{ answers.cc.value }}
            Plan: {{ answers.plan.value }}
            {{ scores.cc }} {{ groups.site }}
            {% for l in groups.lesion %}{{ l.colour.value }}{{ l.site.valeu }}{% endfor %}
            {{ answers["severity"].vale }}
            """, TemplateItems.Of(Visit), "narrative", problems);

        Assert.Null(compiled);
        Assert.All(problems, p => Assert.Equal(("narrative", ErrorCodes.UnknownReference), (p.Path, p.Code)));
        Assert.Collection(problems,
            p => Assert.Equal("answers.plan: the questionnaire has no question with the link id 'plan'. (line 2)", p.Message),
            p => Assert.StartsWith("scores.cc: the questionnaire has no calculated item", p.Message, StringComparison.Ordinal),
            p => Assert.StartsWith("groups.site: the questionnaire has no group", p.Message, StringComparison.Ordinal),
            p => Assert.Equal("l.colour: the group 'lesion' has no question 'colour'. (line 4)", p.Message),
            p => Assert.StartsWith("l.site.valeu: an answer has text, value", p.Message, StringComparison.Ordinal),
            p => Assert.StartsWith("answers.severity.vale: an answer has", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void AskForBracketsWhereALinkIdIsALiquidPropertyName()
    {
        var problems = new List<FieldError>();

        // Liquid reads x.size as the number of x's members, whatever x holds.
        LiquidNarrative.Compile("{% for l in groups.lesion %}{{ l.size.display }}{{ l['size'].display }}{% endfor %}", TemplateItems.Of(Visit), "narrative", problems);

        var problem = Assert.Single(problems);
        Assert.StartsWith("l.size: 'size' is a Liquid property", problem.Message, StringComparison.Ordinal);
        Assert.Contains("write l[\"size\"]", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportUnknownVariablesAndFilters()
    {
        var problems = new List<FieldError>();

        LiquidNarrative.Compile("{{ anwsers.cc.value }} {{ answers.cc.value | shout }} {% assign x = 1 %}{{ x }} {{ patient.ssn }}", TemplateItems.Of(Visit), "narrative", problems);

        Assert.Collection(problems,
            p => Assert.StartsWith("Unknown variable 'anwsers'.", p.Message, StringComparison.Ordinal),
            p => Assert.StartsWith("There is no filter 'shout'.", p.Message, StringComparison.Ordinal),
            p => Assert.StartsWith("patient.ssn: the patient has", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void ReportASyntaxErrorWithItsPosition()
    {
        var problems = new List<FieldError>();

        Assert.Null(LiquidNarrative.Compile("Plan:\n{% if answers.cc %}follow up", null, "narrative", problems));

        var problem = Assert.Single(problems);
        Assert.Equal(("narrative", ErrorCodes.InvalidFormat), (problem.Path, problem.Code));
        Assert.Contains("(2:", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% for i in (1..999) %}{% for j in (1..999) %}x{% endfor %}{% endfor %}", "steps")]
    [InlineData("{% for i in (1..999) %}{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}{% endfor %}", "more than 50000 characters")]
    [InlineData("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}", "longer than 50000")]
    [InlineData("{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}", "longer than 50000")]
    [InlineData("{% assign a = 'x' | split: ',' %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}", "longer than 5000 items")]
    public void StopARenderingThatRunsPastItsLimits(string source, string message)
    {
        var problems = new List<FieldError>();
        var narrative = LiquidNarrative.Compile(source, null, "narrative", problems);
        Assert.Empty(problems);

        Assert.Null(narrative!.Render(NarrativeModel.Of(Visit, new QuestionnaireResponse(), null, null, Now), "narrative", problems));

        var problem = Assert.Single(problems);
        Assert.Equal(("narrative", ErrorCodes.OutOfRange), (problem.Path, problem.Code));
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TurnAFailureWhileRenderingIntoAProblem()
    {
        var response = R(Visit, A("days", new Integer(0)));
        var problems = new List<FieldError>();
        var narrative = LiquidNarrative.Compile("Rate: {{ 10 | divided_by: answers.days.value }}", TemplateItems.Of(Visit), "answers", problems)!;

        Assert.Null(narrative.Render(NarrativeModel.Of(Visit, response, null, null, Now), "answers", problems));

        var problem = Assert.Single(problems);
        Assert.Equal(("answers", ErrorCodes.InvalidFormat), (problem.Path, problem.Code));
    }

    [Fact]
    public void KnowWhetherTheTemplatePlacesTheFreeTextItself()
    {
        var problems = new List<FieldError>();

        Assert.True(LiquidNarrative.Compile("Plan.\n{% if free_text %}Notes: {{ free_text }}{% endif %}", null, "narrative", problems)!.PlacesFreeText);
        Assert.False(LiquidNarrative.Compile("Plan.", null, "narrative", problems)!.PlacesFreeText);
        Assert.Empty(problems);
    }

    private static string Render(string source, QuestionnaireResponse response, Patient? patient = null)
    {
        var problems = new List<FieldError>();
        var narrative = LiquidNarrative.Compile(source, TemplateItems.Of(Visit), "narrative", problems);
        Assert.True(problems.Count == 0, string.Join("; ", problems));
        var text = narrative!.Render(NarrativeModel.Of(Visit, response, patient, null, Now), "narrative", problems);
        Assert.True(problems.Count == 0, string.Join("; ", problems));
        return text!;
    }
}
