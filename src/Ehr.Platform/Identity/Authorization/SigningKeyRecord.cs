namespace Ehr.Platform.Identity.Authorization;

/// <summary>
/// A persisted key of the authorization server (token signing or token encryption). Keys live in the platform schema
/// so every host signs with the same key and tokens survive restarts; rotation adds a new current key while the
/// previous ones keep validating the tokens they signed until those expire.
/// </summary>
public sealed class SigningKeyRecord
{
    private SigningKeyRecord()
    {
    }

    public Guid Id { get; private set; }

    /// <summary><c>signing</c> or <c>encryption</c>.</summary>
    public string Purpose { get; private set; } = "";

    public string KeyId { get; private set; } = "";

    /// <summary>PKCS#8 PEM, protected with ASP.NET Core Data Protection.</summary>
    public string ProtectedKey { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>
    /// From when the key signs (encrypts). Until then it is published and accepted, so every host has loaded it
    /// before any host uses it.
    /// </summary>
    public DateTimeOffset ActivatesAt { get; private set; }

    public DateTimeOffset? RetiredAt { get; private set; }

    public static SigningKeyRecord Create(string purpose, string keyId, string protectedKey, DateTimeOffset now, DateTimeOffset activatesAt) => new()
    {
        ActivatesAt = activatesAt,
        Id = Guid.CreateVersion7(),
        Purpose = purpose,
        KeyId = keyId,
        ProtectedKey = protectedKey,
        CreatedAt = now,
    };

    public void Retire(DateTimeOffset now) => RetiredAt = now;
}
