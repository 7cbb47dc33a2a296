using Ehr.Platform.Errors;
using Ehr.Platform.Tenancy;

namespace Ehr.Tests.Platform;

public sealed class TenantSlugShould
{
    [Theory]
    [InlineData("abc")]
    [InlineData("north-clinic")]
    [InlineData("clinic-2")]
    [InlineData("a234567890123456789012345678901234567890")]
    public void AcceptWellFormedSlugs(string slug) => Assert.Empty(TenantSlug.Validate(slug));

    [Theory]
    [InlineData(null, ErrorCodes.Required)]
    [InlineData("", ErrorCodes.Required)]
    [InlineData("ab", ErrorCodes.OutOfRange)]
    [InlineData("a2345678901234567890123456789012345678901", ErrorCodes.OutOfRange)]
    [InlineData("-abc", ErrorCodes.InvalidFormat)]
    [InlineData("abc-", ErrorCodes.InvalidFormat)]
    [InlineData("a--b", ErrorCodes.InvalidFormat)]
    [InlineData("a_b", ErrorCodes.InvalidFormat)]
    [InlineData("ABC", ErrorCodes.InvalidFormat)]
    [InlineData("abc;drop", ErrorCodes.InvalidFormat)]
    [InlineData("admin", ErrorCodes.Reserved)]
    [InlineData("public", ErrorCodes.Reserved)]
    public void RefuseOthersWithAStableCode(string? slug, string code)
    {
        var error = Assert.Single(TenantSlug.Validate(slug, "input.slug"));

        Assert.Equal(("input.slug", code), (error.Path, error.Code));
    }

    [Fact]
    public void MapToADistinctSchemaName()
    {
        Assert.Equal("t_north_clinic", TenantSlug.SchemaName("north-clinic"));
        Assert.Equal("t_northclinic", TenantSlug.SchemaName("northclinic"));
    }

    [Theory]
    [InlineData("demo.ehr.localhost", "ehr.localhost", "demo")]
    [InlineData("DEMO.ehr.localhost", "ehr.localhost", "demo")]
    [InlineData("ehr.localhost", "ehr.localhost", null)]
    [InlineData("a.b.ehr.localhost", "ehr.localhost", null)]
    [InlineData("demo.other.example", "ehr.localhost", null)]
    [InlineData("demo.ehr.localhost", "", null)]
    public void ResolveTheTenantFromTheHostName(string host, string baseDomain, string? expected) =>
        Assert.Equal(expected, TenantResolver.FromHost(host, baseDomain));
}
