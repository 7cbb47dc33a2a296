namespace Ehr.Platform.Tenancy;

public sealed class TenancyOptions
{
    public const string SectionName = "Tenancy";

    /// <summary>Requests to <c>&lt;slug&gt;.&lt;BaseDomain&gt;</c> are for that tenant. Empty turns host resolution off.</summary>
    public string BaseDomain { get; set; } = "ehr.localhost";

    /// <summary>The header platform tools and tests use to name a tenant.</summary>
    public string HeaderName { get; set; } = "X-Tenant";
}
