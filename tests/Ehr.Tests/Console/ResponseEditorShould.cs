using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Web.Components.Forms;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Console;

/// <summary>
/// What the renderer does between markup and engine: answers placed by address, each change processed by the
/// server's engine (enableWhen, scores), the view laid out with the enabled items and problems beside their items.
/// </summary>
public sealed class ResponseEditorShould
{
    private const string Calculated = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";

    private static readonly Dictionary<string, int> NothingOpened = [];

    private static ResponseEditor Editor(Questionnaire q, QuestionnaireResponse? response = null)
    {
        var editor = new ResponseEditor(new ResponseEngine(), InMemoryAnswerValueSets.Empty);
        editor.Start(q, response);
        return editor;
    }

    private static FormView View(ResponseEditor editor, IEnumerable<FormProblem>? problems = null, IReadOnlyDictionary<string, int>? shown = null) =>
        FormView.Build(editor, shown ?? NothingOpened, problems ?? editor.Problems, readOnly: false, "t");

    private static List<FormNode> All(IEnumerable<FormNode> nodes) => nodes.SelectMany(n => All(n.Children).Prepend(n)).ToList();

    private static FormNode Node(FormView view, string linkId, int repetition = 0) =>
        All(view.Roots).First(n => n.Definition.LinkId == linkId && n.Repetition == repetition);

    private static ItemAddress At(Questionnaire q, params string[] linkIds)
    {
        var address = ItemAddress.Root;
        var items = q.Item;
        foreach (var id in linkIds)
        {
            var item = items.First(i => i.LinkId == id);
            address = address.Then(item);
            items = item.Item;
        }
        return address;
    }

    /// <summary>Two scored choices, a total of their scores, and a question shown when the first is "b".</summary>
    private static Questionnaire Scored() => Q($$$"""
        [{"linkId":"a","text":"A","type":"choice","answerOption":[
            {"valueCoding":{"code":"a0"},"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueDecimal":0}]},
            {"valueCoding":{"code":"a2"},"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueDecimal":2}]}]},
         {"linkId":"why","text":"Why?","type":"string","enableWhen":[{"question":"a","operator":"=","answerCoding":{"code":"a2"}}]},
         {"linkId":"b","text":"B","type":"choice","answerOption":[
            {"valueCoding":{"code":"b1"},"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueDecimal":1}]},
            {"valueCoding":{"code":"b3"},"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/ordinalValue","valueDecimal":3}]}]},
         {"linkId":"total","text":"Total","type":"integer","readOnly":true,"extension":[{"url":"{{{Calculated}}}","valueExpression":{"language":"text/fhirpath",
            "expression":"%resource.item.where(linkId = 'a' or linkId = 'b').answer.value.ordinal().sum()"}}]}]
        """);

    [Fact]
    public void ShowAConditionalQuestionOnlyWhileItsConditionHolds()
    {
        var q = Scored();
        var editor = Editor(q);
        Assert.DoesNotContain(All(View(editor).Roots), n => n.Definition.LinkId == "why");

        editor.SetAnswer(At(q, "a"), new Coding(null, "a2"));
        Assert.Contains(All(View(editor).Roots), n => n.Definition.LinkId == "why");

        editor.SetAnswer(At(q, "why"), new FhirString("because"));
        editor.SetAnswer(At(q, "a"), new Coding(null, "a0"));

        // Hidden again, its answer dropped as the server drops it, and no problem raised for the person's own change.
        Assert.DoesNotContain(All(View(editor).Roots), n => n.Definition.LinkId == "why");
        Assert.DoesNotContain(editor.Response.Item, i => i.LinkId == "why");
        Assert.Empty(editor.Problems);
    }

    [Fact]
    public void RecalculateTheTotalAfterEachAnswer()
    {
        var q = Scored();
        var editor = Editor(q);

        editor.SetAnswer(At(q, "a"), new Coding(null, "a2"));
        Assert.Equal(2, ((Integer)Node(View(editor), "total").Value!).Value);

        editor.SetAnswer(At(q, "b"), new Coding(null, "b3"));
        Assert.Equal(5, ((Integer)Node(View(editor), "total").Value!).Value);
        Assert.True(Node(View(editor), "total").Calculated);
        Assert.True(Node(View(editor), "total").ReadOnly);

        editor.SetAnswer(At(q, "b"), null);
        Assert.Equal(2, ((Integer)Node(View(editor), "total").Value!).Value);
        Assert.Equal(FormView.ControlOf(q.Item[0], 2), Node(View(editor), "a").Control);
    }

    [Fact]
    public void AnswerInASecondRepetitionOfARepeatingGroupOpenedByThePerson()
    {
        var q = Q("""
            [{"linkId":"med","text":"Medication","type":"group","repeats":true,"item":[{"linkId":"name","text":"Name","type":"string"}]}]
            """);
        var editor = Editor(q);
        var view = View(editor);
        Assert.Single(All(view.Roots), n => n.Definition.LinkId == "med");

        var opened = new Dictionary<string, int> { [FormView.ShownKey(ItemAddress.Root, q.Item[0])] = 2 };
        view = View(editor, shown: opened);
        var second = Node(view, "med", 1);
        Assert.Equal(2, second.RepetitionCount);
        Assert.Null(second.Item);

        editor.SetAnswer(Node(view, "name", 0).Address, new FhirString("aspirin"));
        editor.SetAnswer(second.Children[0].Address, new FhirString("insulin"));

        Assert.Equal(["aspirin", "insulin"], editor.Response.Item.Select(i => ((FhirString)i.Item[0].Answer[0].Value!).Value));
        view = View(editor, shown: opened);
        Assert.Equal("insulin", ((FhirString)Node(view, "med", 1).Children[0].Value!).Value);

        editor.RemoveRepetition(Node(view, "med", 0).Address);
        Assert.Equal(["insulin"], editor.Response.Item.Select(i => ((FhirString)i.Item[0].Answer[0].Value!).Value));
    }

    [Fact]
    public void PutItemsNestedUnderAQuestionInItsAnswer()
    {
        var q = Q("""
            [{"linkId":"pain","text":"Pain?","type":"boolean","item":[{"linkId":"where","text":"Where?","type":"string"}]}]
            """);
        var editor = Editor(q);
        var view = View(editor);
        var where = Node(view, "where");

        editor.SetAnswer(where.Address, new FhirString("knee"));
        editor.SetAnswer(Node(View(editor), "pain").Address, new FhirBoolean(true));

        var pain = Assert.Single(editor.Response.Item);
        Assert.True(((FhirBoolean)pain.Answer[0].Value!).Value);
        Assert.Equal("knee", ((FhirString)pain.Answer[0].Item[0].Answer[0].Value!).Value);
        Assert.Empty(editor.Problems);
        Assert.Equal("QuestionnaireResponse.item[0].answer[0].item[0]", Node(View(editor), "where").Path);
    }

    [Fact]
    public void ShowAProblemBesideTheItemItNamesAndListItInTheSummary()
    {
        var q = Q("""
            [{"linkId":"name","text":"Name","type":"string","required":true,"maxLength":3},
             {"linkId":"grp","text":"Group","type":"group","required":true,"item":[{"linkId":"age","text":"Age","type":"integer","required":true}]}]
            """);
        var editor = Editor(q);
        editor.SetAnswer(At(q, "name"), new FhirString("Alexandra"));

        var saved = View(editor);
        var entry = Assert.Single(saved.Summary);
        Assert.Equal(FormProblemCodes.TooLong, entry.Problem.Code);
        Assert.Same(Node(saved, "name"), entry.Node);
        Assert.Equal(Node(saved, "name").ErrorId, Node(saved, "name").Id + "-error");

        // Completion adds the missing answers: each beside its own question, even one in a section not begun.
        var completion = editor.CheckCompletion();
        Assert.Contains(completion, p => p.LinkId == "age" && p.Code == FormProblemCodes.Required);
        var view = View(editor);
        Assert.Contains(Node(view, "age").Problems, p => p.Code == FormProblemCodes.Required);
        Assert.Contains(Node(view, "name").Problems, p => p.Code == FormProblemCodes.TooLong);

        // A problem from the server that names an item this form does not show is listed, without a link.
        view = View(editor, [new FormProblem("elsewhere", "REQUIRED", "Missing.", "input.items[9]")]);
        Assert.Null(Assert.Single(view.Summary).Node);
    }

    [Fact]
    public void KeepTheAnswersThatStillFitWhenTheDefinitionChanges()
    {
        var q = Scored();
        var editor = Editor(q);
        editor.SetAnswer(At(q, "a"), new Coding(null, "a2"));
        editor.SetAnswer(At(q, "b"), new Coding(null, "b1"));

        var edited = (Questionnaire)q.DeepCopy();
        edited.Item.RemoveAll(i => i.LinkId == "b");
        editor.ChangeQuestionnaire(edited);

        Assert.Equal(["a", "total"], editor.Response.Item.Select(i => i.LinkId));
        Assert.Equal(2, ((Integer)editor.Response.Item[1].Answer[0].Value!).Value);
        Assert.Empty(editor.Problems);
    }

    [Fact]
    public void ReportAnExpressionBeingTypedAsAProblemAndStillShowTheForm()
    {
        var q = Scored();
        SdcExtensions.SetExpression(q.Item[3], SdcExtensions.CalculatedExpression, "%resource.item.where(linkId = ");
        var editor = Editor(q);

        editor.SetAnswer(At(q, "a"), new Coding(null, "a2"));

        Assert.Null(editor.Failure);
        Assert.Contains(editor.Problems, p => p.LinkId == "total" && p.Code == FormProblemCodes.ExpressionFailed);
        Assert.Contains(All(View(editor).Roots), n => n.Definition.LinkId == "why");
    }

    [Fact]
    public void SayWhyADraftCannotBeEvaluatedInsteadOfFailing()
    {
        var q = Scored();
        q.Item[3].LinkId = null; // a calculated item without a link id: the engine cannot place its value
        var editor = Editor(q);

        Assert.NotNull(editor.Failure);
        Assert.Contains(All(View(editor).Roots), n => n.Definition.LinkId == "a");
    }

    [Fact]
    public void LeaveHiddenItemsOutButKeepCalculatingThemAndLockEverythingInAReadOnlyView()
    {
        var q = Scored();
        SdcExtensions.Set(q.Item[3], SdcExtensions.Hidden, new FhirBoolean(true));
        var editor = Editor(q);
        editor.SetAnswer(At(q, "a"), new Coding(null, "a2"));

        var view = FormView.Build(editor, NothingOpened, [], readOnly: true, "t");

        Assert.DoesNotContain(All(view.Roots), n => n.Definition.LinkId == "total");
        Assert.Equal(2, ((Integer)editor.Response.Item.Single(i => i.LinkId == "total").Answer[0].Value!).Value);
        Assert.All(All(view.Roots), n => Assert.True(n.ReadOnly));
    }

    [Fact]
    public void ReadADateTimeInThePersonsTimeZoneAndShowItBack()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var item = new Questionnaire.ItemComponent { Type = Questionnaire.QuestionnaireItemType.DateTime };

        var summer = (FhirDateTime)AnswerFormat.FromInput("2024-07-01T09:30", item, zone, out var error)!;
        var winter = (FhirDateTime)AnswerFormat.FromInput("2024-12-01T09:30", item, zone, out _)!;

        Assert.Null(error);
        Assert.StartsWith("2024-07-01T09:30:00", summer.Value);
        Assert.EndsWith("+02:00", summer.Value);
        Assert.EndsWith("+01:00", winter.Value);
        Assert.Equal("2024-07-01T09:30", AnswerFormat.ToInput(summer, zone));
        Assert.Equal("2024-07-01T07:30", AnswerFormat.ToInput(summer, TimeZoneInfo.Utc));
        Assert.Null(AnswerFormat.FromInput("2024-03-31T02:30", item, zone, out error)); // the hour the clocks skip
        Assert.NotNull(error);
    }
}
