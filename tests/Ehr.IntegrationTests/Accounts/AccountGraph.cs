using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Ehr.IntegrationTests.Infrastructure;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.IntegrationTests.Accounts;

/// <summary>The GraphQL documents the account tests send, and reading the invitation e-mail from the outbox.</summary>
internal static partial class AccountGraph
{
    public const string MemberFields = "id userId email displayName roles locationIds status mfaEnabled version";
    public const string InvitationFields = "id email roles locationIds invitedBy status expiresAt";
    public const string PolicyFields = "accessTokenMinutes idleTimeoutMinutes sessionMaxHours mfaRequiredRoles passwordMinLength version updatedAt";

    public const string Members = "query($all: Boolean) { members(includeDeactivated: $all) { " + MemberFields + " } }";
    public const string Invitations = "query($all: Boolean) { invitations(includeClosed: $all) { " + InvitationFields + " } }";
    public const string Invite = "mutation($input: InviteUserInput!) { inviteUser(input: $input) { " + InvitationFields + " } }";
    public const string Accept = "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { tenant email displayName roles newAccount } }";
    public const string ChangeRoles = "mutation($id: ID!, $v: Int!, $input: MemberRolesInput!) { changeMemberRoles(id: $id, expectedVersion: $v, input: $input) { " + MemberFields + " } }";
    public const string Deactivate = "mutation($id: ID!) { deactivateMember(id: $id) { " + MemberFields + " } }";
    public const string Reactivate = "mutation($id: ID!) { reactivateMember(id: $id) { " + MemberFields + " } }";
    public const string Revoke = "mutation($id: ID!) { revokeInvitation(id: $id) { " + InvitationFields + " } }";
    public const string Policy = "{ securityPolicy { " + PolicyFields + " } }";
    public const string ChangePolicy = "mutation($v: Int!, $input: SecurityPolicyInput!) { changeSecurityPolicy(expectedVersion: $v, input: $input) { " + PolicyFields + " } }";
    public const string AuditOf = "query($id: String) { auditLog(resourceId: $id) { edges { node { action actorId details } } } }";

    public static async Task<JsonNode> InviteAsync(this HttpClient admin, string email, string[] roles, string[]? locationIds = null) =>
        (await admin.GraphQLAsync(Invite, new { input = new { email, roles, locationIds } })).DataOrThrow["inviteUser"]!;

    /// <summary>What the invited person finds in their e-mail: the token of the newest invitation link sent to them.</summary>
    public static async Task<string> InvitationTokenAsync(this TestHost host, string email)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        var address = email.ToLowerInvariant();
        var mail = await db.OutboxEmails.AsNoTracking().Where(m => m.ToAddress == address)
            .OrderByDescending(m => m.CreatedAt).FirstAsync();
        return LinkToken().Match(mail.Body).Groups[1].Value;
    }

    public static async Task<IReadOnlyList<JsonNode>> AuditAsync(this HttpClient admin, string resourceId) =>
        (await admin.GraphQLAsync(AuditOf, new { id = resourceId })).DataOrThrow["auditLog"]!["edges"]!.AsArray()
        .Select(e => e!["node"]!).ToList();

    [GeneratedRegex(@"/account/invitation\?token=([A-Za-z0-9_-]+)")]
    private static partial Regex LinkToken();
}
