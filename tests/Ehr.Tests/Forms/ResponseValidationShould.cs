using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;
using static Ehr.Forms.Definitions.FormProblemCodes;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Forms;

public sealed class ResponseValidationShould
{
    private const string Calculated = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
    private static readonly ResponseEngine Engine = new();

    private static ResponseOutcome Process(Questionnaire q, params (string, DataType[])[] answers) => Engine.Process(q, R(q, answers));

    private static void ExpectOnly(ResponseOutcome outcome, string linkId, string code)
    {
        Assert.True(outcome.Problems.Count == 1, $"expected {linkId}:{code}, got: {Codes(outcome.Problems)}");
        Assert.Equal((linkId, code), (outcome.Problems[0].LinkId, outcome.Problems[0].Code));
        Assert.False(string.IsNullOrWhiteSpace(outcome.Problems[0].Message));
    }

    private static Questionnaire Conditional(string type, string op, string answer) => Q(
        "[{\"linkId\":\"q\",\"type\":\"" + type + "\",\"repeats\":true},{\"linkId\":\"dep\",\"type\":\"string\",\"enableWhen\":[{\"question\":\"q\",\"operator\":\"" + op + "\"," + answer + "}]}]");

    [Theory]
    [InlineData("=", 5, true)]
    [InlineData("=", 4, false)]
    [InlineData("!=", 4, true)]
    [InlineData("!=", 5, false)]
    [InlineData(">", 4, true)]
    [InlineData(">", 5, false)]
    [InlineData("<", 6, true)]
    [InlineData("<", 5, false)]
    [InlineData(">=", 5, true)]
    [InlineData(">=", 6, false)]
    [InlineData("<=", 5, true)]
    [InlineData("<=", 4, false)]
    public void EnableAnItemByEachOperator(string op, int compareTo, bool enabled)
    {
        var q = Conditional("integer", op, $"\"answerInteger\":{compareTo}");
        var outcome = Process(q, A("q", new Integer(5)), A("dep", new FhirString("x")));

        if (enabled) Assert.True(outcome.IsValid, Codes(outcome.Problems));
        else ExpectOnly(outcome, "dep", AnswerOnDisabledItem);
        Assert.Equal(enabled ? 1 : 0, Answers(outcome.Response, "dep").Count);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public void EnableAnItemOnWhetherAQuestionIsAnswered(bool answered, bool exists, bool enabled)
    {
        var q = Conditional("integer", "exists", $"\"answerBoolean\":{exists.ToString().ToLowerInvariant()}");
        var answers = answered ? [A("q", new Integer(1)), A("dep", new FhirString("x"))] : new[] { A("dep", new FhirString("x")) };
        var outcome = Process(q, answers);

        if (enabled) Assert.True(outcome.IsValid, Codes(outcome.Problems));
        else ExpectOnly(outcome, "dep", AnswerOnDisabledItem);
    }

    [Theory]
    [InlineData("=")]
    [InlineData("!=")]
    [InlineData(">")]
    public void KeepAnItemDisabledWhileItsQuestionIsUnanswered(string op) =>
        ExpectOnly(Process(Conditional("integer", op, "\"answerInteger\":1"), A("dep", new FhirString("x"))), "dep", AnswerOnDisabledItem);

    [Fact]
    public void CompareCodesDatesAndQuantities()
    {
        var coded = Conditional("choice", "=", "\"answerCoding\":{\"system\":\"s\",\"code\":\"b\"}");
        coded.Item[0].AnswerOption.AddRange([new() { Value = new Coding("s", "a") }, new() { Value = new Coding("s", "b") }]);
        Assert.True(Process(coded, A("q", new Coding("s", "a"), new Coding("s", "b")), A("dep", new FhirString("x"))).IsValid);
        ExpectOnly(Process(coded, A("q", new Coding("s", "a")), A("dep", new FhirString("x"))), "dep", AnswerOnDisabledItem);

        var dated = Conditional("date", ">", "\"answerDate\":\"2020-06-01\"");
        Assert.True(Process(dated, A("q", new Date("2021")), A("dep", new FhirString("x"))).IsValid);
        ExpectOnly(Process(dated, A("q", new Date("2020-05-31")), A("dep", new FhirString("x"))), "dep", AnswerOnDisabledItem);

        var weighed = Conditional("quantity", ">=", "\"answerQuantity\":{\"value\":100,\"system\":\"http://unitsofmeasure.org\",\"code\":\"kg\"}");
        Assert.True(Process(weighed, A("q", new Quantity(100m, "kg")), A("dep", new FhirString("x"))).IsValid);
        // Another unit does not compare, so the condition does not hold.
        ExpectOnly(Process(weighed, A("q", new Quantity(300m, "[lb_av]")), A("dep", new FhirString("x"))), "dep", AnswerOnDisabledItem);
    }

    [Theory]
    [InlineData("all", 5, 5, true)]
    [InlineData("all", 5, 0, false)]
    [InlineData("any", 0, 5, true)]
    [InlineData("any", 0, 0, false)]
    public void CombineConditionsByEnableBehavior(string behavior, int a, int b, bool enabled)
    {
        var q = Q("[{\"linkId\":\"a\",\"type\":\"integer\"},{\"linkId\":\"b\",\"type\":\"integer\"},{\"linkId\":\"dep\",\"type\":\"string\",\"enableBehavior\":\"" + behavior +
                  "\",\"enableWhen\":[{\"question\":\"a\",\"operator\":\">\",\"answerInteger\":1},{\"question\":\"b\",\"operator\":\">\",\"answerInteger\":1}]}]");
        var outcome = Process(q, A("a", new Integer(a)), A("b", new Integer(b)), A("dep", new FhirString("x")));

        Assert.Equal(enabled, outcome.IsValid);
    }

    [Theory]
    [InlineData(70, true)]
    [InlineData(10, false)]
    public void EnableAnItemByExpression(int age, bool enabled)
    {
        var q = Q("""[{"linkId":"age","type":"integer"},{"linkId":"dep","type":"string","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = 'age').answer.value >= %adult"}}]}]""",
            """ "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/variable","valueExpression":{"name":"adult","language":"text/fhirpath","expression":"18"}}]""");
        var outcome = Process(q, A("age", new Integer(age)), A("dep", new FhirString("x")));

        Assert.Equal(enabled, outcome.IsValid);
    }

    [Fact]
    public void DisableTheItemsOfADisabledGroup()
    {
        var q = Q("""[{"linkId":"smokes","type":"boolean"},{"linkId":"g","type":"group","enableWhen":[{"question":"smokes","operator":"=","answerBoolean":true}],"item":[{"linkId":"packs","type":"integer","required":true}]}]""");

        var outcome = Process(q, A("smokes", new FhirBoolean(false)), A("packs", new Integer(2)));

        ExpectOnly(outcome, "packs", AnswerOnDisabledItem);
        Assert.Empty(Answers(outcome.Response, "packs"));
        Assert.True(Process(q, A("smokes", new FhirBoolean(false))).IsValid);
        // A section that is not required may be left out whole; its required questions apply once it is there.
        Assert.True(Process(q, A("smokes", new FhirBoolean(true))).IsValid);
        q.Item[1].Required = true;
        Assert.Equal([("g", Required), ("packs", Required)], Process(q, A("smokes", new FhirBoolean(true))).Problems.Select(p => (p.LinkId, p.Code)));
        Assert.True(Process(q, A("smokes", new FhirBoolean(false))).IsValid);
    }

    [Fact]
    public void AskForRequiredAnswersOnlyOnCompletion()
    {
        var q = Q("""[{"linkId":"a","type":"string","required":true},{"linkId":"b","type":"string"}]""");

        Assert.True(Engine.Process(q, R(q, A("b", new FhirString("x"))), ResponseCheck.Save).IsValid);
        var problem = Assert.Single(Engine.Process(q, R(q, A("b", new FhirString("x"))), ResponseCheck.Complete).Problems);
        Assert.Equal(("a", Required), (problem.LinkId, problem.Code));
    }

    [Theory]
    [InlineData("integer")]
    [InlineData("decimal")]
    [InlineData("boolean")]
    [InlineData("date")]
    [InlineData("dateTime")]
    [InlineData("time")]
    [InlineData("url")]
    [InlineData("quantity")]
    [InlineData("reference")]
    [InlineData("attachment")]
    public void RefuseAnAnswerOfTheWrongType(string type)
    {
        var q = Q("[{\"linkId\":\"a\",\"type\":\"" + type + "\"}]");
        ExpectOnly(Process(q, A("a", new FhirString("not that"))), "a", AnswerType);
    }

    [Fact]
    public void RefuseAStringForATextQuestionNever() =>
        Assert.True(Process(Q("""[{"linkId":"a","type":"text"}]"""), A("a", new FhirString("long text"))).IsValid);

    [Fact]
    public void RefuseSeveralAnswersToAQuestionThatDoesNotRepeat()
    {
        ExpectOnly(Process(Q("""[{"linkId":"a","type":"integer"}]"""), A("a", new Integer(1), new Integer(2))), "a", NotRepeating);
        Assert.True(Process(Q("""[{"linkId":"a","type":"integer","repeats":true}]"""), A("a", new Integer(1), new Integer(2))).IsValid);
    }

    [Fact]
    public void RefuseAQuestionThatAppearsTwice()
    {
        var q = Q("""[{"linkId":"a","type":"integer"}]""");
        var r = R(q, A("a", new Integer(1)));
        r.Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = "a", Answer = [new() { Value = new Integer(2) }] });

        ExpectOnly(Engine.Process(q, r), "a", NotRepeating);
    }

    [Fact]
    public void RefuseAnAnswerOnAGroupOrADisplay()
    {
        var q = Q("""[{"linkId":"g","type":"group","item":[{"linkId":"a","type":"string"}]},{"linkId":"d","type":"display","text":"x"}]""");
        var r = R(q, A("a", new FhirString("x")));
        r.Item[0].Answer.Add(new() { Value = new FhirString("g") });
        r.Item.Add(new() { LinkId = "d", Answer = [new() { Value = new FhirString("d") }] });

        Assert.Equal([("g", AnswerNotAllowed), ("d", AnswerNotAllowed)], Engine.Process(q, r).Problems.Select(p => (p.LinkId, p.Code)));
    }

    [Fact]
    public void RemoveAndReportItemsTheFormDoesNotHave()
    {
        var q = Q("""[{"linkId":"a","type":"string"}]""");
        var r = R(q, A("a", new FhirString("x")));
        r.Item.Add(new() { LinkId = "injected", Answer = [new() { Value = new FhirString("data") }] });

        var outcome = Engine.Process(q, r);

        ExpectOnly(outcome, "injected", UnknownItem);
        Assert.Equal(["a"], outcome.Response.Item.Select(i => i.LinkId));
        Assert.Equal(2, r.Item.Count); // the input is not touched
    }

    [Fact]
    public void ReportAnItemOutsideItsGroup()
    {
        var q = Q("""[{"linkId":"g","type":"group","item":[{"linkId":"a","type":"string"}]}]""");
        var r = new QuestionnaireResponse { Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed, Item = [new() { LinkId = "a", Answer = [new() { Value = new FhirString("x") }] }] };

        var outcome = Engine.Process(q, r);

        Assert.Equal(("a", MisplacedItem, "QuestionnaireResponse.item[0]"), (Assert.Single(outcome.Problems).LinkId, outcome.Problems[0].Code, outcome.Problems[0].Path));
    }

    [Fact]
    public void ReportAnEmptyAnswer()
    {
        var q = Q("""[{"linkId":"a","type":"string"}]""");
        var r = R(q, A("a", new FhirString("x")));
        r.Item[0].Answer.Add(new QuestionnaireResponse.AnswerComponent());

        ExpectOnly(Engine.Process(q, r), "a", AnswerEmpty);
    }

    [Fact]
    public void AcceptOnlyListedOptions()
    {
        var q = Q("""[{"linkId":"c","type":"choice","answerOption":[{"valueCoding":{"system":"s","code":"a"}}]},{"linkId":"oc","type":"open-choice","answerOption":[{"valueCoding":{"system":"s","code":"a"}}]},{"linkId":"i","type":"integer","answerOption":[{"valueInteger":1},{"valueInteger":2}]}]""");

        Assert.True(Process(q, A("c", new Coding("s", "a")), A("oc", new FhirString("something else")), A("i", new Integer(2))).IsValid);
        ExpectOnly(Process(q, A("c", new Coding("s", "z"))), "c", AnswerNotInOptions);
        ExpectOnly(Process(q, A("c", new Coding("other-system", "a"))), "c", AnswerNotInOptions);
        ExpectOnly(Process(q, A("oc", new Coding("s", "z"))), "oc", AnswerNotInOptions);
        ExpectOnly(Process(q, A("i", new Integer(3))), "i", AnswerNotInOptions);
        ExpectOnly(Process(q, A("c", new FhirString("a"))), "c", AnswerType);
    }

    [Fact]
    public void CheckAnswersAgainstTheTenantsValueSets()
    {
        var q = Q("""[{"linkId":"c","type":"choice","answerValueSet":"https://terminology.example.org/ValueSet/colours"}]""");
        var held = new ResponseEngine(new InMemoryAnswerValueSets().Add(new AnswerValueSet("https://terminology.example.org/ValueSet/colours", [new AnswerConcept("s", "red"), new AnswerConcept("s", "blue")])));

        Assert.True(held.Process(q, R(q, A("c", new Coding("s", "red")))).IsValid);
        ExpectOnly(held.Process(q, R(q, A("c", new Coding("s", "green")))), "c", AnswerNotInOptions);
        ExpectOnly(Engine.Process(q, R(q, A("c", new Coding("s", "red")))), "c", ValueSetUnavailable);
    }

    [Fact]
    public void ScoreFromAContainedValueSet()
    {
        var q = Q("""[{"linkId":"c","type":"choice","answerValueSet":"#vs"},{"linkId":"score","type":"decimal","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = 'c').answer.value.weight()"}}]}]""",
            """ "contained":[{"resourceType":"ValueSet","id":"vs","status":"active","compose":{"include":[{"system":"s","concept":[{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/itemWeight","valueDecimal":2.5}],"code":"a"},{"code":"b"}]}]}}]""");

        var outcome = Process(q, A("c", new Coding("s", "a")));

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal(2.5m, ((FhirDecimal)Assert.Single(Answers(outcome.Response, "score"))).Value);
        ExpectOnly(Process(q, A("c", new Coding("s", "c"))), "c", AnswerNotInOptions);
    }

    [Theory]
    [InlineData("integer", "\"valueInteger\":1", "\"valueInteger\":10")]
    [InlineData("decimal", "\"valueDecimal\":0.5", "\"valueDecimal\":2.5")]
    [InlineData("date", "\"valueDate\":\"2000-01-01\"", "\"valueDate\":\"2030-12-31\"")]
    public void RefuseAnswersOutsideTheRange(string type, string min, string max)
    {
        var q = Q("[{\"linkId\":\"a\",\"type\":\"" + type + "\",\"repeats\":true,\"extension\":[{\"url\":\"http://hl7.org/fhir/StructureDefinition/minValue\"," + min +
                  "},{\"url\":\"http://hl7.org/fhir/StructureDefinition/maxValue\"," + max + "}]}]");
        (DataType low, DataType ok, DataType high) = type switch
        {
            "integer" => ((DataType)new Integer(0), (DataType)new Integer(10), (DataType)new Integer(11)),
            "decimal" => (new FhirDecimal(0.49m), new FhirDecimal(0.5m), new FhirDecimal(2.51m)),
            _ => (new Date("1999-12-31"), new Date("2000-01-01"), new Date("2031")),
        };

        Assert.True(Process(q, A("a", ok)).IsValid);
        Assert.Equal([BelowMinimum, AboveMaximum], Process(q, A("a", low, ok, high)).Problems.Select(p => p.Code));
    }

    [Fact]
    public void RefuseTextTooLongOrTooShort()
    {
        var q = Q("""[{"linkId":"a","type":"string","maxLength":5,"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/minLength","valueInteger":2}]}]""");

        Assert.True(Process(q, A("a", new FhirString("12345"))).IsValid);
        ExpectOnly(Process(q, A("a", new FhirString("123456"))), "a", TooLong);
        ExpectOnly(Process(q, A("a", new FhirString("1"))), "a", TooShort);
    }

    [Fact]
    public void RefuseTooManyDecimalPlaces()
    {
        var q = Q("""[{"linkId":"a","type":"decimal","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces","valueInteger":1}]}]""");

        Assert.True(Process(q, A("a", new FhirDecimal(37.5m))).IsValid);
        Assert.True(Process(q, A("a", new FhirDecimal(37.50m))).IsValid);
        ExpectOnly(Process(q, A("a", new FhirDecimal(37.55m))), "a", TooManyDecimalPlaces);
    }

    [Fact]
    public void RefuseAQuantityWithoutAnAllowedUnit()
    {
        var q = Q("""[{"linkId":"w","type":"quantity","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption","valueCoding":{"system":"http://unitsofmeasure.org","code":"kg"}},{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption","valueCoding":{"system":"http://unitsofmeasure.org","code":"g"}},{"url":"http://hl7.org/fhir/StructureDefinition/maxValue","valueQuantity":{"value":500,"system":"http://unitsofmeasure.org","code":"kg"}}]}]""");

        Assert.True(Process(q, A("w", new Quantity(70m, "kg"))).IsValid);
        Assert.True(Process(q, A("w", new Quantity(70000m, "g"))).IsValid);
        ExpectOnly(Process(q, A("w", new Quantity(150m, "[lb_av]"))), "w", UnitNotAllowed);
        ExpectOnly(Process(q, A("w", new Quantity { Value = 70m })), "w", UnitMissing);
        ExpectOnly(Process(q, A("w", new Quantity(501m, "kg"))), "w", AboveMaximum);
    }

    [Fact]
    public void HoldARepeatingQuestionToItsMinOccursAndMaxOccurs()
    {
        var q = Q("""
            [{"linkId":"med","type":"string","repeats":true,
              "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs","valueInteger":2},
                           {"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs","valueInteger":3}]}]
            """);

        ExpectOnly(Process(q), "med", Required);
        ExpectOnly(Process(q, A("med", new FhirString("a"))), "med", TooFewAnswers);
        Assert.True(Process(q, A("med", new FhirString("a"), new FhirString("b"))).IsValid);
        ExpectOnly(Process(q, A("med", new FhirString("a"), new FhirString("b"), new FhirString("c"), new FhirString("d"))), "med", TooManyAnswers);
        // While saving, too few is not yet a problem; too many already is.
        Assert.True(Engine.Process(q, R(q, A("med", new FhirString("a"))), ResponseCheck.Save).IsValid);
        Assert.Equal([TooManyAnswers], Engine.Process(q, R(q, A("med", new FhirString("a"), new FhirString("b"), new FhirString("c"), new FhirString("d"))), ResponseCheck.Save).Problems.Select(p => p.Code));
    }

    [Fact]
    public void HoldARepeatingGroupToItsMaxOccurs()
    {
        var q = Q("""
            [{"linkId":"contact","type":"group","repeats":true,
              "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs","valueInteger":1}],
              "item":[{"linkId":"name","type":"string"}]}]
            """);
        var r = R(q, A("name", new FhirString("Ann")));
        r.Item.Add(new QuestionnaireResponse.ItemComponent { LinkId = "contact", Item = [new() { LinkId = "name", Answer = [new() { Value = new FhirString("Bob") }] }] });

        ExpectOnly(Engine.Process(q, r), "contact", TooManyAnswers);
    }

    [Fact]
    public void DemandAnAnswerOfAnItemWithMinOccursOne() =>
        ExpectOnly(Process(Q("""[{"linkId":"a","type":"integer","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs","valueInteger":1}]},{"linkId":"b","type":"integer"}]"""), A("b", new Integer(1))), "a", Required);

    [Fact]
    public void RecalculateEveryInstanceOfARepeatingGroup()
    {
        // As SDC forms do it: variables on the group, evaluated on each of its instances.
        var q = Q("""
            [{"linkId":"med","type":"group","repeats":true,
              "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/variable","valueExpression":{"name":"dose","language":"text/fhirpath","expression":"item.where(linkId = 'dose').answer.value"}},
                           {"url":"http://hl7.org/fhir/StructureDefinition/variable","valueExpression":{"name":"times","language":"text/fhirpath","expression":"%context.item.where(linkId = 'times').answer.value"}}],
              "item":[{"linkId":"dose","type":"decimal"},{"linkId":"times","type":"integer"},
                      {"linkId":"daily","type":"decimal","readOnly":true,"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%dose * %times"}}]}]}]
            """);
        QuestionnaireResponse.ItemComponent Med(decimal dose, int times, decimal claimed) => new()
        {
            LinkId = "med",
            Item = [new() { LinkId = "dose", Answer = [new() { Value = new FhirDecimal(dose) }] }, new() { LinkId = "times", Answer = [new() { Value = new Integer(times) }] },
                    new() { LinkId = "daily", Answer = [new() { Value = new FhirDecimal(claimed) }] }],
        };
        var r = new QuestionnaireResponse { Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed, Item = [Med(2.5m, 2, 999m), Med(10m, 3, 0m)] };

        var outcome = Engine.Process(q, r);

        Assert.True(outcome.IsValid, Codes(outcome.Problems));
        Assert.Equal([5.0m, 30m], Answers(outcome.Response, "daily").Select(v => ((FhirDecimal)v).Value!.Value));
    }

    [Fact]
    public void RefuseANonRepeatingGroupThatAppearsTwice()
    {
        var q = Q("""[{"linkId":"g","type":"group","item":[{"linkId":"a","type":"string"}]}]""");
        var r = R(q, A("a", new FhirString("x")));
        r.Item.Add((QuestionnaireResponse.ItemComponent)r.Item[0].DeepCopy());

        ExpectOnly(Engine.Process(q, r), "g", NotRepeating);
    }

    [Fact]
    public void FollowItemsNestedUnderAQuestionsAnswer()
    {
        var q = Q("""[{"linkId":"smokes","type":"boolean","item":[{"linkId":"packs","type":"integer","enableWhen":[{"question":"smokes","operator":"=","answerBoolean":true}]}]}]""");

        var yes = Process(q, A("smokes", new FhirBoolean(true)), A("packs", new Integer(1)));
        var no = Process(q, A("smokes", new FhirBoolean(false)), A("packs", new Integer(1)));

        Assert.True(yes.IsValid, Codes(yes.Problems));
        Assert.Equal(1, ((Integer)Assert.Single(Answers(yes.Response, "packs"))).Value);
        ExpectOnly(no, "packs", AnswerOnDisabledItem);
    }

    [Fact]
    public void ReportACalculationThatFailsAtRunTime()
    {
        var q = Q("""[{"linkId":"a","type":"string","repeats":true},{"linkId":"c","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = 'a').answer.value.sum()"}}]}]""");

        var outcome = Process(q, A("a", new FhirString("x"), new FhirString("y")));

        ExpectOnly(outcome, "c", ExpressionFailed);
        Assert.Empty(Answers(outcome.Response, "c"));
    }

    [Fact]
    public void ReportACalculationOfTheWrongType()
    {
        var q = Q("""[{"linkId":"c","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"'seven'"}}]}]""");

        ExpectOnly(Process(q), "c", CalculatedTypeMismatch);
    }

    [Fact]
    public void ReplaceWhatTheClientClaimsForACalculatedItem()
    {
        var q = Q("""[{"linkId":"a","type":"integer"},{"linkId":"double","type":"integer","readOnly":true,"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = 'a').answer.value * 2"}}]}]""");

        var answered = Process(q, A("a", new Integer(21)), A("double", new Integer(1)));
        var unanswered = Process(q, A("double", new Integer(1)));

        Assert.Equal(42, ((Integer)Assert.Single(Answers(answered.Response, "double"))).Value);
        Assert.Empty(Answers(unanswered.Response, "double"));
        Assert.True(answered.IsValid && unanswered.IsValid);
    }
}
