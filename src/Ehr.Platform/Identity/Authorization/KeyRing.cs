using System.Security.Cryptography;
using Ehr.Platform.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// The authorization server's keys, persisted in <c>platform.signing_keys</c> (private keys protected with Data
/// Protection) so every host signs and decrypts with the same keys and sessions survive restarts.
/// Rotation without logging anybody out: a new key is published first and used only from its activation time, by
/// when every host has loaded it (<see cref="KeyRingRefresher"/> reloads the keys every minute); older keys keep
/// validating (decrypting) what they produced, and are retired only once their successor has been active longer
/// than any token lives (<see cref="RetireAfter"/>).
/// </summary>
public sealed class KeyRing(IDbContextFactory<PlatformDbContext> contexts, IDataProtectionProvider protection, TimeProvider clock,
    ILogger<KeyRing> log)
{
    public const string Signing = "signing";
    public const string Encryption = "encryption";

    /// <summary>Longer than the longest session (24 h) plus clock skew.</summary>
    public static readonly TimeSpan RetireAfter = TimeSpan.FromHours(25);

    /// <summary>How long a rotated-in key is only published before it signs: several reload intervals.</summary>
    public static readonly TimeSpan DefaultActivationDelay = TimeSpan.FromMinutes(5);

    private const long CreateLockKey = 0x6568725f6b657973; // "ehr_keys"

    private IDataProtector Protector => protection.CreateProtector("Ehr.Authorization.Keys");

    /// <summary>
    /// The keys of a purpose that are not retired: the active ones newest first (the first signs or encrypts), then
    /// the ones still waiting for their activation (accepted only). Creates the first key when there is none.
    /// </summary>
    public IReadOnlyList<RsaSecurityKey> Load(string purpose)
    {
        using var db = contexts.CreateDbContext();
        var records = Current(db, purpose);
        if (records.Count == 0)
        {
            Create(db, purpose, TimeSpan.Zero, first: true);
            records = Current(db, purpose);
        }

        var now = clock.GetUtcNow();
        return records
            .OrderBy(k => k.ActivatesAt > now)
            .ThenByDescending(k => k.ActivatesAt)
            .Select(Unprotect)
            .ToList();
    }

    /// <summary>A fingerprint of the key set and of which keys are active now: it changes when the keys should be reloaded.</summary>
    public string Fingerprint()
    {
        using var db = contexts.CreateDbContext();
        var now = clock.GetUtcNow();
        var keys = db.SigningKeys.AsNoTracking().Where(k => k.RetiredAt == null)
            .Select(k => new { k.KeyId, k.ActivatesAt }).ToList();
        return string.Join(',', keys.OrderBy(k => k.KeyId, StringComparer.Ordinal).Select(k => k.KeyId + (k.ActivatesAt <= now ? "+" : "-")));
    }

    /// <summary>
    /// Adds the next key of each purpose (active after <paramref name="activateIn"/>) and retires keys whose
    /// successor has been active for longer than <see cref="RetireAfter"/>. Returns the new key ids.
    /// </summary>
    public IReadOnlyList<string> Rotate(TimeSpan? activateIn = null)
    {
        using var db = contexts.CreateDbContext();
        var delay = activateIn ?? DefaultActivationDelay;
        return [Create(db, Signing, delay, first: false), Create(db, Encryption, delay, first: false)];
    }

    private static List<SigningKeyRecord> Current(PlatformDbContext db, string purpose) =>
        db.SigningKeys.AsNoTracking().Where(k => k.Purpose == purpose && k.RetiredAt == null).ToList();

    private string Create(PlatformDbContext db, string purpose, TimeSpan activateIn, bool first)
    {
        using var tx = db.Database.BeginTransaction();
        // Two hosts starting on an empty database must not each create a "first" key.
        db.Database.ExecuteSql($"SELECT pg_advisory_xact_lock({CreateLockKey})");
        var now = clock.GetUtcNow();
        var keys = db.SigningKeys.Where(k => k.Purpose == purpose && k.RetiredAt == null).OrderByDescending(k => k.ActivatesAt).ToList();
        if (first && keys.Count > 0)
        {
            tx.Commit();
            return keys[0].KeyId;
        }

        // Each key is superseded by the next newer one; retire those whose successor became active long enough ago.
        for (var i = 1; i < keys.Count; i++)
        {
            if (now - keys[i - 1].ActivatesAt > RetireAfter)
            {
                keys[i].Retire(now);
            }
        }

        using var rsa = RSA.Create(2048);
        var kid = Base64UrlEncoder.Encode(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..22];
        db.SigningKeys.Add(SigningKeyRecord.Create(purpose, kid, Protector.Protect(rsa.ExportPkcs8PrivateKeyPem()), now, now + activateIn));
        db.SaveChanges();
        tx.Commit();
        log.LogInformation("New {Purpose} key {KeyId}, active from {ActivatesAt:u}", purpose, kid, now + activateIn);
        return kid;
    }

    private RsaSecurityKey Unprotect(SigningKeyRecord record)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(Protector.Unprotect(record.ProtectedKey));
        return new RsaSecurityKey(rsa) { KeyId = record.KeyId };
    }
}
