using System.Security.Cryptography;
using Ehr.IntegrationTests.Infrastructure;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.IntegrationTests.Identity;

/// <summary>
/// The Data Protection key ring (which protects TOTP secrets, signing keys and session cookies) is stored in the
/// database encrypted with a certificate kept outside it: the database alone does not give the keys away.
/// </summary>
public sealed class KeyRingShould
{
    [Fact]
    public async Task StoreItsKeysEncryptedWithTheKeyRingCertificate()
    {
        var host = await TestHost.SharedAsync();
        // Protecting something makes sure the ring has a key.
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-ring-test");
        Assert.Equal("secret", protector.Unprotect(protector.Protect("secret")));

        await using var sql = await host.OpenSqlAsync();
        await using var cmd = sql.CreateCommand();
        cmd.CommandText = "SELECT xml FROM platform.data_protection_keys";
        var keys = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                keys.Add(reader.GetString(0));
            }
        }

        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal);
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task BeUnreadableWithoutTheCertificate()
    {
        var host = await TestHost.SharedAsync();
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("key-ring-test").Protect("secret");
        await using var sql = await host.OpenSqlAsync();
        await using var cmd = sql.CreateCommand();
        cmd.CommandText = "SELECT xml FROM platform.data_protection_keys ORDER BY id DESC LIMIT 1";
        var key = XElement.Parse((string)(await cmd.ExecuteScalarAsync())!);
        var encrypted = key.Descendants().Single(e => e.Name.LocalName == "encryptedSecret").Elements().Single();

        // What someone holding only the database (no certificate in any store) gets.
        Assert.ThrowsAny<CryptographicException>(() => new EncryptedXmlDecryptor().Decrypt(encrypted));
    }

    [Fact]
    public async Task RefuseToStartWithAConfiguredCertificateThatIsMissing()
    {
        var missing = Path.Combine(Path.GetTempPath(), "ehr-no-such-keyring-" + Guid.NewGuid().ToString("N") + ".pfx");
        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() =>
            TestHost.StartAsync(new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = missing }));
        Assert.Contains("DataProtection:CertificatePath", error.Message, StringComparison.Ordinal);
    }
}
