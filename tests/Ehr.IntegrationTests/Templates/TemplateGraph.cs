using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;

namespace Ehr.IntegrationTests.Templates;

/// <summary>The GraphQL documents and the test template the note-template tests use, in one place.</summary>
internal static class TemplateGraph
{
    public const string Fields = "id key locationId version status title noteType description code questionnaire narrative content versionNote source rowVersion";

    public const string CreateDraft = "mutation($input: NoteTemplateDraftInput!) { createNoteTemplateDraft(input: $input) { " + Fields + " } }";

    public const string Edit = "mutation($id: ID!, $v: Int!, $title: String, $content: String) { editNoteTemplate(id: $id, expectedVersion: $v, title: $title, content: $content) { " + Fields + " } }";

    public const string Publish = "mutation($id: ID!, $v: Int!, $note: String) { publishNoteTemplate(id: $id, expectedVersion: $v, note: $note) { " + Fields + " } }";

    public const string Retire = "mutation($id: ID!, $v: Int!) { retireNoteTemplate(id: $id, expectedVersion: $v) { " + Fields + " } }";

    public const string Discard = "mutation($id: ID!, $v: Int!) { discardNoteTemplateDraft(id: $id, expectedVersion: $v) }";

    public const string Resolve = "query($key: String!, $location: ID) { resolveNoteTemplate(key: $key, locationId: $location) { " + Fields + " } }";

    public const string InForce = "query($location: ID) { noteTemplates(locationId: $location) { " + Fields + " } }";

    public const string Versions = "query($key: String) { noteTemplateVersions(key: $key) { " + Fields + " } }";

    public const string Get = "query($id: ID!) { noteTemplate(id: $id) { " + Fields + " } }";

    public const string Preview = "query($content: String!, $answers: String) { previewNoteTemplate(content: $content, answers: $answers) { narrative answers answerProblems { path code message } } }";

    public const string NoteFields = "id patientId noteType title status narrative answers freeText templateId version revisions { revision narrative answers freeText reason }";

    public const string StartNote = "mutation($input: NoteFromTemplateInput!) { startNoteFromTemplate(input: $input) { " + NoteFields + " } }";

    public const string EditNote = "mutation($id: ID!, $v: Int!, $narrative: String, $answers: String, $freeText: String) { editNote(id: $id, expectedVersion: $v, narrative: $narrative, answers: $answers, freeText: $freeText) { " + NoteFields + " } }";

    public const string SignNote = "mutation($id: ID!, $v: Int!) { signNote(id: $id, expectedVersion: $v) { " + NoteFields + " } }";

    public const string AmendNote = "mutation($id: ID!, $v: Int!, $narrative: String, $answers: String, $freeText: String, $reason: String!) { amendNote(id: $id, expectedVersion: $v, narrative: $narrative, answers: $answers, freeText: $freeText, reason: $reason) { " + NoteFields + " } }";

    public const string MarkError = "mutation($id: ID!, $v: Int!, $reason: String!) { markNoteEnteredInError(id: $id, expectedVersion: $v, reason: $reason) { " + NoteFields + " } }";

    public const string GetNote = "query($id: ID!) { note(id: $id) { " + NoteFields + " } }";

    /// <summary>
    /// A short visit template: the patient's first name and birth date prefilled from the chart, a required chief
    /// complaint, two scored questions and their total (calculated), a plan; the narrative names each.
    /// </summary>
    public static string Content(string narrative = DefaultNarrative, string noteType = "soap")
    {
        var content = new JsonObject
        {
            ["noteType"] = noteType,
            ["code"] = new JsonObject { ["system"] = "http://loinc.org", ["code"] = "11506-3", ["display"] = "Progress note" },
            ["description"] = "A test visit.",
            ["questionnaire"] = JsonNode.Parse(Questionnaire),
            ["narrative"] = narrative,
        };
        return content.ToJsonString();
    }

    public const string DefaultNarrative = """
        Patient: {{ answers.first-name.value }}, born {{ answers.birth-date.value }}
        S: {{ answers.cc.value }}
        Score: {{ scores.total }}{% if answers.plan %}
        P: {{ answers.plan.value }}{% endif %}
        """;

    public const string Questionnaire = """
        {
          "resourceType": "Questionnaire", "status": "active", "url": "https://example.org/q/test-visit", "version": "1",
          "extension": [{ "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-launchContext",
            "extension": [{ "url": "name", "valueCoding": { "system": "http://hl7.org/fhir/uv/sdc/CodeSystem/launchContext", "code": "patient" } },
                          { "url": "type", "valueCode": "Patient" }] }],
          "item": [
            { "linkId": "first-name", "text": "First name", "type": "string",
              "extension": [{ "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression",
                              "valueExpression": { "language": "text/fhirpath", "expression": "%patient.name.where(use = 'official').first().given.first()" } }] },
            { "linkId": "birth-date", "text": "Date of birth", "type": "date",
              "extension": [{ "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-initialExpression",
                              "valueExpression": { "language": "text/fhirpath", "expression": "%patient.birthDate" } }] },
            { "linkId": "cc", "text": "Chief complaint", "type": "string", "required": true },
            { "linkId": "q1", "text": "Little interest", "type": "choice", "answerOption": [
                { "valueCoding": { "system": "urn:test", "code": "0", "display": "Not at all" }, "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 0 }] },
                { "valueCoding": { "system": "urn:test", "code": "3", "display": "Nearly every day" }, "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 3 }] }] },
            { "linkId": "q2", "text": "Feeling down", "type": "choice", "answerOption": [
                { "valueCoding": { "system": "urn:test", "code": "0", "display": "Not at all" }, "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 0 }] },
                { "valueCoding": { "system": "urn:test", "code": "3", "display": "Nearly every day" }, "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": 3 }] }] },
            { "linkId": "total", "text": "Total", "type": "integer", "readOnly": true,
              "extension": [{ "url": "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression",
                              "valueExpression": { "language": "text/fhirpath", "expression": "%resource.item.where(linkId = 'q1' or linkId = 'q2').answer.value.ordinal().sum()" } }] },
            { "linkId": "plan", "text": "Plan", "type": "text" }
          ]
        }
        """;

    /// <summary>Answers for the test template: link id to a FHIR answer value's JSON (e.g. <c>{"valueString":"Cough"}</c>).</summary>
    public static string Answers(params (string LinkId, string Value)[] answers)
    {
        var items = new JsonArray();
        foreach (var (linkId, value) in answers)
        {
            items.Add(new JsonObject { ["linkId"] = linkId, ["answer"] = new JsonArray(JsonNode.Parse(value)) });
        }

        return new JsonObject { ["resourceType"] = "QuestionnaireResponse", ["status"] = "in-progress", ["item"] = items }.ToJsonString();
    }

    /// <summary>
    /// <paramref name="response"/> (JSON) with the given top-level answers set, as a renderer sends the whole response
    /// back: what the note already holds (the prefilled answers) stays unless replaced.
    /// </summary>
    public static string With(string response, params (string LinkId, string Value)[] answers)
    {
        var document = JsonNode.Parse(response)!.AsObject();
        var items = document["item"]?.AsArray() ?? [];
        document["item"] = items;
        foreach (var (linkId, value) in answers)
        {
            var existing = items.FirstOrDefault(i => i!["linkId"]!.GetValue<string>() == linkId);
            if (existing is not null)
            {
                items.Remove(existing);
            }

            items.Add(new JsonObject { ["linkId"] = linkId, ["answer"] = new JsonArray(JsonNode.Parse(value)) });
        }

        return document.ToJsonString();
    }

    public static string Choice(string code, string display) =>
        new JsonObject { ["valueCoding"] = new JsonObject { ["system"] = "urn:test", ["code"] = code, ["display"] = display } }.ToJsonString();

    public static string Text(string text) => new JsonObject { ["valueString"] = text }.ToJsonString();

    /// <summary>A published template under <paramref name="key"/> (tenant standard, or a location's override).</summary>
    public static async Task<JsonNode> PublishedAsync(this HttpClient admin, string key, string content, string? locationId = null, string title = "Test visit")
    {
        var draft = (await admin.GraphQLAsync(CreateDraft, new { input = new { key, locationId, title, content } })).DataOrThrow["createNoteTemplateDraft"]!;
        return (await admin.GraphQLAsync(Publish, new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>() })).DataOrThrow["publishNoteTemplate"]!;
    }

    public static async Task<JsonNode> DataAsync(this HttpClient client, string document, string field, object variables) =>
        (await client.GraphQLAsync(document, variables)).DataOrThrow[field]!;

    /// <summary>The answers of one link id in a QuestionnaireResponse (JSON).</summary>
    public static IReadOnlyList<JsonNode> AnswerValues(string response, string linkId)
    {
        var found = new List<JsonNode>();
        void Walk(JsonArray? items)
        {
            foreach (var item in items ?? [])
            {
                if (item!["linkId"]!.GetValue<string>() == linkId)
                {
                    found.AddRange(item["answer"]!.AsArray().Select(a => a!));
                }

                Walk(item["item"]?.AsArray());
            }
        }

        Walk(JsonNode.Parse(response)!["item"]?.AsArray());
        return found;
    }
}
