using Ehr.Forms.Definitions;
using Ehr.Web.Components.Forms;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;
using Operator = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemOperator;

namespace Ehr.Tests.Console;

/// <summary>The form builder's tree operations on a Questionnaire: link ids, moves, duplicates, deletions, types, JSON.</summary>
public sealed class FormBuilderModelShould
{
    private static List<string> LinkIds(FormBuilderModel model) => model.Nodes.Select(n => n.Item.LinkId!).ToList();

    private static string Codes(IEnumerable<FormProblem> problems) => string.Join("; ", problems);

    /// <summary>smoker (boolean) → packs (integer, shown when smoker = true); a group "history" with one question.</summary>
    private static FormBuilderModel Conditional() => new(Q("""
        [{"linkId":"smoker","text":"Do you smoke?","type":"boolean"},
         {"linkId":"packs","text":"Packs a day","type":"integer","enableWhen":[{"question":"smoker","operator":"=","answerBoolean":true}]},
         {"linkId":"history","text":"History","type":"group","item":[{"linkId":"notes","text":"Notes","type":"text"}]}]
        """));

    [Fact]
    public void GiveEveryNewItemALinkIdNoOtherItemHas()
    {
        var model = FormBuilderModel.Blank();
        var group = model.Add(ItemType.Group);
        model.Add(ItemType.String, group);
        model.Add(ItemType.Choice);
        model.Add(ItemType.Display);
        model.Add(ItemType.Group);

        var ids = LinkIds(model);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(["group-1", "question-1", "question-2", "question-3", "display-1", "group-2", "question-4"], ids);
        Assert.Empty(Validate(model.Questionnaire));
    }

    [Theory]
    [MemberData(nameof(EveryType))]
    public void AddAnItemOfEachTypeThatPassesTheDefinitionChecks(ItemType type)
    {
        var model = FormBuilderModel.Blank();
        model.Add(type);

        Assert.Empty(Validate(model.Questionnaire));
        var reread = QuestionnaireJson.ParseQuestionnaire(model.ToJson());
        Assert.True(reread.Succeeded, Codes(reread.Problems));
    }

    public static TheoryData<ItemType> EveryType() => new(ItemProperties.Types);

    [Fact]
    public void RefuseALinkIdThatIsEmptyHasSpacesOrIsAnotherItemsAndChangeNothing()
    {
        var model = Conditional();
        var packs = model.NodeWithLinkId("packs")!.Item;
        var before = model.ToJson();

        Assert.Contains("already", model.ChangeLinkId(packs, "smoker"));
        Assert.Contains("empty", model.ChangeLinkId(packs, " "));
        Assert.Contains("spaces", model.ChangeLinkId(packs, "two words"));
        Assert.Contains("255", model.ChangeLinkId(packs, new string('x', 256)));

        Assert.Equal(before, model.ToJson());
    }

    [Fact]
    public void CarryARenamedLinkIdIntoConditionsAndExpressions()
    {
        var model = Conditional();
        var smoker = model.NodeWithLinkId("smoker")!.Item;
        var notes = model.NodeWithLinkId("notes")!.Item;
        SdcExtensions.SetExpression(notes, SdcExtensions.EnableWhenExpression, "%resource.item.where(linkId = 'smoker').answer.value = true");
        model.NodeWithLinkId("packs")!.Item.EnableWhen[0].Question = "smoker";

        Assert.Null(model.ChangeLinkId(smoker, "smokes"));

        Assert.Equal("smokes", model.NodeWithLinkId("packs")!.Item.EnableWhen[0].Question);
        Assert.Equal("%resource.item.where(linkId = 'smokes').answer.value = true",
            SdcExtensions.ExpressionOf(notes, SdcExtensions.EnableWhenExpression)!.Expression_);
        Assert.DoesNotContain(Validate(model.Questionnaire), p => p.Code == FormProblemCodes.EnableWhenUnknownQuestion);
    }

    [Fact]
    public void MoveAnItemIntoAGroupAndOutAgainKeepingItsConditionValid()
    {
        var model = Conditional();
        var packs = model.NodeWithLinkId("packs")!.Item;
        var history = model.NodeWithLinkId("history")!.Item;

        var notes = model.Move(packs, history, 0);

        Assert.Empty(notes);
        Assert.Equal(["smoker", "history", "packs", "notes"], LinkIds(model));
        Assert.Same(history, model.NodeOf(packs)!.Parent);
        Assert.Empty(Validate(model.Questionnaire));

        Assert.Empty(model.Outdent(packs));
        Assert.Equal(["smoker", "history", "notes", "packs"], LinkIds(model));
        Assert.Null(model.NodeOf(packs)!.Parent);
        Assert.Empty(Validate(model.Questionnaire));
    }

    [Fact]
    public void ReportAConditionAMoveLeavesOnAQuestionThatNowComesAfterIt()
    {
        var model = Conditional();
        var smoker = model.NodeWithLinkId("smoker")!.Item;
        var history = model.NodeWithLinkId("history")!.Item;

        var notes = model.Move(smoker, history, history.Item.Count);

        var note = Assert.Single(notes);
        Assert.Contains("'Packs a day' depends on 'smoker'", note);
        Assert.Contains(Validate(model.Questionnaire), p => p.LinkId == "packs" && p.Code == FormProblemCodes.EnableWhenLaterQuestion);

        // Moving it back to the top puts the condition right again, and says nothing.
        Assert.Empty(model.Move(smoker, null, 0));
        Assert.Empty(model.ConditionsOutOfOrder());
        Assert.Empty(Validate(model.Questionnaire));
    }

    [Fact]
    public void RefuseToMoveAGroupIntoItselfOrIntoOneOfItsItems()
    {
        var model = Conditional();
        var history = model.NodeWithLinkId("history")!.Item;
        var inner = model.Add(ItemType.Group, history);

        Assert.False(FormBuilderModel.CanMove(history, history));
        Assert.False(FormBuilderModel.CanMove(history, inner));
        Assert.True(FormBuilderModel.CanMove(inner, null));
        var before = model.ToJson();
        Assert.Throws<InvalidOperationException>(() => model.Move(history, inner, 0));
        Assert.Equal(before, model.ToJson());
    }

    [Fact]
    public void MoveUpDownAndIntoTheSectionAbove()
    {
        var model = Conditional();
        var packs = model.NodeWithLinkId("packs")!.Item;
        var history = model.NodeWithLinkId("history")!.Item;

        Assert.Single(model.MoveUp(packs)); // above smoker: its condition's question now follows it
        Assert.Equal(["packs", "smoker", "history", "notes"], LinkIds(model));
        Assert.Empty(model.MoveDown(packs));
        Assert.Equal(["smoker", "packs", "history", "notes"], LinkIds(model));
        Assert.Empty(model.MoveDown(packs));
        Assert.Equal(["smoker", "history", "notes", "packs"], LinkIds(model));
        Assert.Empty(model.MoveDown(packs)); // already last: nothing moves
        Assert.Equal(["smoker", "history", "notes", "packs"], LinkIds(model));

        Assert.True(model.CanIndent(packs));
        Assert.Empty(model.Indent(packs));
        Assert.Equal(["smoker", "history", "notes", "packs"], LinkIds(model));
        Assert.Same(history, model.NodeOf(packs)!.Parent);
        Assert.Equal(1, model.NodeOf(packs)!.Index);
    }

    [Fact]
    public void DuplicateAnItemWithNewLinkIdsAndItsInnerConditionsOnTheCopies()
    {
        var model = new FormBuilderModel(Q("""
            [{"linkId":"consent","text":"Consent given","type":"boolean"},
             {"linkId":"med","text":"Medication","type":"group","repeats":true,"item":[
               {"linkId":"takes","text":"Taking it now","type":"boolean"},
               {"linkId":"since","text":"Since","type":"date","enableWhen":[{"question":"takes","operator":"=","answerBoolean":true}]},
               {"linkId":"signed","text":"Signed","type":"boolean","enableWhen":[{"question":"consent","operator":"=","answerBoolean":true}]}]}]
            """));
        var med = model.NodeWithLinkId("med")!.Item;

        var copy = model.Duplicate(med);

        var ids = LinkIds(model);
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(2, model.NodeOf(copy)!.Index);
        Assert.Equal(copy.Item[0].LinkId, copy.Item[1].EnableWhen[0].Question); // inside the copy: its own question
        Assert.Equal("consent", copy.Item[2].EnableWhen[0].Question);           // outside: unchanged
        Assert.Equal("takes", med.Item[1].EnableWhen[0].Question);              // the original is untouched
        Assert.Empty(Validate(model.Questionnaire));
    }

    [Fact]
    public void ReportTheConditionsLeftOnADeletedItem()
    {
        var model = Conditional();

        var notes = model.Delete(model.NodeWithLinkId("smoker")!.Item);

        Assert.Contains("'Packs a day' is shown depending on 'smoker', which was deleted", Assert.Single(notes));
        Assert.Equal(["packs", "history", "notes"], LinkIds(model));
        Assert.Contains(Validate(model.Questionnaire), p => p.LinkId == "packs" && p.Code == FormProblemCodes.EnableWhenUnknownQuestion);
    }

    [Fact]
    public void OfferAsConditionsOnlyEarlierQuestionsThatAreNotItsOwnSections()
    {
        var model = Conditional();
        var history = model.NodeWithLinkId("history")!.Item;
        model.Add(ItemType.Display, null, model.NodeWithLinkId("packs")!.Item);
        model.Add(ItemType.Attachment, null, model.NodeWithLinkId("packs")!.Item);
        var notes = model.NodeWithLinkId("notes")!.Item;

        var candidates = model.ConditionCandidates(notes).Select(i => i.LinkId).ToList();

        Assert.Equal(["smoker", "packs"], candidates);
        Assert.Empty(model.ConditionCandidates(model.NodeWithLinkId("smoker")!.Item));
        Assert.DoesNotContain("history", model.ConditionCandidates(history).Select(i => i.LinkId));
    }

    [Fact]
    public void DropWhatANewTypeCannotHaveAndSayWhat()
    {
        var model = new FormBuilderModel(Q("""
            [{"linkId":"size","text":"Size","type":"choice","answerOption":[{"valueCoding":{"code":"s"}},{"valueCoding":{"code":"l"}}]},
             {"linkId":"large","text":"Why large?","type":"string","enableWhen":[{"question":"size","operator":"=","answerCoding":{"code":"l"}}]}]
            """));
        var size = model.NodeWithLinkId("size")!.Item;

        var notes = model.ChangeType(size, ItemType.Decimal);

        Assert.Empty(size.AnswerOption);
        Assert.Contains(notes, n => n.Contains("answer options were removed", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("'Why large?'", StringComparison.Ordinal));

        model.ChangeType(size, ItemType.Choice);
        Assert.Equal(2, size.AnswerOption.Count); // a choice starts with options again
        var group = model.Add(ItemType.Group);
        Assert.Contains("cannot contain items", Assert.Single(model.ChangeType(group, ItemType.Display)));
        Assert.Equal(ItemType.Group, group.Type);
    }

    [Fact]
    public void RoundTripThroughJsonToTheSameDefinition()
    {
        var model = Library("phq-9") is var phq ? new FormBuilderModel(phq) : null!;
        model.Add(ItemType.Quantity);
        ItemProperties.SetUnits(model.Nodes[^1].Item, "kg, [lb_av]");

        var json = model.ToJson();
        var other = FormBuilderModel.Blank();
        Assert.Empty(other.ReplaceFromJson(json));

        Assert.True(model.Questionnaire.IsExactly(other.Questionnaire));
        Assert.Equal(json, other.ToJson());
    }

    [Fact]
    public void KeepTheFormWhenEditedJsonDoesNotReadAndSayWhere()
    {
        var model = Conditional();
        var before = model.Questionnaire;
        var json = model.ToJson().Replace("\"type\": \"integer\"", "\"type\": \"number\"", StringComparison.Ordinal);

        var problems = model.ReplaceFromJson(json);

        var problem = Assert.Single(problems);
        Assert.Equal(FormProblemCodes.InvalidResource, problem.Code);
        Assert.Equal("Questionnaire.item[1].type", problem.Path);
        Assert.Same(before, model.Questionnaire);

        Assert.Equal(FormProblemCodes.InvalidJson, Assert.Single(model.ReplaceFromJson("{\"resourceType\": \"Questionnaire\", ")).Code);
        Assert.Same(before, model.Questionnaire);
    }

    [Fact]
    public void FindTheItemAProblemsPathPointsInto()
    {
        var model = Conditional();

        Assert.Equal("notes", model.NodeAtPath("Questionnaire.item[2].item[0].enableWhen[0].question")!.Item.LinkId);
        Assert.Equal("packs", model.NodeAtPath("Questionnaire.item[1]")!.Item.LinkId);
        Assert.Null(model.NodeAtPath("Questionnaire.extension"));
    }

    [Fact]
    public void RetargetAConditionKeepingWhatStillFits()
    {
        var model = new FormBuilderModel(Q("""
            [{"linkId":"age","type":"integer"},{"linkId":"weight","type":"decimal"},{"linkId":"ok","type":"boolean"},
             {"linkId":"q","type":"string","enableWhen":[{"question":"age","operator":">","answerInteger":40}]}]
            """));
        var condition = model.NodeWithLinkId("q")!.Item.EnableWhen[0];

        ItemProperties.Retarget(condition, model.NodeWithLinkId("weight")!.Item);
        Assert.Equal(("weight", Operator.GreaterThan), (condition.Question, condition.Operator));
        Assert.Equal(40m, ((FhirDecimal)condition.Answer).Value);

        ItemProperties.Retarget(condition, model.NodeWithLinkId("ok")!.Item);
        Assert.Equal(("ok", Operator.Equal), (condition.Question, condition.Operator)); // > does not order booleans
        Assert.True(((FhirBoolean)condition.Answer).Value);
        Assert.Empty(Validate(model.Questionnaire));
    }

    [Fact]
    public void ParseTypedValuesForTheItemsTypeOrSayWhy()
    {
        var date = new Questionnaire.ItemComponent { Type = ItemType.Date };
        Assert.Equal("2024-05-01", ((Date)ItemProperties.Parse(date, "2024-05-01", out var error)!).Value);
        Assert.Null(error);
        Assert.Null(ItemProperties.Parse(date, "01/05/2024", out error));
        Assert.NotNull(error);

        var count = new Questionnaire.ItemComponent { Type = ItemType.Integer };
        Assert.Null(ItemProperties.SetBound(count, SdcExtensions.MinValue, "0"));
        Assert.NotNull(ItemProperties.SetBound(count, SdcExtensions.MaxValue, "ten"));
        Assert.Null(SdcExtensions.ValueOf(count, SdcExtensions.MaxValue));
        Assert.NotNull(ItemProperties.SetUnits(count, "kg, g"));
        Assert.Empty(SdcExtensions.UnitsOf(count));
    }
}
