using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;

namespace Ehr.IntegrationTests.Patients;

/// <summary>The GraphQL documents the patient tests send, in one place.</summary>
internal static class PatientGraph
{
    public const string Fields = "id mrn version active birthDate administrativeSex name { given family preferred } telecom { system value use } homeLocationId";

    public const string Register = "mutation($input: PatientInput!) { registerPatient(input: $input) { " + Fields + " } }";

    public const string Update = "mutation($id: ID!, $v: Int!, $input: PatientInput!) { updatePatient(id: $id, expectedVersion: $v, input: $input) { " + Fields + " } }";

    public const string Get = "query($id: ID!) { patient(id: $id) { " + Fields + " } }";

    public const string Search = """
        query($name: String, $birthDate: String, $mrn: String, $phone: String, $first: Int, $after: String, $inactive: Boolean) {
          patients(name: $name, birthDate: $birthDate, mrn: $mrn, phone: $phone, first: $first, after: $after, includeInactive: $inactive) {
            edges { cursor node { id mrn name { given family } } }
            pageInfo { hasNextPage endCursor }
          }
        }
        """;

    public static object Input(string given, string family, string birthDate = "1980-05-17", string sex = "female",
        object[]? telecom = null, string? homeLocationId = null) =>
        new { name = new { given, family }, birthDate, administrativeSex = sex, telecom, homeLocationId };

    public static async Task<JsonNode> RegisterAsync(this HttpClient client, object input)
    {
        var result = await client.GraphQLAsync(Register, new { input });
        return result.DataOrThrow["registerPatient"]!;
    }

    public static async Task<IReadOnlyList<JsonNode>> SearchAsync(this HttpClient client, object variables)
    {
        var result = await client.GraphQLAsync(Search, variables);
        return result.DataOrThrow["patients"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();
    }
}
