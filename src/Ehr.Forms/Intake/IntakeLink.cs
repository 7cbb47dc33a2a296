using System.Security.Cryptography;
using System.Text;
using Ehr.Forms.Responses;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Intake;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Status names.")]
public static class IntakeLinkStatus
{
    public const string Pending = "pending";

    /// <summary>Used: the response was completed through the link, or is no longer in progress (completed by staff, withdrawn).</summary>
    public const string Completed = "completed";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}

/// <summary>
/// A single-use link to one in-progress form response of one patient, sent by e-mail: it opens that response and
/// nothing else, without signing in, until it expires, is used (the response completed through it) or is revoked.
/// Only the token's SHA-256 is kept.
/// </summary>
public sealed class IntakeLink
{
    private IntakeLink()
    {
    }

    public Guid Id { get; private set; }

    public Guid ResponseId { get; private set; }

    public Guid PatientId { get; private set; }

    public string FormKey { get; private set; } = "";

    public byte[] TokenSha256 { get; private set; } = [];

    /// <summary>Where the link was sent.</summary>
    public string Email { get; private set; } = "";

    public string CreatedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public DateTimeOffset? UsedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public string? RevokedBy { get; private set; }

    public int Version { get; private set; }

    /// <summary>The audit identity of whoever acts through the link (the patient is the subject).</summary>
    public string ActorId => "intake-link:" + Id;

    internal static IntakeLink Create(FormResponse response, byte[] tokenSha256, string email, string createdBy, DateTimeOffset now, TimeSpan lifetime) => new()
    {
        Id = Guid.CreateVersion7(),
        ResponseId = response.Id,
        PatientId = response.PatientId,
        FormKey = response.FormKey,
        TokenSha256 = tokenSha256,
        Email = email,
        CreatedBy = createdBy,
        CreatedAt = now,
        ExpiresAt = now + lifetime,
        Version = 1,
    };

    /// <summary>Where the link stands at <paramref name="now"/>, given its response's status.</summary>
    public string StatusAt(DateTimeOffset now, string responseStatus) =>
        RevokedAt is not null ? IntakeLinkStatus.Revoked
        : UsedAt is not null || responseStatus != FormResponseStatus.InProgress ? IntakeLinkStatus.Completed
        : ExpiresAt <= now ? IntakeLinkStatus.Expired
        : IntakeLinkStatus.Pending;

    internal void Use(DateTimeOffset now, string responseStatus)
    {
        RequirePending(now, responseStatus, "used");
        UsedAt = now;
        Version++;
    }

    internal void Revoke(string actor, DateTimeOffset now, string responseStatus)
    {
        RequirePending(now, responseStatus, "revoked");
        RevokedAt = now;
        RevokedBy = actor;
        Version++;
    }

    private void RequirePending(DateTimeOffset now, string responseStatus, string what)
    {
        var status = StatusAt(now, responseStatus);
        if (status != IntakeLinkStatus.Pending)
        {
            throw new EhrException(ErrorCodes.Conflict, $"Intake link {Id} is {status} and cannot be {what}.", 409);
        }
    }
}

/// <summary>A link as staff see it: never its token, which only the e-mail carries.</summary>
public sealed record IntakeLinkView(IntakeLink Link, string Status);

/// <summary>
/// Intake link tokens: <c>&lt;tenant slug&gt;.&lt;secret&gt;</c>, the secret 32 random bytes (base64url). The slug says
/// which tenant's schema to look in (there is no platform-wide index of links); the SHA-256 of the whole token is
/// what is stored, so the same secret under another tenant's slug finds nothing. 256 bits of secret make guessing
/// pointless; failed lookups are still rate-limited and recorded.
/// </summary>
internal static class IntakeTokens
{
    private const int SecretLength = 43; // 32 bytes in unpadded base64url

    public static string New(string tenantSlug) =>
        tenantSlug + "." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>The tenant slug of a well-formed token; false for anything else (never looked up).</summary>
    public static bool TryParse(string? token, out string slug)
    {
        slug = "";
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot < 3 || token.Length - dot - 1 != SecretLength)
        {
            return false;
        }

        var secret = token.AsSpan(dot + 1);
        foreach (var c in secret)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        slug = token[..dot];
        return TenantSlug.IsValid(slug);
    }
}

internal sealed class IntakeLinkModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IntakeLink>(e =>
        {
            e.ToTable("intake_links");
            e.HasKey(l => l.Id);
            e.Property(l => l.Version).IsConcurrencyToken();
            e.Ignore(l => l.ActorId);
        });
        modelBuilder.Entity<IntakeSettings>(e =>
        {
            e.ToTable("intake_settings");
            e.HasKey(s => s.Id);
            e.Property(s => s.Version).IsConcurrencyToken();
        });
    }
}
