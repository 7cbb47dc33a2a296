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
