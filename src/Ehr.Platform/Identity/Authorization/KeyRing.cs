using System.Security.Cryptography;
using Ehr.Platform.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// The authorization server's keys, persisted in <c>platform.signing_keys</c> (private keys protected with Data
/// Protection) so every host signs and decrypts with the same keys and sessions survive restarts. The newest key of
/// each purpose signs (encrypts); older ones that are not retired keep validating (decrypting) what they produced,
/// so a rotation logs nobody out. A key is retired only once its successor has existed for longer than any token
/// lives (<see cref="RetireAfter"/>).
/// </summary>
public sealed class KeyRing(IDbContextFactory<PlatformDbContext> contexts, IDataProtectionProvider protection, TimeProvider clock,
    ILogger<KeyRing> log)
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";

    /// <summary>Longer than the longest session (24 h) plus clock skew.</summary>
    public static readonly TimeSpan RetireAfter = TimeSpan.FromHours(25);

    private const long CreateLockKey = 0x6568725f6b657973; // "ehr_keys"

    private IDataProtector Protector => protection.CreateProtector("Ehr.Authorization.Keys");

    /// <summary>The usable keys of a purpose, newest first; creates the first one when there is none.</summary>
    public IReadOnlyList<RsaSecurityKey> Load(string purpose)
    {
        using var db = contexts.CreateDbContext();
        var keys = Current(db, purpose);
        if (keys.Count == 0)
        {
            Create(db, purpose, retireOlder: false);
            keys = Current(db, purpose);
        }

        return keys.Select(Unprotect).ToList();
    }

    /// <summary>
    /// Adds a new current key of each purpose and retires keys superseded more than <see cref="RetireAfter"/> ago.
    /// Hosts pick the new key up when they next start; until then they keep signing with the previous one, which
    /// every host still accepts.
    /// </summary>
    public IReadOnlyList<string> Rotate()
    {
        using var db = contexts.CreateDbContext();
        return [Create(db, Signing, retireOlder: true), Create(db, Encryption, retireOlder: true)];
    }

    private static List<SigningKeyRecord> Current(PlatformDbContext db, string purpose) =>
        db.SigningKeys.AsNoTracking().Where(k => k.Purpose == purpose && k.RetiredAt == null)
            .OrderByDescending(k => k.CreatedAt).ToList();

    private string Create(PlatformDbContext db, string purpose, bool retireOlder)
    {
        using var tx = db.Database.BeginTransaction();
        // Two hosts starting on an empty database must not each create a "first" key.
        db.Database.ExecuteSql($"SELECT pg_advisory_xact_lock({CreateLockKey})");
        var now = clock.GetUtcNow();
        if (!retireOlder && db.SigningKeys.Any(k => k.Purpose == purpose && k.RetiredAt == null))
        {
            tx.Commit();
            return "";
        }

        if (retireOlder)
        {
            // A key is superseded by the next newer one; retire those whose successor is older than RetireAfter.
            var keys = db.SigningKeys.Where(k => k.Purpose == purpose && k.RetiredAt == null).OrderByDescending(k => k.CreatedAt).ToList();
            for (var i = 1; i < keys.Count; i++)
            {
                if (now - keys[i - 1].CreatedAt > RetireAfter)
                {
                    keys[i].Retire(now);
                }
            }
        }

        using var rsa = RSA.Create(2048);
        var kid = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..22];
        db.SigningKeys.Add(SigningKeyRecord.Create(purpose, kid, Protector.Protect(rsa.ExportPkcs8PrivateKeyPem()), now));
        db.SaveChanges();
        tx.Commit();
        log.LogInformation("New {Purpose} key {KeyId}", purpose, kid);
        return kid;
    }

    private RsaSecurityKey Unprotect(SigningKeyRecord record)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(Protector.Unprotect(record.ProtectedKey));
        return new RsaSecurityKey(rsa) { KeyId = record.KeyId };
    }
}
