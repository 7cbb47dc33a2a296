using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;
using static Ehr.Forms.Definitions.FormProblemCodes;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Forms;

public sealed class QuestionnaireValidationShould
{
    private const string Sdc = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-";
    private const string Core = "http://hl7.org/fhir/StructureDefinition/";
    private static readonly string[] ComparisonOperators = ["=", "!=", ">", "<", ">=", "<="];

    private static string Calc(string expression, string language = "text/fhirpath") =>
        $$$"""{"url":"{{{Sdc}}}calculatedExpression","valueExpression":{"language":"{{{language}}}","expression":"{{{expression}}}"}}""";

    private static string Var(string name, string expression) =>
        $$$"""{"url":"{{{Core}}}variable","valueExpression":{"name":"{{{name}}}","language":"text/fhirpath","expression":"{{{expression}}}"}}""";

    private static FormProblem Only(string items, string extra = "")
    {
        var problems = Validate(Q(items, extra));
        Assert.True(problems.Count == 1, $"expected one problem, got: {Codes(problems)}");
        Assert.False(string.IsNullOrWhiteSpace(problems[0].Message));
        return problems[0];
    }

    private static void Expect(string linkId, string code, string items, string extra = "")
    {
        var problem = Only(items, extra);
        Assert.Equal((linkId, code), (problem.LinkId, problem.Code));
    }

    [Fact]
    public void AcceptEveryR4ItemType()
    {
        var q = Q("""
            [{"linkId":"g","type":"group","item":[{"linkId":"d","type":"display","text":"Hello"}]},
             {"linkId":"b","type":"boolean"},{"linkId":"dec","type":"decimal"},{"linkId":"i","type":"integer"},
             {"linkId":"da","type":"date"},{"linkId":"dt","type":"dateTime"},{"linkId":"t","type":"time"},
             {"linkId":"s","type":"string"},{"linkId":"tx","type":"text"},{"linkId":"u","type":"url"},
             {"linkId":"c","type":"choice","answerOption":[{"valueCoding":{"system":"s","code":"a"}}]},
             {"linkId":"oc","type":"open-choice","answerOption":[{"valueString":"x"}]},
             {"linkId":"at","type":"attachment"},{"linkId":"r","type":"reference"},{"linkId":"qu","type":"quantity"}]
            """);

        Assert.Empty(Validate(q));
    }

    [Fact]
    public void ReportADuplicateLinkId() =>
        Expect("a", LinkIdDuplicate, """[{"linkId":"a","type":"string"},{"linkId":"g","type":"group","item":[{"linkId":"a","type":"string"}]}]""");

    // JSON without a link id or a type does not even parse (see QuestionnaireJsonShould); a definition built in
    // code (the console's builder) can still lack them.
    [Fact]
    public void ReportAMissingLinkId()
    {
        var q = new Questionnaire { Status = PublicationStatus.Draft, Item = [new() { Type = Questionnaire.QuestionnaireItemType.String, Text = "no id" }] };
        Assert.Equal((null, LinkIdMissing), (Assert.Single(Validate(q)).LinkId, Validate(q)[0].Code));
    }

    [Fact]
    public void ReportAMissingType()
    {
        var q = new Questionnaire { Status = PublicationStatus.Draft, Item = [new() { LinkId = "a" }] };
        Assert.Equal(("a", TypeMissing), (Assert.Single(Validate(q)).LinkId, Validate(q)[0].Code));
    }

    [Fact]
    public void ReportAnEnableWhenPointingAtALaterItem() =>
        Expect("a", EnableWhenLaterQuestion, """[{"linkId":"a","type":"string","enableWhen":[{"question":"b","operator":"exists","answerBoolean":true}]},{"linkId":"b","type":"boolean"}]""");

    [Fact]
    public void ReportAnEnableWhenPointingAtItself() =>
        Expect("a", EnableWhenLaterQuestion, """[{"linkId":"a","type":"boolean","enableWhen":[{"question":"a","operator":"=","answerBoolean":true}]}]""");

    [Fact]
    public void ReportAnEnableWhenPointingAtItsOwnChild() =>
        Expect("a", EnableWhenLaterQuestion, """[{"linkId":"a","type":"group","enableWhen":[{"question":"c","operator":"=","answerBoolean":true}],"item":[{"linkId":"c","type":"boolean"}]}]""");

    [Fact]
    public void ReportAnEnableWhenPointingAtAnUnknownItem()
    {
        var problem = Only("""[{"linkId":"a","type":"string","enableWhen":[{"question":"nope","operator":"exists","answerBoolean":true}]}]""");
        Assert.Equal(("a", EnableWhenUnknownQuestion, "Questionnaire.item[0].enableWhen[0].question"), (problem.LinkId, problem.Code, problem.Path));
    }

    [Fact]
    public void ReportAnEnableWhenPointingAtADisplayItem() =>
        Expect("a", EnableWhenNotAQuestion, """[{"linkId":"d","type":"display","text":"x"},{"linkId":"a","type":"string","enableWhen":[{"question":"d","operator":"exists","answerBoolean":true}]}]""");

    [Theory]
    [InlineData(">")]
    [InlineData("<")]
    [InlineData(">=")]
    [InlineData("<=")]
    public void ReportAnOrderingOperatorOnACodedQuestion(string op) =>
        Expect("a", EnableWhenOperatorIncompatible, $$$"""[{"linkId":"c","type":"choice","answerOption":[{"valueCoding":{"system":"s","code":"x"}}]},{"linkId":"a","type":"string","enableWhen":[{"question":"c","operator":"{{{op}}}","answerCoding":{"system":"s","code":"x"}}]}]""");

    [Fact]
    public void ReportAnOrderingOperatorOnABoolean() =>
        Expect("a", EnableWhenOperatorIncompatible, """[{"linkId":"b","type":"boolean"},{"linkId":"a","type":"string","enableWhen":[{"question":"b","operator":">","answerBoolean":true}]}]""");

    [Theory]
    [InlineData("boolean", "\"answerInteger\":1")]
    [InlineData("integer", "\"answerDecimal\":1.5")]
    [InlineData("string", "\"answerInteger\":1")]
    [InlineData("date", "\"answerString\":\"2020-01-01\"")]
    [InlineData("quantity", "\"answerDecimal\":2")]
    [InlineData("choice", "\"answerString\":\"x\"")]
    public void ReportAnEnableWhenAnswerOfTheWrongType(string type, string answer)
    {
        var options = type == "choice" ? ""","answerOption":[{"valueCoding":{"system":"s","code":"x"}}]""" : "";
        Expect("a", EnableWhenAnswerType,
            "[{\"linkId\":\"q\",\"type\":\"" + type + "\"" + options + "},{\"linkId\":\"a\",\"type\":\"string\",\"enableWhen\":[{\"question\":\"q\",\"operator\":\"=\"," + answer + "}]}]");
    }

    [Fact]
    public void ReportExistsComparedWithSomethingOtherThanABoolean() =>
        Expect("a", EnableWhenAnswerType, """[{"linkId":"q","type":"integer"},{"linkId":"a","type":"string","enableWhen":[{"question":"q","operator":"exists","answerInteger":1}]}]""");

    [Fact]
    public void ReportSeveralConditionsWithoutEnableBehavior() =>
        Expect("a", EnableBehaviorMissing, """[{"linkId":"q","type":"integer"},{"linkId":"a","type":"string","enableWhen":[{"question":"q","operator":">","answerInteger":1},{"question":"q","operator":"<","answerInteger":5}]}]""");

    [Theory]
    [InlineData("integer", "\"answerInteger\":3")]
    [InlineData("decimal", "\"answerDecimal\":3.5")]
    [InlineData("date", "\"answerDate\":\"2024-01-01\"")]
    [InlineData("dateTime", "\"answerDateTime\":\"2024-01-01T10:00:00Z\"")]
    [InlineData("time", "\"answerTime\":\"10:00:00\"")]
    [InlineData("quantity", "\"answerQuantity\":{\"value\":3,\"code\":\"kg\"}")]
    public void AcceptEveryOperatorOnAnOrderedQuestion(string type, string answer)
    {
        var conditions = string.Join(",", ComparisonOperators.Select(op => "{\"question\":\"q\",\"operator\":\"" + op + "\"," + answer + "}"));
        var q = Q($$$"""[{"linkId":"q","type":"{{{type}}}"},{"linkId":"a","type":"string","enableBehavior":"any","enableWhen":[{{{conditions}}},{"question":"q","operator":"exists","answerBoolean":true}]}]""");

        Assert.Empty(Validate(q));
    }

    [Fact]
    public void ReportBothEnableWhenAndAnEnableWhenExpression() =>
        Expect("a", EnableWhenWithExpression, $$$"""[{"linkId":"q","type":"boolean"},{"linkId":"a","type":"string","extension":[{"url":"{{{Sdc}}}enableWhenExpression","valueExpression":{"language":"text/fhirpath","expression":"true"}}],"enableWhen":[{"question":"q","operator":"exists","answerBoolean":true}]}]""");

    [Theory]
    [InlineData("item.where(linkId = ")]
    [InlineData("1 +")]
    [InlineData("answer.value.nosuchfunction()")]
    public void ReportAnExpressionThatDoesNotCompile(string expression) =>
        Expect("a", ExpressionInvalid, $$$"""[{"linkId":"a","type":"integer","extension":[{{{Calc(expression)}}}]}]""");

    [Theory]
    [InlineData("text/cql")]
    [InlineData("application/x-fhir-query")]
    public void ReportAnExpressionLanguageOtherThanFhirPathAsUnsupported(string language)
    {
        var problem = Only($$$"""[{"linkId":"a","type":"integer","extension":[{{{Calc("Foo", language)}}}]}]""");
        Assert.Equal(("a", Unsupported), (problem.LinkId, problem.Code));
        Assert.Contains(language, problem.Message);
    }

    [Fact]
    public void ReportAnUndeclaredVariable() =>
        Expect("a", ExpressionUnknownVariable, $$$"""[{"linkId":"a","type":"integer","extension":[{{{Calc("%score + 1")}}}]}]""");

    [Fact]
    public void AcceptVariablesOfTheFormAnEnclosingItemAndTheItemItself()
    {
        var q = Q($$$"""[{"linkId":"g","type":"group","extension":[{{{Var("outer", "2")}}}],"item":[{"linkId":"a","type":"integer","extension":[{{{Var("own", "%outer + %top")}}},{{{Calc("%own + %outer + %top + %resource.item.count()")}}}]}]}]""",
            $$$""" "extension":[{{{Var("top", "1")}}}]""");

        Assert.Empty(Validate(q));
    }

    [Fact]
    public void ReportAVariableOfASiblingItem() =>
        Expect("b", ExpressionUnknownVariable, $$$"""[{"linkId":"a","type":"integer","extension":[{{{Var("mine", "1")}}}]},{"linkId":"b","type":"integer","extension":[{{{Calc("%mine")}}}]}]""");

    [Fact]
    public void ReportAVariableNamedLikeABuiltIn() =>
        Expect("a", VariableNameDuplicate, $$$"""[{"linkId":"a","type":"integer","extension":[{{{Var("resource", "1")}}}]}]""");

    [Fact]
    public void ReportAnUnsupportedExtensionByName()
    {
        var problem = Only("""[{"linkId":"a","type":"string","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/regex","valueString":"[0-9]+"}]}]""");
        Assert.Equal(("a", Unsupported), (problem.LinkId, problem.Code));
        Assert.Contains("http://hl7.org/fhir/StructureDefinition/regex", problem.Message);
    }

    [Fact]
    public void ReportAnUnsupportedFormLevelExtensionByName()
    {
        var problem = Only("""[{"linkId":"a","type":"string"}]""", """ "extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-itemExtractionContext","valueCode":"Patient"}]""");
        Assert.Equal((null, Unsupported), (problem.LinkId, problem.Code));
        Assert.Contains("itemExtractionContext", problem.Message);
    }

    [Fact]
    public void ReportAModifierExtension() =>
        Expect("a", Unsupported, """[{"linkId":"a","type":"string","modifierExtension":[{"url":"https://example.org/changes-meaning","valueBoolean":true}]}]""");

    [Fact]
    public void ReportTwoCalculatedItemsReadingEachOther()
    {
        var problem = Only($$$"""[{"linkId":"a","type":"integer","extension":[{{{Calc("%resource.item.where(linkId = 'b').answer.value")}}}]},{"linkId":"b","type":"integer","extension":[{{{Calc("%resource.item.where(linkId = 'a').answer.value")}}}]}]""");
        Assert.Equal(CalculationCycle, problem.Code);
        Assert.Contains("a -> b -> a", problem.Message);
    }

    [Fact]
    public void ReportACalculatedItemReadingItself() =>
        Expect("a", CalculationCycle, $$$"""[{"linkId":"a","type":"integer","extension":[{{{Calc("%resource.item.where(linkId = 'a').answer.value + 1")}}}]}]""");

    [Fact]
    public void ReportACycleThroughAVariable() =>
        Expect("a", CalculationCycle, $$$"""[{"linkId":"a","type":"integer","extension":[{{{Var("v", "%resource.item.where(linkId = 'b').answer.value")}}},{{{Calc("%v")}}}]},{"linkId":"b","type":"integer","extension":[{{{Calc("%resource.item.where(linkId = 'a').answer.value")}}}]}]""");

    [Fact]
    public void AcceptAChainOfCalculatedItems() =>
        Assert.Empty(Validate(Q($$$"""[{"linkId":"x","type":"integer"},{"linkId":"c","type":"integer","extension":[{{{Calc("%resource.item.where(linkId = 'b').answer.value * 2")}}}]},{"linkId":"b","type":"integer","extension":[{{{Calc("%resource.item.where(linkId = 'x').answer.value + 1")}}}]}]""")));

    [Fact]
    public void ReportACalculationOnAGroup() =>
        Expect("g", CalculatedOnGroupOrDisplay, $$$"""[{"linkId":"g","type":"group","extension":[{{{Calc("1")}}}],"item":[{"linkId":"a","type":"string"}]}]""");

    [Theory]
    [InlineData("""{"linkId":"d","type":"display","text":"x","required":true}""", DisplayRequired)]
    [InlineData("""{"linkId":"d","type":"display","text":"x","repeats":true}""", DisplayRepeats)]
    [InlineData("""{"linkId":"d","type":"display","text":"x","readOnly":true}""", DisplayReadOnly)]
    [InlineData("""{"linkId":"d","type":"display","text":"x","item":[{"linkId":"e","type":"string"}]}""", DisplayWithChildren)]
    [InlineData("""{"linkId":"d","type":"group"}""", GroupWithoutItems)]
    [InlineData("""{"linkId":"d","type":"date","maxLength":10}""", MaxLengthNotAllowed)]
    [InlineData("""{"linkId":"d","type":"string","maxLength":0}""", MaxLengthInvalid)]
    [InlineData("""{"linkId":"d","type":"boolean","answerOption":[{"valueString":"x"}]}""", AnswerOptionNotAllowed)]
    [InlineData("""{"linkId":"d","type":"choice","answerValueSet":"#vs","answerOption":[{"valueCoding":{"system":"s","code":"x"}}]}""", AnswerOptionAndValueSet)]
    [InlineData("""{"linkId":"d","type":"integer","answerOption":[{"valueString":"one"}]}""", AnswerOptionType)]
    [InlineData("""{"linkId":"d","type":"choice","answerOption":[{"valueCoding":{"system":"s","code":"x"}},{"valueCoding":{"system":"s","code":"x"}}]}""", AnswerOptionDuplicate)]
    [InlineData("""{"linkId":"d","type":"choice","answerOption":[{"valueCoding":{"system":"s","display":"no code"}}]}""", AnswerOptionWithoutCode)]
    [InlineData("""{"linkId":"d","type":"choice"}""", ChoiceWithoutOptions)]
    [InlineData("""{"linkId":"d","type":"choice","answerValueSet":"#missing"}""", AnswerValueSetUnknown)]
    [InlineData("""{"linkId":"d","type":"choice","answerValueSet":"https://terminology.example.org/ValueSet/not-in-tenant"}""", AnswerValueSetUnknown)]
    [InlineData("""{"linkId":"d","type":"choice","answerOption":[{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueString":"high"}],"valueCoding":{"system":"s","code":"x"}}]}""", OrdinalValueInvalid)]
    [InlineData("""{"linkId":"d","type":"group","item":[{"linkId":"e","type":"string"}],"initial":[{"valueString":"x"}]}""", InitialNotAllowed)]
    [InlineData("""{"linkId":"d","type":"string","initial":[{"valueString":"x"},{"valueString":"y"}]}""", InitialRepeats)]
    [InlineData("""{"linkId":"d","type":"integer","initial":[{"valueString":"x"}]}""", InitialType)]
    [InlineData("""{"linkId":"d","type":"choice","answerOption":[{"valueCoding":{"system":"s","code":"x"}}],"initial":[{"valueCoding":{"system":"s","code":"x"}}]}""", InitialWithAnswerOptions)]
    [InlineData("""{"linkId":"d","type":"string","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/minValue","valueInteger":1}]}""", MinMaxNotAllowed)]
    [InlineData("""{"linkId":"d","type":"integer","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/minValue","valueDate":"2020-01-01"}]}""", MinMaxType)]
    [InlineData("""{"linkId":"d","type":"integer","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/minValue","valueInteger":10},{"url":"http://hl7.org/fhir/StructureDefinition/maxValue","valueInteger":1}]}""", MinGreaterThanMax)]
    [InlineData("""{"linkId":"d","type":"string","maxLength":3,"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/minLength","valueInteger":5}]}""", MinGreaterThanMax)]
    [InlineData("""{"linkId":"d","type":"decimal","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces","valueInteger":-1}]}""", MaxDecimalPlacesInvalid)]
    [InlineData("""{"linkId":"d","type":"string","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-unit","valueCoding":{"system":"http://unitsofmeasure.org","code":"kg"}}]}""", UnitNotAllowed)]
    [InlineData("""{"linkId":"d","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract","valueBoolean":true}]}""", ExtractWithoutCode)]
    [InlineData("""{"linkId":"d","type":"attachment","code":[{"system":"http://loinc.org","code":"x"}],"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-observationExtract","valueBoolean":true}]}""", Unsupported)]
    [InlineData("""{"linkId":"d","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath"}}]}""", ExpressionMissing)]
    [InlineData("""{"linkId":"d","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueString":"1 + 1"}]}""", ExtensionValueInvalid)]
    [InlineData("""{"linkId":"d","type":"integer","initial":[{"valueInteger":1}],"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression","valueExpression":{"language":"text/fhirpath","expression":"2"}}]}""", InitialWithExpression)]
    [InlineData("""{"linkId":"d","type":"integer","repeats":true,"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs","valueInteger":-1}]}""", ExtensionValueInvalid)]
    [InlineData("""{"linkId":"d","type":"integer","repeats":true,"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs","valueInteger":0}]}""", ExtensionValueInvalid)]
    [InlineData("""{"linkId":"d","type":"integer","repeats":true,"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs","valueInteger":3},{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs","valueInteger":2}]}""", MinGreaterThanMax)]
    [InlineData("""{"linkId":"d","type":"integer","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-maxOccurs","valueInteger":2}]}""", OccursNeedsRepeats)]
    [InlineData("""{"linkId":"d","type":"display","text":"note","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/questionnaire-minOccurs","valueInteger":1}]}""", MinMaxNotAllowed)]
    public void ReportEachBadItem(string item, string code) =>
        Expect("d", code, $"[{item}]");

    [Fact]
    public void NotTakeATotalThatLeavesItselfOutOfItsSumForACycle() =>
        // The SDC guide's PHQ-9 sums every answer but its own: excluding a link id is not reading it.
        Assert.Empty(Validate(Q("""
            [{"linkId":"a","type":"integer"},
             {"linkId":"total","type":"integer","readOnly":true,"extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId != 'total').answer.value.sum()"}}]}]
            """)));

    [Fact]
    public void NotTakeAReadOfTheDefinitionForACycle() =>
        // Reaching an item's own answer options through %questionnaire reads the form, not the answers.
        Assert.Empty(Validate(Q("""
            [{"linkId":"risk","type":"choice","readOnly":true,
              "answerOption":[{"valueCoding":{"system":"s","code":"high"}},{"valueCoding":{"system":"s","code":"low"}}],
              "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/variable","valueExpression":{"name":"self","language":"text/fhirpath","expression":"%questionnaire.item.where(linkId = 'risk')"}},
                           {"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%self.answerOption.value.where(code = 'low')"}}]}]
            """)));

    [Fact]
    public void StillFindACycleThroughAnEqualityRead()
    {
        var problems = Validate(Q("""
            [{"linkId":"x","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = 'y').answer.value + 1"}}]},
             {"linkId":"y","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","expression":"%resource.item.where(linkId = 'x' and linkId != 'z').answer.value + 1"}}]}]
            """));

        Assert.Equal([CalculationCycle], problems.Select(p => p.Code));
    }

    [Fact]
    public void ReportAnExpressionReferenceAsUnsupported() =>
        Expect("a", Unsupported, """[{"linkId":"a","type":"integer","extension":[{"url":"http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression","valueExpression":{"language":"text/fhirpath","reference":"Library/x#score"}}]}]""");

    [Fact]
    public void AcceptAnAnswerValueSetHeldInTheTenant()
    {
        var q = Q("""[{"linkId":"d","type":"choice","answerValueSet":"https://terminology.example.org/ValueSet/colours"}]""");
        var valueSets = new InMemoryAnswerValueSets().Add(new AnswerValueSet("https://terminology.example.org/ValueSet/colours", [new AnswerConcept("s", "red")]));

        Assert.Empty(new DefinitionValidator(valueSets).Validate(q));
    }

    [Fact]
    public void AcceptAContainedValueSetThatListsItsConcepts()
    {
        var q = Q("""[{"linkId":"d","type":"choice","answerValueSet":"#vs"}]""",
            """ "contained":[{"resourceType":"ValueSet","id":"vs","status":"active","compose":{"include":[{"system":"s","concept":[{"code":"a"},{"code":"b"}]}]}}]""");

        Assert.Empty(Validate(q));
    }

    [Fact]
    public void ReportAContainedValueSetThatOnlyFiltersACodeSystem() =>
        Expect("d", AnswerValueSetUnknown, """[{"linkId":"d","type":"choice","answerValueSet":"#vs"}]""",
            """ "contained":[{"resourceType":"ValueSet","id":"vs","status":"active","compose":{"include":[{"system":"http://snomed.info/sct","filter":[{"property":"concept","op":"is-a","value":"404684003"}]}]}}]""");

    [Fact]
    public void ReportEveryProblemOfABrokenFormTogether()
    {
        var problems = Validate(Q("""
            [{"linkId":"a","type":"group"},
             {"linkId":"a","type":"string","enableWhen":[{"question":"z","operator":"exists","answerBoolean":true}]},
             {"linkId":"d","type":"display","required":true}]
            """));

        Assert.Equal(
            [("a", GroupWithoutItems), ("a", LinkIdDuplicate), ("a", EnableWhenUnknownQuestion), ("d", DisplayRequired)],
            problems.Select(p => (p.LinkId, p.Code)).OrderBy(p => p.Item1).ThenBy(p => p.Item2 == GroupWithoutItems ? 0 : p.Item2 == LinkIdDuplicate ? 1 : 2));
    }
}
