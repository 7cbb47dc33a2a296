using Ehr.Platform.Identity.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Ehr.Web;

/// <summary>
/// Registers (or updates) the console as a public OIDC client of our server at start-up: code flow with PKCE, its
/// exact redirect URIs under the configured issuer (and any extra ones configured), nothing else.
/// </summary>
internal sealed class ConsoleClientRegistration(IServiceScopeFactory scopes, IOptions<EhrIdentityOptions> identity,
    ILogger<ConsoleClientRegistration> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var issuer = identity.Value.Issuer;
        if (string.IsNullOrEmpty(issuer))
        {
            log.LogWarning("Identity:Issuer is not set: the console cannot sign anyone in.");
            return;
        }

        var origin = new Uri(issuer, UriKind.Absolute);
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = identity.Value.ConsoleClientId,
            ClientType = ClientTypes.Public,
            ApplicationType = ApplicationTypes.Web,
            DisplayName = "Ehr.Saas console",
            ConsentType = ConsentTypes.Implicit,
        };
        descriptor.RedirectUris.Add(new Uri(origin, ConsoleModule.CallbackPath));
        descriptor.PostLogoutRedirectUris.Add(new Uri(origin, ConsoleModule.SignedOutCallbackPath));
        foreach (var extra in identity.Value.ConsoleRedirectUris)
        {
            descriptor.RedirectUris.Add(new Uri(extra, UriKind.Absolute));
        }

        descriptor.Permissions.UnionWith(
        [
            Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
            Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
            Permissions.Scopes.Profile, Permissions.Scopes.Email, Permissions.Prefixes.Scope + EhrScopes.FullAccess,
        ]);
        descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);

        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        try
        {
            if (await applications.FindByClientIdAsync(identity.Value.ConsoleClientId, cancellationToken) is { } existing)
            {
                await applications.UpdateAsync(existing, descriptor, cancellationToken);
            }
            else
            {
                await applications.CreateAsync(descriptor, cancellationToken);
            }
        }
        catch (OpenIddictExceptions.ConcurrencyException)
        {
            // Another host registered it at the same moment: same descriptor, nothing to do.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
