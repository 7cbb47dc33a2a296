using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using Ehr.Platform.Tenancy;

namespace Ehr.IntegrationTests.Access;

/// <summary>A patient (or proxy) sees exactly the records its token names, and changes none.</summary>
public sealed class PatientRoleShould : IAsyncLifetime
{
    private TestHost _host = null!;
    private Tenant _tenant = null!;
    private HttpClient _staff = null!;
    private string _family = "";
    private Guid _self;
    private Guid _child;
    private Guid _stranger;

    public async Task InitializeAsync()
    {
        _host = await TestHost.SharedAsync();
        _tenant = await _host.CreateTenantAsync("patient-role", "dermatology");
        _staff = _host.Client(_host.Token(_tenant.Slug, "front.desk", "front-desk"));
        _family = "Portal" + Guid.NewGuid().ToString("N")[..6];
        _self = Guid.Parse((await _staff.RegisterAsync(PatientGraph.Input("Pat", _family))).Id());
        _child = Guid.Parse((await _staff.RegisterAsync(PatientGraph.Input("Kid", _family, birthDate: "2015-03-01"))).Id());
        _stranger = Guid.Parse((await _staff.RegisterAsync(PatientGraph.Input("Stranger", _family))).Id());
    }

    public Task DisposeAsync()
    {
        _staff.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ReadItsOwnAndItsProxiedRecordsButNobodyElses()
    {
        using var portal = _host.Client(_host.PatientToken(_tenant.Slug, "pat.portal", _self, _child));

        var own = await portal.GraphQLAsync(PatientGraph.Get, new { id = _self });
        var proxied = await portal.GraphQLAsync(PatientGraph.Get, new { id = _child });
        var other = await portal.GraphQLAsync(PatientGraph.Get, new { id = _stranger });

        Assert.Equal(_self.ToString(), own.DataOrThrow["patient"]!.Id());
        Assert.Equal(_child.ToString(), proxied.DataOrThrow["patient"]!.Id());
        Assert.Null(other.Errors);
        Assert.Null(other.Data!["patient"]);
    }

    [Fact]
    public async Task FindOnlyItsOwnRecordsWhateverItSearchesFor()
    {
        using var portal = _host.Client(_host.PatientToken(_tenant.Slug, "pat.search", _self));

        var byFamily = await portal.SearchAsync(new { name = _family });
        var everyone = await portal.SearchAsync(new { first = 100 });

        Assert.Equal(_self.ToString(), Assert.Single(byFamily).Id());
        Assert.Equal(_self.ToString(), Assert.Single(everyone).Id());
        Assert.Equal(3, (await _staff.SearchAsync(new { name = _family })).Count);
    }

    [Fact]
    public async Task RefuseEveryWriteEvenToItsOwnRecord()
    {
        using var portal = _host.Client(_host.PatientToken(_tenant.Slug, "pat.write", _self));

        var update = await portal.GraphQLAsync(PatientGraph.Update, new { id = _self, v = 1, input = PatientGraph.Input("Pat", "Changed") });
        var register = await portal.GraphQLAsync(PatientGraph.Register, new { input = PatientGraph.Input("New", "Person") });
        var breakGlass = await portal.GraphQLAsync(AccessGraph.BreakGlass, new { id = _stranger, reason = "I would like to see this please" });

        Assert.Equal("FORBIDDEN", update.Code);
        Assert.Equal("FORBIDDEN", register.Code);
        Assert.Equal("FORBIDDEN", breakGlass.Code);
        var unchanged = (await _staff.GraphQLAsync(PatientGraph.Get, new { id = _self })).DataOrThrow["patient"]!;
        Assert.Equal((_family, 1), (unchanged["name"]!["family"]!.GetValue<string>(), unchanged["version"]!.GetValue<int>()));
    }

    [Fact]
    public async Task SeeNothingInAnotherTenantWithTheSameIds()
    {
        var other = await _host.CreateTenantAsync("patient-role-b", "dermatology");
        using var portalInOther = _host.Client(_host.PatientToken(other.Slug, "pat.elsewhere", _self));
        using var portalHereWithOtherToken = _host.Client(_host.PatientToken(other.Slug, "pat.elsewhere", _self));
        portalHereWithOtherToken.DefaultRequestHeaders.Add("X-Tenant", _tenant.Slug);

        var read = await portalInOther.GraphQLAsync(PatientGraph.Get, new { id = _self });
        var mismatch = await portalHereWithOtherToken.GraphQLAsync(PatientGraph.Get, new { id = _self });

        Assert.Null(read.Errors);
        Assert.Null(read.Data!["patient"]);
        Assert.Equal("TENANT_MISMATCH", mismatch.Code);
    }
}
