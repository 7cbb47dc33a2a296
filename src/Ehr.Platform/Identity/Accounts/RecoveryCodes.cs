using System.Security.Cryptography;
using System.Text;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// One-time MFA recovery codes: ten random codes of ten characters (50 bits each) shown once, stored as SHA-256 (they
/// are random, so a slow hash adds nothing). A new set replaces the old one entirely.
/// </summary>
internal static class RecoveryCodes
{
    public const int Count = 10;
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford's base32: no i, l, o, u

    public static IReadOnlyList<string> Replace(PlatformDbContext db, Guid userId, IEnumerable<RecoveryCode> existing, DateTimeOffset now)
    {
        db.RecoveryCodes.RemoveRange(existing);
        var codes = new List<string>(Count);
        for (var i = 0; i < Count; i++)
        {
            var raw = RandomNumberGenerator.GetString(Alphabet, 10);
            codes.Add(raw[..5] + "-" + raw[5..]);
            db.RecoveryCodes.Add(RecoveryCode.Create(userId, Hash(raw), now));
        }

        return codes;
    }

    /// <summary>Marks the unused code matching <paramref name="code"/> as used; false when there is none. Atomic: a code works once even in a race.</summary>
    public static async Task<bool> UseAsync(PlatformDbContext db, Guid userId, string code, DateTimeOffset now, CancellationToken ct)
    {
        var normalized = new string((code ?? "").ToLowerInvariant().Where(c => c is not ('-' or ' ')).ToArray());
        if (normalized.Length != 10)
        {
            return false;
        }

        var hash = Hash(normalized);
        var used = await db.RecoveryCodes
            .Where(r => r.UserId == userId && r.CodeHash == hash && r.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.UsedAt, now), ct);
        return used == 1;
    }

    private static byte[] Hash(string normalized) => SHA256.HashData(Encoding.UTF8.GetBytes(normalized));
}
