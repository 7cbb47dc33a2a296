using System.Net.WebSockets;
using Ehr.Platform.Identity.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ehr.GraphQL.Transport;

/// <summary>
/// The WebSocket upgrade at the GraphQL path: refuses browser pages of foreign origins (403 before the upgrade),
/// accepts the <c>graphql-transport-ws</c> subprotocol and hands the socket to a <see cref="GraphQLWebSocketConnection"/>.
/// A client that does not offer that subprotocol (the legacy <c>graphql-ws</c> one included) gets the socket closed
/// with 4406, as the reference server does.
/// </summary>
internal sealed class GraphQLWebSocketEndpoint(IOptions<GraphQLTransportOptions> options, IOptions<EhrIdentityOptions> identity)
{
    public async Task HandleAsync(HttpContext http)
    {
        var settings = options.Value.WebSocket;
        if (!OriginAllowed(http.Request, settings))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            http.Response.ContentType = GraphQLHttpEndpoint.Json + "; charset=utf-8";
            await http.Response.WriteAsync(
                "{\"errors\":[{\"message\":\"Browser pages of this origin may not open GraphQL sockets.\",\"extensions\":{\"code\":\"ORIGIN_NOT_ALLOWED\"}}]}",
                http.RequestAborted);
            return;
        }

        var offered = http.WebSockets.WebSocketRequestedProtocols;
        var ours = offered.Contains(GraphQLWebSocketProtocol.SubProtocol, StringComparer.Ordinal);
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = ours ? GraphQLWebSocketProtocol.SubProtocol : null,
            KeepAliveInterval = settings.KeepAliveInterval,
            KeepAliveTimeout = settings.KeepAliveInterval,
        });
        if (!ours)
        {
            await GraphQLWebSocketConnection.CloseQuietlyAsync(socket, GraphQLWebSocketProtocol.SubprotocolNotAcceptable, "Subprotocol not acceptable");
            return;
        }

        await ActivatorUtilities.CreateInstance<GraphQLWebSocketConnection>(http.RequestServices, http, socket).RunAsync();
    }

    /// <summary>No Origin (not a browser), the host's own origin, the issuer's (the console), or one configured.</summary>
    internal bool OriginAllowed(HttpRequest request, GraphQLWebSocketOptions settings)
    {
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var normalized = uri.GetLeftPart(UriPartial.Authority);
        var allowed = settings.AllowedOrigins.Append(request.Scheme + "://" + request.Host.Value).Append(identity.Value.Issuer ?? "");
        return allowed.Any(a => Uri.TryCreate(a, UriKind.Absolute, out var candidate) &&
                                string.Equals(candidate.GetLeftPart(UriPartial.Authority), normalized, StringComparison.OrdinalIgnoreCase));
    }
}
