using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;
using Npgsql;

namespace Ehr.IntegrationTests.Forms;

/// <summary>The GraphQL documents and sample forms the forms tests use, in one place.</summary>
internal static class FormGraph
{
    public const string DefinitionFields = "id key locationId version status title content note source publishedBy rowVersion";

    public const string ResultFields = "definition { " + DefinitionFields + " } problems { linkId code message path } unsupportedFeatures";

    public const string CreateDraft = "mutation($input: FormDraftInput!) { createFormDraft(input: $input) { " + ResultFields + " } }";

    public const string EditDraft = "mutation($id: ID!, $v: Int!, $title: String, $content: String) { editFormDraft(id: $id, expectedVersion: $v, title: $title, content: $content) { " + ResultFields + " } }";

    public const string Publish = "mutation($id: ID!, $v: Int!, $note: String) { publishFormDefinition(id: $id, expectedVersion: $v, note: $note) { " + DefinitionFields + " } }";

    public const string Retire = "mutation($id: ID!, $v: Int!) { retireFormDefinition(id: $id, expectedVersion: $v) { " + DefinitionFields + " } }";

    public const string Discard = "mutation($id: ID!, $v: Int!) { discardFormDraft(id: $id, expectedVersion: $v) }";

    public const string ImportLibrary = "mutation($file: String!, $locationId: ID, $publish: Boolean, $note: String) { importLibraryForm(file: $file, locationId: $locationId, publish: $publish, note: $note) { " + ResultFields + " } }";

    public const string Get = "query($id: ID!) { formDefinition(id: $id) { " + DefinitionFields + " } }";

    public const string Resolve = "query($key: String!, $locationId: ID) { resolveFormDefinition(key: $key, locationId: $locationId) { " + DefinitionFields + " } }";

    public const string Export = "query($id: ID!) { exportFormDefinition(id: $id) }";

    public const string List = "query($key: String, $status: String, $locationId: ID, $standard: Boolean, $search: String) { formDefinitions(key: $key, status: $status, locationId: $locationId, tenantStandardOnly: $standard, search: $search) { " + DefinitionFields + " } }";

    public const string Diff = "query($from: ID!, $to: ID!) { formDefinitionDiff(fromId: $from, toId: $to) { changes { change linkId property before after description } } }";

    public const string Library = "{ formLibrary { file key title version importable problems { code } } }";

    public const string ImportValueSet = "mutation($key: String, $content: String!) { importAnswerValueSet(key: $key, content: $content) { id key url status concepts { code display } } }";

    public const string ResponseFields = "id patientId formId formKey forPatient status revision content flagged observationIds problems { linkId code message path } version errorReason completedBy revisions { revision reason frozen flagged observationIds content } definition { id key version }";

    public const string Start = "mutation($input: StartFormResponseInput!) { startFormResponse(input: $input) { " + ResponseFields + " } }";

    public const string Save = "mutation($id: ID!, $v: Int!, $content: String!) { saveFormResponse(id: $id, expectedVersion: $v, content: $content) { " + ResponseFields + " } }";

    public const string Complete = "mutation($id: ID!, $v: Int!, $content: String) { completeFormResponse(id: $id, expectedVersion: $v, content: $content) { " + ResponseFields + " } }";

    public const string Amend = "mutation($id: ID!, $v: Int!, $content: String!, $reason: String!) { amendFormResponse(id: $id, expectedVersion: $v, content: $content, reason: $reason) { " + ResponseFields + " } }";

    public const string MarkError = "mutation($id: ID!, $v: Int!, $reason: String!) { markFormResponseEnteredInError(id: $id, expectedVersion: $v, reason: $reason) { " + ResponseFields + " } }";

    public const string GetResponse = "query($id: ID!) { formResponse(id: $id) { " + ResponseFields + " } }";

    public const string ListResponses = "query($p: ID!, $key: String, $status: String, $first: Int, $after: String) { formResponses(patientId: $p, formKey: $key, status: $status, first: $first, after: $after) { nodes { id formKey forPatient status version revision } pageInfo { hasNextPage endCursor } } }";

    public const string ChartObservations = "query($p: ID!, $system: String, $code: String) { observations(patientId: $p, codeSystem: $system, code: $code, includeEnteredInError: true) { nodes { id status value { valueInteger valueQuantity { value } } derivedFrom derivedFromItem errorReason } } }";

    public const string Loinc = "http://loinc.org";

    /// <summary>
    /// A form exercising each server-side check: a required choice (q1: none / some / severe), sleep hours (integer,
    /// 0-24), notes (at most 10 characters), and a reason asked only when q1 is severe.
    /// </summary>
    public static string ScreeningForm(string key, string extra = "") => $$$"""
        {"resourceType":"Questionnaire","id":"{{{key}}}","url":"https://forms.example.org/Questionnaire/{{{key}}}","version":"1","status":"active","title":"Screening",
         "item":[
          {"linkId":"q1","text":"How often?","type":"choice","required":true,"answerOption":[
            {"valueCoding":{"system":"https://forms.example.org/cs","code":"none"}},
            {"valueCoding":{"system":"https://forms.example.org/cs","code":"some"}},
            {"valueCoding":{"system":"https://forms.example.org/cs","code":"severe"}}]},
          {"linkId":"sleep","text":"Hours of sleep","type":"integer","extension":[
            {"url":"http://hl7.org/fhir/StructureDefinition/minValue","valueInteger":0},
            {"url":"http://hl7.org/fhir/StructureDefinition/maxValue","valueInteger":24}]},
          {"linkId":"notes","text":"Notes","type":"string","maxLength":10},
          {"linkId":"why","text":"Why severe?","type":"string",
           "enableWhen":[{"question":"q1","operator":"=","answerCoding":{"system":"https://forms.example.org/cs","code":"severe"}}]}{{{extra}}}
         ]}
        """;

    public static string Response(params object[] items) =>
        System.Text.Json.JsonSerializer.Serialize(new { resourceType = "QuestionnaireResponse", status = "in-progress", item = items });

    public static object Item(string linkId, params object[] answers) => new { linkId, answer = answers };

    public static object Group(string linkId, params object[] items) => new { linkId, item = items };

    public static object Coded(string code, string system = "https://forms.example.org/cs") => new { valueCoding = new { system, code } };

    public static object Whole(int value) => new { valueInteger = value };

    public static object Text(string value) => new { valueString = value };

    public static object YesNo(bool value) => new { valueBoolean = value };

    /// <summary>PHQ-9 answers: each item's answer code (LA6568-5 = 0 ... LA6571-9 = 3), and a total the client claims.</summary>
    public static string Phq9(string answerCode, int? claimedTotal = null)
    {
        var items = Enumerable.Range(1, 9).Select(i => Item($"phq9-item{i}", Coded(answerCode, Loinc))).ToList();
        if (claimedTotal is { } total)
        {
            items.Add(Item("phq9-total", Whole(total)));
        }

        return Response(Group("phq9", [.. items]));
    }

    public static string Key(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// A small form: a required mood choice, a reason asked only when the mood is low (enableWhen), and whatever
    /// <paramref name="extraItems"/> adds.
    /// </summary>
    public static string MoodForm(string key, string title = "Mood check", string extraItems = "") => $$$"""
        {"resourceType":"Questionnaire","id":"{{{key}}}","url":"https://forms.example.org/Questionnaire/{{{key}}}","version":"1","status":"active","title":"{{{title}}}",
         "item":[
          {"linkId":"mood","text":"How is your mood?","type":"choice","required":true,"answerOption":[
            {"valueCoding":{"system":"https://forms.example.org/cs","code":"good","display":"Good"}},
            {"valueCoding":{"system":"https://forms.example.org/cs","code":"low","display":"Low"}}]},
          {"linkId":"why","text":"Why is it low?","type":"string","maxLength":200,
           "enableWhen":[{"question":"mood","operator":"=","answerCoding":{"system":"https://forms.example.org/cs","code":"low"}}]}{{{extraItems}}}
         ]}
        """;

    public static async Task<JsonNode> DataAsync(this HttpClient client, string document, string field, object? variables = null) =>
        (await client.GraphQLAsync(document, variables)).DataOrThrow[field]!;

    /// <summary>A draft from <paramref name="content"/> published at once; the published version.</summary>
    public static async Task<JsonNode> PublishedAsync(this HttpClient admin, string content, string? locationId = null, string? key = null)
    {
        var draft = (await admin.DataAsync(CreateDraft, "createFormDraft", new { input = new { content, locationId, key } }))["definition"]!;
        return await admin.DataAsync(Publish, "publishFormDefinition", new { id = draft["id"]!.GetValue<string>(), v = draft["rowVersion"]!.GetValue<int>() });
    }

    public static IReadOnlyList<JsonNode> Fields(this GraphQLResult result) =>
        result.Errors?[0]?["extensions"]?["fields"]?.AsArray().Select(f => f!).ToList() ?? [];

    public static async Task<long> CountAsync(this NpgsqlConnection sql, string statement)
    {
        await using var cmd = new NpgsqlCommand(statement, sql);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task ExecAsync(this NpgsqlConnection sql, string statement)
    {
        await using var cmd = new NpgsqlCommand(statement, sql);
        await cmd.ExecuteNonQueryAsync();
    }
}
