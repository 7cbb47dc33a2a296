using System.Text.Json.Nodes;
using Ehr.IntegrationTests.Infrastructure;

namespace Ehr.IntegrationTests.Access;

/// <summary>The GraphQL documents the access tests send, in one place.</summary>
internal static class AccessGraph
{
    public const string RoleFields = "id key locationId name description permissions version builtIn";

    public const string DefineRole = "mutation($input: RoleInput!) { defineRole(input: $input) { " + RoleFields + " } }";

    public const string UpdateRole = "mutation($id: ID!, $v: Int!, $input: RoleChangeInput!) { updateRole(id: $id, expectedVersion: $v, input: $input) { " + RoleFields + " } }";

    public const string DeleteRole = "mutation($id: ID!, $v: Int!) { deleteRole(id: $id, expectedVersion: $v) }";

    public const string Roles = "{ roles { " + RoleFields + " } }";

    public const string Restrict = """
        mutation($id: ID!, $v: Int!, $restriction: String, $careTeam: [String!]!) {
          setPatientRestriction(id: $id, expectedVersion: $v, restriction: $restriction, careTeam: $careTeam) { patientId restriction careTeam version }
        }
        """;

    public const string BreakGlass = """
        mutation($id: ID!, $reason: String!, $minutes: Int) {
          breakGlass(patientId: $id, reason: $reason, minutes: $minutes) { id patientId reason grantedAt expiresAt }
        }
        """;

    public const string Notifications = "query($unread: Boolean) { notifications(unreadOnly: $unread) { id recipientRole kind payload createdAt readAt readBy } }";

    public const string MarkRead = "mutation($id: ID!) { markNotificationRead(id: $id) { id readAt readBy } }";

    public const string DisclosureReport = """
        query($id: ID!, $from: DateTimeOffset, $to: DateTimeOffset) {
          disclosureReport(patientId: $id, from: $from, to: $to) { disclosedAt recipient recipientKind purposeOfUse released actorId }
        }
        """;

    public const string SearchWithRestricted = """
        query($name: String) { patients(name: $name, first: 50) { nodes { id name { family } } restrictedMatches } }
        """;

    public static object Role(string key, string name, string[] permissions, string? locationId = null, string? description = null) =>
        new { key, name, description, permissions, locationId };

    public static object Change(string name, params string[] permissions) => new { name, permissions };

    public static async Task<JsonNode> DefineRoleAsync(this HttpClient client, object input) =>
        (await client.GraphQLAsync(DefineRole, new { input })).DataOrThrow["defineRole"]!;

    public static async Task<IReadOnlyList<string>> LocationIdsAsync(this HttpClient client) =>
        (await client.GraphQLAsync("{ locations { id code } }")).DataOrThrow["locations"]!.AsArray()
        .Select(l => l!["id"]!.GetValue<string>()).ToList();

    public static string Id(this JsonNode node) => node["id"]!.GetValue<string>();
}
