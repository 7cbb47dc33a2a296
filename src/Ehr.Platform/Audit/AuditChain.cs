using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Ehr.Platform.Audit;

/// <summary>One stored audit entry, exactly as hashed.</summary>
public sealed record AuditRecord(
    long Seq,
    DateTimeOffset OccurredAt,
    string Tenant,
    string ActorId,
    string ActorRoles,
    string Action,
    string ResourceType,
    string? ResourceId,
    string? ClientAddress,
    string Purpose,
    string Outcome,
    string? Details,
    byte[] PrevHash,
    byte[] Hash);

/// <summary>
/// The chain's arithmetic. An entry's hash is SHA-256 over the UTF-8 bytes of a JSON array of its fields in a fixed
/// order (times as ISO 8601 UTC with exactly six fractional digits, hashes as lowercase hex) followed by the previous
/// entry's hash; the first entry's previous hash is 32 zero bytes. See README.md in this folder.
/// </summary>
public static class AuditChain
{
    public static readonly byte[] Genesis = new byte[32];

    public static byte[] Hash(long seq, DateTimeOffset occurredAt, string tenant, string actorId, string actorRoles,
        string action, string resourceType, string? resourceId, string? clientAddress, string purpose, string outcome,
        string? details, byte[] prevHash)
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            seq, FormatTime(occurredAt), tenant, actorId, actorRoles, action, resourceType, resourceId, clientAddress,
            purpose, outcome, details, Convert.ToHexStringLower(prevHash),
        });
        return SHA256.HashData(Encoding.UTF8.GetBytes(canonical));
    }

    public static byte[] Hash(AuditRecord r) => Hash(r.Seq, r.OccurredAt, r.Tenant, r.ActorId, r.ActorRoles, r.Action,
        r.ResourceType, r.ResourceId, r.ClientAddress, r.Purpose, r.Outcome, r.Details, r.PrevHash);

    /// <summary>PostgreSQL keeps microseconds; hashing more precision than is stored would break every entry.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    private static string FormatTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
