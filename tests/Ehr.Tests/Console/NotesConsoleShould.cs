using System.Text.Json.Nodes;
using Ehr.Clinical.Notes;
using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.Templates;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Errors;
using Ehr.Web.Components.Notes;
using Hl7.Fhir.Model;
using static Ehr.Tests.Forms.Forms;

namespace Ehr.Tests.Console;

/// <summary>
/// The pieces between the console's notes and template pages and their use cases: a refused signature's answer
/// problems placed on their items, a refused publication's problems sorted by what they name (with the narrative's
/// lines), a template's content edited part by part without losing the rest, and how notes are worded.
/// </summary>
public sealed class NotesConsoleShould
{
    private readonly NoteTemplateKind _kind = new(TenantFormEngine.Over(InMemoryAnswerValueSets.Empty), TimeProvider.System);

    [Fact]
    public void PlaceARefusedSignaturesAnswerProblemsOnTheItemsTheyNameWithoutTheirPlaceInTheMessage()
    {
        var q = Q("""
            [{"linkId":"subjective","text":"Subjective","type":"group","item":[
               {"linkId":"cc","text":"Chief complaint","type":"string","required":true},
               {"linkId":"1.2","text":"Odd id","type":"string","required":true}]},
             {"linkId":"plan","text":"Plan","type":"text","required":true}]
            """);
        var answered = new QuestionnaireResponse
        {
            Item = [new QuestionnaireResponse.ItemComponent { LinkId = "subjective", Item = [Answer("cc", "Cough")] }],
        };
        // What SignNote refuses with: the engine's completion check, each problem as the notes use cases name it.
        var problems = new ResponseEngine().Process(q, answered, ResponseCheck.Complete).Problems;
        var refused = problems.Select(p => NoteTemplates.AnswerProblem(p, "answers"))
            .Append(new FieldError("reason", ErrorCodes.Required, "Say why, in 5 to 500 characters."))
            .ToList();
        Assert.Contains(refused, e => e.Path == "answers[\"1.2\"]" && e.Message.EndsWith("(at QuestionnaireResponse.item[0])", StringComparison.Ordinal));

        var placed = NoteRefusals.OfAnswers(refused);

        Assert.Equal(
            [
                new FormProblem("1.2", FormProblemCodes.Required, "This question needs an answer.", "QuestionnaireResponse.item[0]"),
                new FormProblem("plan", FormProblemCodes.Required, "This question needs an answer.", "QuestionnaireResponse"),
            ],
            placed.OrderBy(p => p.LinkId, StringComparer.Ordinal));
        Assert.Equal(["reason"], NoteRefusals.Others(refused).Select(e => e.Path));
        Assert.Equal(new FormProblem(null, "INVALID_FORMAT", "Not a response.", null),
            Assert.Single(NoteRefusals.OfAnswers([new FieldError("answers", "INVALID_FORMAT", "Not a response.")])));
    }

    [Fact]
    public void MarkARefusedPublicationsQuestionnaireProblemsOnTheirItemsAndListEveryProblemWithItsPath()
    {
        var content = Template(t =>
        {
            // A condition on a later question: the definition check names the item.
            t["questionnaire"]!["item"]![0]!["enableWhen"] = JsonNode.Parse("""[{"question":"plan","operator":"exists","answerBoolean":true}]""");
        });

        var refusal = TemplateRefusal.Of(Published(content), Parse(content));

        var marked = Assert.Single(refusal.Questionnaire);
        Assert.Equal("cc", marked.LinkId);
        Assert.StartsWith("Questionnaire.item[0]", marked.Path, StringComparison.Ordinal);
        Assert.DoesNotContain("cc: ", marked.Message, StringComparison.Ordinal);
        Assert.Equal(["content.questionnaire.item[0].enableWhen[0].question"], refusal.All.Select(p => p.Path));
        Assert.Empty(refusal.Narrative);

        // A problem elsewhere (the note type, the version note) is listed with its path and marks nothing.
        var other = TemplateRefusal.Of([new FieldError("content.noteType", ErrorCodes.InvalidFormat, "One of progress, soap ...")], Parse(content));
        Assert.Equal(("content.noteType", 0, 0), (Assert.Single(other.All).Where, other.Questionnaire.Count, other.Narrative.Count));
    }

    [Fact]
    public void GiveANarrativeProblemTheLineItNames()
    {
        var unknown = Template(t => t["narrative"] = "Complaint: {{ answers.cc.value }}\n\nPlan: {{ answers.plam.value }}\n");
        var broken = Template(t => t["narrative"] = "Complaint: {{ answers.cc.value }}\n{% if answers.plan %}\nPlan\n");

        var reference = Assert.Single(TemplateRefusal.Of(Published(unknown), Parse(unknown)).Narrative);
        var syntax = Assert.Single(TemplateRefusal.Of(Published(broken), Parse(broken)).Narrative);

        Assert.Equal(("content.narrative", ErrorCodes.UnknownReference, 3), (reference.Path, reference.Code, reference.Line));
        Assert.Equal("content.narrative, line 3", reference.Where);
        Assert.Contains("plam", reference.Message, StringComparison.Ordinal);
        Assert.Equal(("content.narrative", ErrorCodes.InvalidFormat), (syntax.Path, syntax.Code));
        Assert.NotNull(syntax.Line);
        Assert.Null(TemplateRefusal.LineOf("No line here."));
    }

    [Fact]
    public void ChangeATemplatesPartsAndKeepEveryOtherMemberAsItWas()
    {
        var stored = Template(t => t.Insert(1, "code", JsonNode.Parse("""{"system":"http://loinc.org","code":"11506-3","display":"Progress note"}""")));
        var draft = NoteTemplateDraft.Read(stored);
        Assert.Equal(("soap", "http://loinc.org|11506-3 (Progress note)", 2), (draft.NoteType, draft.Code, draft.Questionnaire!.Item.Count));

        draft.Narrative = "CC: {{ answers.cc.value }}\n";
        draft.NoteType = "progress";
        draft.Description = "  ";
        var questionnaire = draft.Questionnaire;
        questionnaire.Item.RemoveAt(1);
        draft.SetQuestionnaire(questionnaire);

        var saved = JsonNode.Parse(draft.Content)!.AsObject();
        Assert.Equal(["noteType", "code", "questionnaire", "narrative"], saved.Select(m => m.Key));
        Assert.Equal("11506-3", saved["code"]!["code"]!.GetValue<string>());
        Assert.Equal(("progress", "CC: {{ answers.cc.value }}\n"), (saved["noteType"]!.GetValue<string>(), saved["narrative"]!.GetValue<string>()));
        Assert.Single(saved["questionnaire"]!["item"]!.AsArray());
        Assert.Empty(_kind.Check(draft.Content, publishing: true));

        draft.Description = "For follow-up visits.";
        Assert.Equal(["noteType", "code", "description", "questionnaire", "narrative"], JsonNode.Parse(draft.Content)!.AsObject().Select(m => m.Key));
    }

    [Fact]
    public void StartABlankTemplateThatPublishesAsItIsAndReadUnreadableContentAsEmpty()
    {
        var blank = NoteTemplateDraft.Blank("Wound check", "procedure");

        Assert.Empty(_kind.Check(blank, publishing: true));
        Assert.Equal(("procedure", "Wound check"), (NoteTemplateDraft.Read(blank).NoteType, NoteTemplateDraft.Read(blank).Questionnaire!.Title));
        var unreadable = NoteTemplateDraft.Read("[1, 2]");
        Assert.Null(unreadable.Questionnaire);
        Assert.Equal("content", Assert.Single(unreadable.Problems).Path);
        Assert.Equal("content.questionnaire", Assert.Single(NoteTemplateDraft.Read("""{"questionnaire":"a form"}""").Problems).Path);
    }

    [Theory]
    [InlineData("own", "home", "own")]
    [InlineData("two", "home", "home")]
    [InlineData("two", "none", "first")]
    [InlineData("foreign", "foreign", "first")]
    public void WriteATemplatedNoteAtTheClinicansLocationElseThePatientsHomeElseTheFirstUsable(string own, string home, string expected)
    {
        Guid first = Guid.NewGuid(), mine = Guid.NewGuid(), patients = Guid.NewGuid(), other = Guid.NewGuid(), foreign = Guid.NewGuid();
        IReadOnlyList<Guid> usable = [first, mine, patients, other];
        IReadOnlyList<Guid> ownLocations = own switch { "own" => [mine], "two" => [mine, other], _ => [foreign] };
        Guid? homeLocation = home switch { "home" => patients, "foreign" => foreign, _ => null };

        Assert.Equal(expected switch { "own" => mine, "home" => patients, _ => first }, NoteText.DefaultLocation(ownLocations, homeLocation, usable));
        Assert.Null(NoteText.DefaultLocation([], null, []));
    }

    [Fact]
    public void WordANotesStatusAndRevisionsAsTheChartShowsThem()
    {
        var now = DateTimeOffset.UtcNow;
        var note = Note.Draft(Guid.NewGuid(), "soap", "Visit", "Text", null, null, null, "dr.a", now);
        Assert.Equal("draft", NoteText.Status(note));
        Assert.True(note.IsAuthor("dr.a"));
        Assert.False(note.IsAuthor("np.b"));

        note.Sign(1, "dr.a", now);
        Assert.Equal("signed", NoteText.Status(note));
        var first = note.Amend(2, "Text, corrected", null, "Wrong side", "dr.a", now);
        Assert.Equal(("amended", "Amendment 1"), (NoteText.Status(note), NoteText.Revision(first)));
        note.Amend(3, "Text, corrected again", null, "Wrong date", "dr.a", now);
        Assert.Equal(("amended (2×)", "Original"), (NoteText.Status(note), NoteText.Revision(note.Revisions[0])));
        note.MarkEnteredInError(4, "Wrong patient", now);
        Assert.Equal("entered in error", NoteText.Status(note));
    }

    private static QuestionnaireResponse.ItemComponent Answer(string linkId, string text) =>
        new() { LinkId = linkId, Answer = [new QuestionnaireResponse.AnswerComponent { Value = new FhirString(text) }] };

    /// <summary>The kind's complete check, with the paths the artifact store gives its problems (under <c>content</c>).</summary>
    private IReadOnlyList<FieldError> Published(string content) =>
        _kind.Check(content, publishing: true).Select(p => p with { Path = p.Path.Length == 0 ? "content" : "content." + p.Path }).ToList();

    private static Questionnaire? Parse(string content) => NoteTemplateDraft.Read(content).Questionnaire;

    private static string Template(Action<JsonObject>? change = null)
    {
        var template = JsonNode.Parse("""
            {"noteType":"soap",
             "questionnaire":{"resourceType":"Questionnaire","status":"active","title":"Visit","item":[
               {"linkId":"cc","text":"Chief complaint","type":"string","required":true},
               {"linkId":"plan","text":"Plan","type":"text"}]},
             "narrative":"Complaint: {{ answers.cc.value }}\n{% if answers.plan %}Plan: {{ answers.plan.value }}\n{% endif %}"}
            """)!.AsObject();
        change?.Invoke(template);
        return template.ToJsonString();
    }
}
