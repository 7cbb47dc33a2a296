using System.Text.Json;
using System.Text.Json.Nodes;
using Ehr.Forms.Definitions;
using Ehr.Forms.Templates;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Errors;

namespace Ehr.Tests.Forms;

/// <summary>
/// The <c>note-template</c> artifact kind's checks: a draft needs only to be readable; publishing needs a known note
/// type, a Questionnaire without definition problems, and a narrative that parses, names only the questionnaire's link
/// ids and renders. Every problem has a path inside the content.
/// </summary>
public sealed class NoteTemplateKindShould
{
    private readonly NoteTemplateKind _kind = new(TenantFormEngine.Over(InMemoryAnswerValueSets.Empty), TimeProvider.System);

    [Fact]
    public void AcceptACompleteTemplateForPublishing() =>
        Assert.Empty(_kind.Check(Content(), publishing: true));

    [Fact]
    public void AcceptAnIncompleteDraftButNotItsPublication()
    {
        var draft = Content(c => c.Remove("narrative"), c => c.Remove("noteType"));

        Assert.Empty(_kind.Check(draft, publishing: false));
        Assert.Equal([("noteType", ErrorCodes.Required), ("narrative", ErrorCodes.Required)], Fields(_kind.Check(draft, publishing: true)));
    }

    [Fact]
    public void RefuseAnUnknownNoteTypeOrMemberEvenInADraft()
    {
        var draft = Content(c => c["noteType"] = "poem", c => c["author"] = "me", c => c["code"] = new JsonObject { ["code"] = "11506-3" });

        Assert.Equal([("author", ErrorCodes.InvalidFormat), ("noteType", ErrorCodes.InvalidFormat), ("code", ErrorCodes.InvalidFormat)],
            Fields(_kind.Check(draft, publishing: false)));
    }

    [Fact]
    public void ReportAQuestionnaireFirelyCannotReadWithItsPathInADraft()
    {
        var draft = Content(c => c["questionnaire"]!["item"]![0]!["type"] = "sentence");

        var problem = Assert.Single(_kind.Check(draft, publishing: false));
        Assert.Equal(FormProblemCodes.InvalidResource, problem.Code);
        Assert.StartsWith("questionnaire", problem.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportDefinitionProblemsWithPathsOnlyWhenPublishing()
    {
        var draft = Content(c => c["questionnaire"]!["item"]![1]!["linkId"] = "cc");

        Assert.Empty(_kind.Check(draft, publishing: false));
        var problem = Assert.Single(_kind.Check(draft, publishing: true));
        Assert.Equal(("questionnaire.item[1]", FormProblemCodes.LinkIdDuplicate), (problem.Path, problem.Code));
    }

    [Fact]
    public void RefuseANarrativeNamingALinkIdTheQuestionnaireDoesNotHave()
    {
        var draft = Content(c => c["narrative"] = "CC: {{ answers.cc.value }}\nA: {{ answers.assessment.value }}");

        Assert.Empty(_kind.Check(draft, publishing: false));
        var problem = Assert.Single(_kind.Check(draft, publishing: true));
        Assert.Equal(("narrative", ErrorCodes.UnknownReference), (problem.Path, problem.Code));
        Assert.Contains("'assessment'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefuseANarrativeThatFailsOnAnEmptyResponse()
    {
        var draft = Content(c => c["narrative"] = "{{ 1 | divided_by: 0 }}");

        var problem = Assert.Single(_kind.Check(draft, publishing: true));
        Assert.Equal(("narrative", ErrorCodes.InvalidFormat), (problem.Path, problem.Code));
    }

    private static (string, string)[] Fields(IEnumerable<FieldError> errors) => errors.Select(e => (e.Path, e.Code)).ToArray();

    private static string Content(params Action<JsonObject>[] changes)
    {
        var content = JsonNode.Parse("""
            {
              "noteType": "soap",
              "code": { "system": "http://loinc.org", "code": "11506-3", "display": "Progress note" },
              "description": "A short visit.",
              "questionnaire": {
                "resourceType": "Questionnaire", "status": "active",
                "item": [
                  { "linkId": "cc", "text": "Chief complaint", "type": "string", "required": true },
                  { "linkId": "plan", "text": "Plan", "type": "text" }
                ]
              },
              "narrative": "S: {{ answers.cc.value }}\nP: {{ answers.plan.value | default: 'none' }}"
            }
            """)!.AsObject();
        foreach (var change in changes)
        {
            change(content);
        }

        return content.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }
}
