using System.Text;
using System.Text.RegularExpressions;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Workflow.Store;
using Microsoft.AspNetCore.DataProtection;

namespace Ehr.Workflow.Webhooks;

/// <summary>A tenant's web hook endpoint as the APIs show it: never its secret.</summary>
public sealed record WebhookEndpoint(string Key, string Url, string? Description, string UpdatedBy, DateTimeOffset UpdatedAt, int RowVersion);

/// <summary>Where a delivery goes and how it is signed (the secret in the clear, for the sender only).</summary>
internal sealed record WebhookTarget(Uri Url, byte[] Secret);

/// <summary>
/// The tenant's web hook endpoints: a workflow's web hook node names one by key; the URL and the signing secret are
/// the tenant's settings, kept here. The secret is protected at rest with Data Protection (like TOTP secrets) and is
/// never returned: whoever sets it keeps it for their receiver. Defining or replacing one demands <c>workflow.manage</c>
/// and is audited (the URL, never the secret); listing them demands <c>workflow.read</c>.
/// </summary>
public sealed partial class WebhookEndpoints(TenantDbContext db, ActorContext actors, AuditTrail audit, IDataProtectionProvider protection,
    TimeProvider clock)
{
    private const string Purpose = "Ehr.Workflow.WebhookSecrets";
    public const int MinSecretLength = 16;
    public const int MaxSecretLength = 200;

    private IDataProtector Protector => protection.CreateProtector(Purpose);

    /// <summary>
    /// Creates an endpoint, or replaces its URL and secret (<paramref name="expectedVersion"/> must then be its row version).
    /// Plain <c>http</c> is accepted only for a loopback address (development and tests); anything else must be <c>https</c>.
    /// </summary>
    public async Task<WebhookEndpoint> DefineAsync(string? key, string? url, string? secret, string? description, int? expectedVersion, CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowManage);
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(key) || !KeyPattern().IsMatch(key))
        {
            errors.Add(new FieldError("key", ErrorCodes.InvalidFormat, "Lower-case letters, digits and hyphens, starting with a letter, at most 60."));
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add(new FieldError("url", ErrorCodes.InvalidFormat, "An absolute https URL without credentials in it."));
        }
        else if (uri.Scheme == "http" && !uri.IsLoopback)
        {
            errors.Add(new FieldError("url", ErrorCodes.InvalidFormat, "Deliveries carry health-related data: use https (plain http only to a loopback address)."));
        }

        if (secret is null || secret.Length < MinSecretLength)
        {
            errors.Add(new FieldError("secret", ErrorCodes.TooShort, $"At least {MinSecretLength} characters (random, shared with the receiver only)."));
        }
        else if (secret.Length > MaxSecretLength)
        {
            errors.Add(new FieldError("secret", ErrorCodes.TooLong, $"At most {MaxSecretLength} characters."));
        }

        var note = description?.Trim();
        if (note?.Length > 500)
        {
            errors.Add(new FieldError("description", ErrorCodes.TooLong, "At most 500 characters."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var now = clock.GetUtcNow();
        var actor = actors.Current.Id;
        var protectedSecret = Protector.Protect(secret!);
        return await db.InTransactionAsync(async token =>
        {
            int? current = null;
            await using (var read = db.Command("SELECT row_version FROM workflow_webhook_endpoints WHERE key = $1 FOR UPDATE", key!))
            {
                current = (int?)await read.ExecuteScalarAsync(token);
            }

            if (current is { } version && version != expectedVersion)
            {
                throw EhrException.VersionConflict("Web hook endpoint " + key, expectedVersion ?? 0, version);
            }

            if (current is null && expectedVersion is not null)
            {
                throw EhrException.NotFound("Web hook endpoint " + key);
            }

            await using (var write = current is null
                ? db.Command("INSERT INTO workflow_webhook_endpoints (key, url, secret_protected, description, created_by, created_at, updated_by, " +
                             "updated_at, row_version) VALUES ($1, $2, $3, $4, $5, $6, $5, $6, 1)", key!, uri!.ToString(), protectedSecret,
                    WorkflowSql.Text(string.IsNullOrEmpty(note) ? null : note), actor, now)
                : db.Command("UPDATE workflow_webhook_endpoints SET url = $2, secret_protected = $3, description = $4, updated_by = $5, updated_at = $6, " +
                             "row_version = row_version + 1 WHERE key = $1", key!, uri!.ToString(), protectedSecret,
                    WorkflowSql.Text(string.IsNullOrEmpty(note) ? null : note), actor, now))
            {
                await write.ExecuteNonQueryAsync(token);
            }

            await audit.RecordAsync(new AuditEvent(current is null ? "workflow.webhook.define" : "workflow.webhook.change", "WebhookEndpoint", key,
                new { url = uri!.ToString() }), token);
            return new WebhookEndpoint(key!, uri!.ToString(), string.IsNullOrEmpty(note) ? null : note, actor, now, (current ?? 0) + 1);
        }, ct);
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(CancellationToken ct)
    {
        actors.Demand(Permissions.WorkflowRead);
        return await db.InTransactionAsync(async token =>
        {
            var list = new List<WebhookEndpoint>();
            await using var cmd = db.Command("SELECT key, url, description, updated_by, updated_at, row_version FROM workflow_webhook_endpoints ORDER BY key");
            await using var reader = await cmd.ExecuteReaderAsync(token);
            while (await reader.ReadAsync(token))
            {
                list.Add(new WebhookEndpoint(reader.GetString(0), reader.GetString(1), reader.TextOrNull(2), reader.GetString(3),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5)));
            }

            return (IReadOnlyList<WebhookEndpoint>)list;
        }, ct);
    }

    /// <summary>The delivery target of <paramref name="key"/> with its secret, for the sender; null when the tenant has no such endpoint.</summary>
    internal async Task<WebhookTarget?> ResolveAsync(string key, CancellationToken ct)
    {
        await using var cmd = db.Command("SELECT url, secret_protected FROM workflow_webhook_endpoints WHERE key = $1", key);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new WebhookTarget(new Uri(reader.GetString(0)), Encoding.UTF8.GetBytes(Protector.Unprotect(reader.GetString(1))));
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,59}$")]
    private static partial Regex KeyPattern();
}
