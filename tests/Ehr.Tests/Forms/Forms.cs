using Ehr.Forms.Definitions;
using Ehr.Forms.Library;
using Hl7.Fhir.Model;

namespace Ehr.Tests.Forms;

/// <summary>Builders for the forms tests: questionnaires from JSON fragments, responses from link id → answers.</summary>
internal static class Forms
{
    public const string Loinc = "http://loinc.org";

    /// <summary>A questionnaire from its items' JSON (and optional extra top-level members).</summary>
    public static Questionnaire Q(string itemsJson, string extra = "")
    {
        var json = $$"""{"resourceType":"Questionnaire","status":"active","url":"https://forms.example.org/q","version":"1"{{(extra.Length > 0 ? "," + extra : "")}},"item":{{itemsJson}}}""";
        var parsed = QuestionnaireJson.ParseQuestionnaire(json);
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Problems));
        return parsed.Resource!;
    }

    public static IReadOnlyList<FormProblem> Validate(Questionnaire q) => new DefinitionValidator().Validate(q);

    public static Questionnaire Library(string id)
    {
        var file = Path.Combine(FormLibrary.Locate(), id + ".json");
        var parsed = QuestionnaireJson.ParseQuestionnaire(File.ReadAllText(file));
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Problems));
        return parsed.Resource!;
    }

    /// <summary>
    /// A response with the given answers, each item placed where the definition puts it (groups created on the way;
    /// children of a question under its first answer).
    /// </summary>
    public static QuestionnaireResponse R(Questionnaire q, params (string LinkId, DataType[] Values)[] answers)
    {
        var response = new QuestionnaireResponse
        {
            Status = QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
            Questionnaire = $"{q.Url}|{q.Version}",
            Subject = new ResourceReference("Patient/p1"),
            Authored = "2026-01-02T03:04:05Z",
        };
        var byLinkId = answers.ToDictionary(a => a.LinkId, a => a.Values);
        response.Item.AddRange(Build(q.Item, byLinkId));
        return response;
    }

    public static (string, DataType[]) A(string linkId, params DataType[] values) => (linkId, values);

    public static Coding Code(string code, string system = Loinc) => new(system, code);

    private static List<QuestionnaireResponse.ItemComponent> Build(IEnumerable<Questionnaire.ItemComponent> items, Dictionary<string, DataType[]> answers)
    {
        var result = new List<QuestionnaireResponse.ItemComponent>();
        foreach (var item in items)
        {
            var children = Build(item.Item, answers);
            var own = item.LinkId is null ? null : answers.GetValueOrDefault(item.LinkId);
            if (own is null && children.Count == 0) continue;
            var r = new QuestionnaireResponse.ItemComponent { LinkId = item.LinkId };
            if (own is not null) r.Answer.AddRange(own.Select(v => new QuestionnaireResponse.AnswerComponent { Value = v }));
            if (children.Count > 0)
            {
                if (item.Type == Questionnaire.QuestionnaireItemType.Group) r.Item.AddRange(children);
                else
                {
                    if (r.Answer.Count == 0) r.Answer.Add(new QuestionnaireResponse.AnswerComponent());
                    r.Answer[0].Item.AddRange(children);
                }
            }
            result.Add(r);
        }
        return result;
    }

    /// <summary>The answers of every item with this link id in a response.</summary>
    public static List<DataType> Answers(QuestionnaireResponse response, string linkId)
    {
        var found = new List<DataType>();
        void Walk(IEnumerable<QuestionnaireResponse.ItemComponent> items)
        {
            foreach (var i in items)
            {
                if (i.LinkId == linkId) found.AddRange(i.Answer.Select(a => a.Value).OfType<DataType>());
                Walk(i.Item);
                foreach (var a in i.Answer) Walk(a.Item);
            }
        }
        Walk(response.Item);
        return found;
    }

    public static string Codes(IEnumerable<FormProblem> problems) => string.Join(", ", problems.Select(p => $"{p.LinkId}:{p.Code}"));
}
