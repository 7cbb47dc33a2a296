using System.Security.Cryptography;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.Platform.Identity.ApiClients;

public sealed record ApiClientInput(string? Name, IReadOnlyList<string>? Scopes, int? RateLimitPerMinute);

/// <summary>A client and, right after creation or rotation only, its secret in clear (never stored, never shown again).</summary>
public sealed record ApiClientWithSecret(ApiClient Client, string Secret);

/// <summary>
/// A tenant admin's API clients (client credentials, for a startup's back end): create (the secret is shown once
/// and kept only hashed, by OpenIddict), list, rotate the secret, revoke (its tokens stop working on the next
/// request). Each change (our row and OpenIddict's application) and its audit entry commit in one transaction.
/// </summary>
public sealed class ManageApiClients(
    PlatformDbContext db,
    IOpenIddictApplicationManager applications,
    ActorContext actors,
    TenantContext tenants,
    TenantAuditOfPlatformChange audit,
    TimeProvider clock)
{
    public const int DefaultRateLimitPerMinute = 600;

    public const int MinRateLimitPerMinute = 1;

    public const int MaxRateLimitPerMinute = 100_000;

    internal const string RateLimitRange = "Between 1 and 100000 requests per minute.";

    public async Task<IReadOnlyList<ApiClient>> ListAsync(CancellationToken ct)
    {
        actors.Demand(Permissions.ApiClientManage);
        var tenant = tenants.Required;
        return await db.ApiClients.AsNoTracking().Where(c => c.TenantId == tenant.Id)
            .OrderBy(c => c.CreatedAt).ToListAsync(ct);
    }

    public async Task<ApiClientWithSecret> CreateAsync(ApiClientInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.ApiClientManage);
        var tenant = tenants.Required;
        var (name, scopes, limit) = Validate(input);
        var clientId = $"{tenant.Slug}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var secret = NewSecret();
        var now = clock.GetUtcNow();
        var client = ApiClient.Create(tenant.Id, clientId, name, scopes, limit, secret[^4..], actors.Current.Id, now);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.ApiClients.Add(client);
        await db.SaveChangesAsync(ct);
        await applications.CreateAsync(Descriptor(client, secret), ct);
        await audit.CommitAsync([new AuditEvent("apiclient.create", "ApiClient", clientId, new { name, scopes, rateLimitPerMinute = limit })], ct);
        return new ApiClientWithSecret(client, secret);
    }

    public async Task<ApiClientWithSecret> RotateSecretAsync(string clientId, CancellationToken ct)
    {
        actors.Demand(Permissions.ApiClientManage);
        var tenant = tenants.Required;
        var client = await FindAsync(clientId, tenant, ct);
        if (client.Status != ApiClientStatus.Active)
        {
            throw new EhrException(ErrorCodes.Conflict, $"API client '{clientId}' is revoked.", 409);
        }

        var secret = NewSecret();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        client.Rotated(secret[^4..], clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        var application = await applications.FindByClientIdAsync(clientId, ct)
                          ?? throw new InvalidOperationException($"API client '{clientId}' has no OpenIddict application.");
        await applications.UpdateAsync(application, secret, ct);
        await audit.CommitAsync([new AuditEvent("apiclient.rotate_secret", "ApiClient", clientId)], ct);
        return new ApiClientWithSecret(client, secret);
    }

    public async Task<ApiClient> RevokeAsync(string clientId, CancellationToken ct)
    {
        actors.Demand(Permissions.ApiClientManage);
        var tenant = tenants.Required;
        var client = await FindAsync(clientId, tenant, ct);
        if (client.Status == ApiClientStatus.Revoked)
        {
            return client;
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        client.Revoke(clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        // Removing the application makes its secret useless at the token endpoint; the access check refuses the
        // tokens it already holds on their next request.
        if (await applications.FindByClientIdAsync(clientId, ct) is { } application)
        {
            await applications.DeleteAsync(application, ct);
        }

        await audit.CommitAsync([new AuditEvent("apiclient.revoke", "ApiClient", clientId)], ct);
        return client;
    }

    private async Task<ApiClient> FindAsync(string clientId, Tenant tenant, CancellationToken ct) =>
        await db.ApiClients.SingleOrDefaultAsync(c => c.ClientId == clientId && c.TenantId == tenant.Id, ct)
        ?? throw EhrException.NotFound($"API client '{clientId}'");

    private static (string Name, string[] Scopes, int Limit) Validate(ApiClientInput input)
    {
        var errors = new List<FieldError>();
        var name = input.Name?.Trim() ?? "";
        if (name.Length == 0)
        {
            errors.Add(new FieldError("input.name", ErrorCodes.Required, "A name is required."));
        }
        else if (name.Length > 100)
        {
            errors.Add(new FieldError("input.name", ErrorCodes.TooLong, "A name has at most 100 characters."));
        }

        var scopes = (input.Scopes ?? []).Distinct(StringComparer.Ordinal).ToArray();
        if (scopes.Length == 0)
        {
            errors.Add(new FieldError("input.scopes", ErrorCodes.Required, "Grant at least one permission, e.g. patient.read."));
        }

        for (var i = 0; i < scopes.Length; i++)
        {
            if (!EhrScopes.IsGrantableToClients(scopes[i]))
            {
                errors.Add(new FieldError($"input.scopes[{i}]", ErrorCodes.InvalidFormat,
                    $"'{scopes[i]}' is not a permission an API client can hold."));
            }
        }

        var limit = input.RateLimitPerMinute ?? DefaultRateLimitPerMinute;
        if (limit is < MinRateLimitPerMinute or > MaxRateLimitPerMinute)
        {
            errors.Add(new FieldError("input.rateLimitPerMinute", ErrorCodes.OutOfRange, RateLimitRange));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return (name, scopes, limit);
    }

    /// <summary>256 random bits; the prefix lets secret scanners recognise a leaked one.</summary>
    private static string NewSecret() => "ehrs_" + Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    private static OpenIddictApplicationDescriptor Descriptor(ApiClient client, string secret)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = client.ClientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = client.Name,
        };
        descriptor.Permissions.UnionWith(
        [
            OpenIddictConstants.Permissions.Endpoints.Token,
            OpenIddictConstants.Permissions.Endpoints.Introspection,
            OpenIddictConstants.Permissions.Endpoints.Revocation,
            OpenIddictConstants.Permissions.GrantTypes.ClientCredentials,
        ]);
        descriptor.Permissions.UnionWith(client.Scopes.Select(s => OpenIddictConstants.Permissions.Prefixes.Scope + s));
        return descriptor;
    }
}
