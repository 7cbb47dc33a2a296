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
internal sealed class TenantResolutionMiddleware(RequestDelegate next, IOptions<TenancyOptions> options)
{
    public async Task InvokeAsync(HttpContext http, TenantCatalog catalog, TenantContext tenantContext)
    {
        var fromToken = http.User.FindFirst(EhrClaims.Tenant)?.Value;
        var fromHost = FromHost(http.Request.Host.Host, options.Value.BaseDomain);
        var fromHeader = http.Request.Headers[options.Value.HeaderName].ToString();
        if (string.IsNullOrEmpty(fromHeader))
        {
            fromHeader = null;
        }

        var named = new[] { fromToken, fromHost, fromHeader }.Where(s => s is not null).Distinct(StringComparer.Ordinal).ToList();
        if (named.Count > 1)
        {
            await ErrorResponse.WriteAsync(http, new EhrException(ErrorCodes.TenantMismatch,
                "The request names more than one tenant (token, host or header disagree).", 403));
            return;
        }

        if (named.Count == 1)
        {
            var slug = named[0]!;
            var tenant = TenantSlug.IsValid(slug) ? await catalog.FindAsync(slug, http.RequestAborted) : null;
            if (tenant is null)
            {
                await ErrorResponse.WriteAsync(http, new EhrException(ErrorCodes.TenantNotFound, $"No tenant '{slug}'.", 404));
                return;
            }

            if (tenant.Status == TenantStatus.Suspended)
            {
                await ErrorResponse.WriteAsync(http, new EhrException(ErrorCodes.TenantSuspended,
                    $"Tenant '{slug}' is suspended.", 403));
                return;
            }

            tenantContext.Bind(tenant);
        }

        await next(http);
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
