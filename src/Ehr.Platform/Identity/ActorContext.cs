using System.Net;
using System.Security.Claims;
using Ehr.Platform.Errors;
using Ehr.Platform.Tenancy;

namespace Ehr.Platform.Identity;

/// <summary>
/// Who is acting in the current scope, from where and why: what every audit entry records and every use case checks.
/// A person's tenant permissions apply only when their token was issued for the scope's tenant.
/// </summary>
public sealed class ActorContext(TenantContext tenantContext)
{
    private Actor? _actor;

    public Actor Current => _actor ?? throw new EhrException(ErrorCodes.Unauthenticated, "Sign in first.", 401);

    public bool IsBound => _actor is not null;

    public void Bind(Actor actor)
    {
        if (_actor is not null && _actor != actor)
        {
            throw new InvalidOperationException("The actor of a scope cannot change once it is bound.");
        }

        _actor = actor;
    }

    /// <summary>
    /// The actor's tenant permissions, resolved from its role keys through the tenant's role definitions
    /// (<see cref="Roles.RoleResolver"/>) once per request by <see cref="ActorBindingMiddleware"/>. Until then only
    /// built-in roles count, so an unresolved custom role grants nothing (fails closed).
    /// </summary>
    internal void UsePermissions(IReadOnlySet<string> permissions) => _permissions = permissions;

    private IReadOnlySet<string>? _permissions;

    public bool Has(string permission) =>
        permission == Permissions.PlatformAdmin
            ? _actor?.Roles.Contains(Permissions.PlatformAdminRole) == true
            : _actor?.IsSystem == true || GrantedPermissions().Contains(permission);

    /// <summary>The tenant permissions the actor holds in this scope's tenant (none for another tenant's token).</summary>
    public IReadOnlySet<string> GrantedPermissions()
    {
        if (_actor is null)
        {
            return Empty;
        }

        if (_actor.IsSystem)
        {
            return AllTenantPermissions;
        }

        var tenant = tenantContext.Tenant;
        if (tenant is null || !string.Equals(_actor.TenantSlug, tenant.Slug, StringComparison.Ordinal))
        {
            return Empty;
        }

        if (_actor.Kind == ActorKind.ApiClient && _actor.Scopes is not null)
        {
            // An API client holds exactly the permissions it was granted as scopes.
            return _actor.Scopes.Where(AllTenantPermissions.Contains).ToHashSet(StringComparer.Ordinal);
        }

        var granted = _permissions ?? _actor.Roles.SelectMany(Permissions.ForBuiltInRole).ToHashSet(StringComparer.Ordinal);
        // A token narrowed to some permission scopes holds only those of its roles' permissions.
        return _actor.Scopes is null ? granted : granted.Where(_actor.Scopes.Contains).ToHashSet(StringComparer.Ordinal);
    }

    private static readonly IReadOnlySet<string> Empty = new HashSet<string>();

    private static readonly IReadOnlySet<string> AllTenantPermissions = Permissions.TenantCatalog.Keys.ToHashSet(StringComparer.Ordinal);

    private List<string>? _denials;

    /// <summary>The permissions refused in this scope so far: the access audit records them (<c>access.denied</c>).</summary>
    public IReadOnlyList<string> Denials => _denials ?? [];

    /// <summary>Refuses with <c>UNAUTHENTICATED</c> or <c>FORBIDDEN</c> unless the actor holds the permission.</summary>
    public void Demand(string permission)
    {
        var actor = Current;
        if (!Has(permission))
        {
            (_denials ??= []).Add(permission);
            throw EhrException.Forbidden($"'{actor.Id}' lacks the permission '{permission}'.");
        }
    }
}

/// <summary>What kind of caller an <see cref="Actor"/> is.</summary>
public enum ActorKind
{
    /// <summary>A person signed in (clinician, staff, patient), or a local-development token naming one.</summary>
    User,

    /// <summary>
    /// A tenant's API client (client credentials): a party outside the tenant, so every release of health
    /// information to it is a disclosure.
    /// </summary>
    ApiClient,

    /// <summary>The system itself: jobs, provisioning, migrations.</summary>
    System,
}

/// <summary>An authenticated person or client, or the system itself (jobs, provisioning).</summary>
public sealed record Actor(string Id, string? TenantSlug, IReadOnlyList<string> Roles, string? ClientAddress,
    string Purpose, bool IsSystem = false)
{
    /// <summary>Person, API client or system. Derived from the token: client-credentials tokens are API clients.</summary>
    public ActorKind Kind { get; init; } = IsSystem ? ActorKind.System : ActorKind.User;

    /// <summary>The locations the membership is restricted to; empty means every location of the tenant.</summary>
    public IReadOnlyList<Guid> Locations { get; init; } = [];

    /// <summary>For the patient role: the patient records this person may see (their own, and those they are proxy for).</summary>
    public IReadOnlyList<Guid> PatientIds { get; init; } = [];

    /// <summary>
    /// The permissions the token was narrowed to (its permission scopes), or null when it carries the roles' full
    /// permissions (scope <c>ehr</c>, development tokens). A permission must be in both.
    /// </summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>The OAuth client the token was issued to (API clients: themselves), when known.</summary>
    public string? ClientId { get; init; }

    /// <summary>The authorization server's entry for this token and for its authorization (revocation is checked against them).</summary>
    public string? TokenId { get; init; }

    /// <inheritdoc cref="TokenId"/>
    public string? AuthorizationId { get; init; }

    public static Actor System(string what, string? tenantSlug = null) =>
        new("system:" + what, tenantSlug, [], null, PurposeOfUse.SystemAdministration, IsSystem: true);

    public static Actor FromPrincipal(ClaimsPrincipal user, IPAddress? address, string purpose)
    {
        var roles = user.FindAll(EhrClaims.Role).Select(c => c.Value).ToArray();
        return new Actor(
            user.FindFirst(EhrClaims.Subject)?.Value ?? "anonymous",
            user.FindFirst(EhrClaims.Tenant)?.Value,
            roles,
            address?.ToString(),
            purpose)
        {
            Kind = user.HasClaim(c => c.Type == EhrClaims.ActorKind && c.Value == "client") || roles.Contains(Permissions.ApiClientRole)
                ? ActorKind.ApiClient
                : ActorKind.User,
            Locations = Guids(user, EhrClaims.Location),
            PatientIds = Guids(user, EhrClaims.Patient),
            Scopes = NarrowingScopes(user),
            ClientId = user.FindFirst("client_id")?.Value ?? user.FindFirst("azp")?.Value,
            TokenId = user.FindFirst("oi_tkn_id")?.Value,
            AuthorizationId = user.FindFirst("oi_au_id")?.Value,
        };
    }

    /// <summary>
    /// Null (the roles' full permissions) for development tokens and for tokens with the <c>ehr</c> scope; otherwise the
    /// permission scopes the token was granted. OpenIddict puts scopes in <c>oi_scp</c> claims; JWTs in <c>scope</c>.
    /// </summary>
    private static string[]? NarrowingScopes(ClaimsPrincipal user)
    {
        var scopes = user.FindAll("oi_scp").Select(c => c.Value)
            .Concat(user.FindAll("scope").SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .ToArray();
        return scopes.Length == 0 || scopes.Contains("ehr") ? null : scopes;
    }

    /// Holds the patient role: sees only the records in <see cref="PatientIds"/> and writes none, whatever other
    /// role it also holds (the narrower reading wins).
    /// </summary>
    public bool IsPatientScoped => Roles.Contains(Permissions.PatientRole);

    private static Guid[] Guids(ClaimsPrincipal user, string type) =>
        user.FindAll(type).Select(c => Guid.TryParse(c.Value, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToArray();

    public bool Equals(Actor? other) => other is not null && Id == other.Id && TenantSlug == other.TenantSlug;

    public override int GetHashCode() => HashCode.Combine(Id, TenantSlug);
}

/// <summary>The HL7 v3 PurposeOfUse codes a client may send in <c>X-Purpose-Of-Use</c>; treatment when absent.</summary>
public static class PurposeOfUse
{
    public const string Treatment = "TREAT";
    public const string SystemAdministration = "SYSADMIN";

    /// <summary>At the patient's request: what a patient does through a link the practice sent them.</summary>
    public const string PatientRequest = "PATRQT";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "TREAT", "ETREAT", "HPAYMT", "HOPERAT", "CAREMGT", "PATRQT", "PUBHLTH", "HRESCH", "HLEGAL", "HMARKT",
        "COVERAGE", "SYSADMIN", "HDIRECT", "FAMRQT", "PWATRNY", "SUPNWK",
    };
}
