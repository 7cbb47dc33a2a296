using System.Reflection;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Microsoft.Extensions.Options;

namespace Ehr.Tests.Platform;

public sealed class PermissionsShould
{
    private static readonly string[] Required =
    [
        "patient.read", "patient.write", "note.sign", "audit.read", "location.read", "location.write", "user.read",
        "user.manage", "role.manage", "apiclient.manage", "security.manage", "disclosure.read", "tenant.admin", "portal.manage",
        "form.manage", "form.respond", "template.manage",
    ];

    private static readonly string[] BuiltInRoles =
    [
        "tenant-admin", "physician", "nurse-practitioner", "nurse", "medical-assistant", "front-desk", "biller", "auditor",
        "patient", "api-client",
    ];

    [Fact]
    public void DescribeEveryTenantPermissionConstantInTheCatalog()
    {
        var constants = typeof(Permissions).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name != nameof(Permissions.PlatformAdmin) && !f.Name.EndsWith("Role", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Equal(constants.Order(), Permissions.TenantCatalog.Keys.Order());
        Assert.All(Required, p => Assert.Contains(p, Permissions.TenantCatalog.Keys));
        Assert.All(Permissions.TenantCatalog.Values, d => Assert.False(string.IsNullOrWhiteSpace(d)));
        Assert.DoesNotContain(Permissions.PlatformAdmin, Permissions.TenantCatalog.Keys);
    }

    [Fact]
    public void BuildEveryBuiltInRoleFromCataloguedPermissions()
    {
        Assert.Equal(BuiltInRoles.Order(), Permissions.BuiltInTenantRoles.Order());
        Assert.All(BuiltInRoles, r => Assert.All(Permissions.ForBuiltInRole(r), p => Assert.Contains(p, Permissions.TenantCatalog.Keys)));
        // A patient reads their records and fills in forms on them; nothing else.
        Assert.Equal([Permissions.PatientRead, Permissions.FormRespond], Permissions.ForBuiltInRole(Permissions.PatientRole));
        // Administering is not practising: signing notes and writing the chart are clinicians' acts.
        Assert.Equal(Permissions.TenantCatalog.Keys.Where(p => p is not (Permissions.NoteSign or Permissions.ChartWrite)).Order(),
            Permissions.ForBuiltInRole("tenant-admin").Order());
    }

    [Theory]
    [InlineData("scribe", true)]
    [InlineData("night-nurse-2", true)]
    [InlineData("ab", false)]
    [InlineData("Scribe", false)]
    [InlineData("2nd-shift", false)]
    [InlineData("scribe;drop", false)]
    public void RecogniseWellFormedRoleKeys(string key, bool wellFormed) =>
        Assert.Equal(wellFormed, Permissions.IsWellFormedRoleKey(key));

    [Fact]
    public void IssueDevTokensForCustomRoleKeysInATenantOnly()
    {
        var issuer = Issuer();

        Assert.NotEmpty(issuer.Issue("clinic", "sam", ["scribe"]));
        var platform = Assert.Throws<EhrException>(() => issuer.Issue(null, "sam", ["scribe"]));
        var malformed = Assert.Throws<EhrException>(() => issuer.Issue("clinic", "sam", ["Not A Role"]));
        var patientsWithoutRole = Assert.Throws<EhrException>(() => issuer.Issue("clinic", "sam", ["physician"], patients: [Guid.NewGuid()]));

        Assert.Equal("role", platform.FieldErrors.Single().Path);
        Assert.Equal("role", malformed.FieldErrors.Single().Path);
        Assert.Equal("patient", patientsWithoutRole.FieldErrors.Single().Path);
    }

    private static DevTokenIssuer Issuer()
    {
        var dir = Directory.CreateTempSubdirectory("ehr-perm-test-").FullName;
        return new DevTokenIssuer(new LocalSigningKey(Options.Create(new DataDirectoryOptions { DataDir = dir })), TimeProvider.System);
    }
}
