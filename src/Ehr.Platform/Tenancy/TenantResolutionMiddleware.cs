using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Ehr.Platform.Tenancy;

/// <summary>
/// Finds the request's tenant, in order: the access token's tenant claim, the host name, the <c>X-Tenant</c> header
/// (modelled on Finbuckle's claim, host and header strategies). Every source that names a tenant must name the same
/// one: a token for tenant A sent to B's host is refused, never re-targeted. Binding a tenant grants nothing by
/// itself: authentication is each endpoint's business, and tenant permissions come only from a token issued for
/// this very tenant (see <see cref="ActorContext"/>).
/// </summary>
internal sealed class TenantResolutionMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http, TenantResolver resolver, TenantContext tenantContext)
    {
        Tenant? tenant;
        try
        {
            tenant = await resolver.ResolveAsync(http.User.FindFirst(EhrClaims.Tenant)?.Value, http.Request, http.RequestAborted);
        }
        catch (EhrException refusal)
        {
            await ErrorResponse.WriteAsync(http, refusal);
            return;
        }

        if (tenant is not null)
        {
            tenantContext.Bind(tenant);
        }

        await next(http);
    }
}

/// <summary>
/// The tenant a request names through its token's claim, its host name and its <c>X-Tenant</c> header, which must
/// agree. Used by the HTTP pipeline and by the WebSocket transport, whose token arrives after the upgrade.
/// </summary>
public sealed class TenantResolver(TenantCatalog catalog, IOptions<TenancyOptions> options)
{
    /// <summary>
    /// The tenant named (null when none is), or <c>TENANT_MISMATCH</c> (403), <c>TENANT_NOT_FOUND</c> (404),
    /// <c>TENANT_SUSPENDED</c> (403) as an <see cref="EhrException"/>.
    /// </summary>
    public async Task<Tenant?> ResolveAsync(string? fromToken, HttpRequest request, CancellationToken ct)
    {
        var fromHost = FromHost(request.Host.Host, options.Value.BaseDomain);
        var fromHeader = request.Headers[options.Value.HeaderName].ToString();
        if (string.IsNullOrEmpty(fromHeader))
        {
            fromHeader = null;
        }

        var named = new[] { fromToken, fromHost, fromHeader }.Where(s => s is not null).Distinct(StringComparer.Ordinal).ToList();
        if (named.Count > 1)
        {
            throw new EhrException(ErrorCodes.TenantMismatch, "The request names more than one tenant (token, host or header disagree).", 403);
        }

        if (named.Count == 0)
        {
            return null;
        }

        var slug = named[0]!;
        var tenant = TenantSlug.IsValid(slug) ? await catalog.FindAsync(slug, ct) : null;
        if (tenant is null)
        {
            throw new EhrException(ErrorCodes.TenantNotFound, $"No tenant '{slug}'.", 404);
        }

        if (tenant.Status == TenantStatus.Suspended)
        {
            throw new EhrException(ErrorCodes.TenantSuspended, $"Tenant '{slug}' is suspended.", 403);
        }

        return tenant;
    }

    internal static string? FromHost(string host, string baseDomain)
    {
        if (string.IsNullOrEmpty(baseDomain) || !host.EndsWith("." + baseDomain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var label = host[..^(baseDomain.Length + 1)].ToLowerInvariant();
        return label.Contains('.', StringComparison.Ordinal) ? null : label;
    }
}
