using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Ehr.Platform.Identity;

public sealed class DataDirectoryOptions
{
    public const string SectionName = "Ehr";

    /// <summary>Local state: the development signing key. Bound from <c>EHR_DATA_DIR</c>.</summary>
    public string DataDir { get; set; } = ".data";
}

/// <summary>
/// The ES256 key that signs local-development tokens, generated on first use under the data directory and kept
/// (mode 600) so tokens survive a restart. Never committed: every machine makes its own.
/// </summary>
public sealed class LocalSigningKey
{
    public const string Issuer = "ehr-local";
    public const string Audience = "ehr";

    private readonly Lazy<ECDsaSecurityKey> _key;

    public LocalSigningKey(IOptions<DataDirectoryOptions> options)
    {
        var path = Path.Combine(Path.GetFullPath(options.Value.DataDir), "keys", "signing-key.pem");
        _key = new Lazy<ECDsaSecurityKey>(() => LoadOrCreate(path));
    }

    public ECDsaSecurityKey Key => _key.Value;

    private static ECDsaSecurityKey LoadOrCreate(string path)
    {
        var ecdsa = ECDsa.Create();
        if (File.Exists(path))
        {
            ecdsa.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            ecdsa.GenerateKey(ECCurve.NamedCurves.nistP256);
            SecretFile.WriteOnce(path, System.Text.Encoding.UTF8.GetBytes(ecdsa.ExportPkcs8PrivateKeyPem()));
            ecdsa.ImportFromPem(File.ReadAllText(path));
        }

        var thumb = Base64UrlEncoder.Encode(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo()))[..16];
        return new ECDsaSecurityKey(ecdsa) { KeyId = thumb };
    }
}
