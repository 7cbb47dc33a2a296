using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using IPNetwork = System.Net.IPNetwork;

namespace Ehr.Platform.Tenancy;

/// <summary>
/// The reverse proxies (TLS terminators, load balancers) whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>
/// the host believes: <c>Network:TrustedProxies</c> (<c>EHR_TRUSTED_PROXIES</c>), a comma-separated list of addresses
/// and CIDR ranges. Nothing is trusted by default, not even loopback: a forged header must never change the client
/// address in the audit log or the rate limiter's key, or make plain HTTP pass for HTTPS.
/// </summary>
public static class TrustedProxies
{
    public const string SettingName = "Network:TrustedProxies";

    public static IReadOnlyList<IPNetwork> Parse(string? setting)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                throw new InvalidOperationException(
                    $"{SettingName}: '{entry}' is neither an IP address nor a CIDR range (e.g. 10.0.0.5 or 10.0.0.0/8).");
            }
        }

        return networks;
    }

    /// <summary>Honours forwarded headers from the configured proxies only; does nothing when none are configured.</summary>
    public static void UseTrustedProxies(this WebApplication app)
    {
        var networks = Parse(app.Configuration[SettingName]);
        if (networks.Count == 0)
        {
            return;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // The chain is walked from the right and stops at the first address that is not a trusted proxy.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(network);
        }

        app.UseForwardedHeaders(options);
    }
}
