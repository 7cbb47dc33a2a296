using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace Ehr.Platform.Identity;

/// <summary>
/// The certificate that encrypts the Data Protection keys stored in <c>platform.data_protection_keys</c>. Those keys
/// protect TOTP secrets, the authorization server's signing keys and every session cookie, so they must not sit in
/// the database in clear: a leaked backup alone would let anyone mint tokens and read second factors. The certificate
/// lives outside the database (the data directory or a mounted secret), so the database and the file must both leak.
/// </summary>
public static class KeyEncryptionCertificate
{
    /// <summary>
    /// <c>DataProtection:CertificatePath</c> (a PKCS#12 file with its private key, the same for every host and worker
    /// of a deployment, e.g. a mounted secret; password in <c>DataProtection:CertificatePassword</c>), else the data
    /// directory's <c>keys/data-protection.pfx</c>, generated on first start.
    /// </summary>
    public static X509Certificate2 FromConfiguration(IConfiguration configuration)
    {
        var configured = configuration["DataProtection:CertificatePath"];
        var password = configuration["DataProtection:CertificatePassword"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Load(Path.GetFullPath(configured), password);
        }

        var dataDir = configuration[DataDirectoryOptions.SectionName + ":" + nameof(DataDirectoryOptions.DataDir)];
        return LoadOrCreate(Path.Combine(Path.GetFullPath(string.IsNullOrWhiteSpace(dataDir) ? ".data" : dataDir), "keys", "data-protection.pfx"), password);
    }

    /// <summary>Loads the certificate, or makes it (self-signed RSA 3072, mode 600) when none exists yet.</summary>
    public static X509Certificate2 LoadOrCreate(string path, string? password = null)
    {
        if (!File.Exists(path))
        {
            using var rsa = RSA.Create(3072);
            var request = new CertificateRequest("CN=Ehr.Saas key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(100));
            SecretFile.WriteOnce(path, created.Export(X509ContentType.Pkcs12, password));
        }

        return Load(path, password);
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"DataProtection:CertificatePath names '{path}', which does not exist: the key ring cannot be read without it.");
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"The key-ring certificate '{path}' has no private key.");
        }

        return certificate;
    }
}
