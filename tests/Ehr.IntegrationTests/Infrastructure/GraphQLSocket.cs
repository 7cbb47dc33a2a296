using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>
/// A raw graphql-transport-ws client over <see cref="ClientWebSocket"/>: every frame the server sends can be checked,
/// close codes included. Waits are failure guards (a test that hangs fails), never assertions about speed.
/// </summary>
public sealed class GraphQLSocket : IAsyncDisposable
{
    public const string SubProtocol = "graphql-transport-ws";
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private GraphQLSocket(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>The close code and reason the server sent, once the socket is closed.</summary>
    public (int Code, string Reason)? Closed => Socket.CloseStatus is { } status ? ((int)status, Socket.CloseStatusDescription ?? "") : null;

    public static async Task<GraphQLSocket> ConnectAsync(TestHost host, string? headerToken = null, string[]? subProtocols = null,
        Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        foreach (var protocol in subProtocols ?? [SubProtocol])
        {
            socket.Options.AddSubProtocol(protocol);
        }

        if (headerToken is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + headerToken);
        }

        configure?.Invoke(socket.Options);
        using var guard = new CancellationTokenSource(Guard);
        await socket.ConnectAsync(Url(host), guard.Token);
        return new GraphQLSocket(socket);
    }

    public static Uri Url(TestHost host) => new UriBuilder(host.Address) { Scheme = "ws", Path = "/graphql" }.Uri;

    /// <summary>Connects, sends <c>connection_init</c> with the token and expects <c>connection_ack</c>.</summary>
    public static async Task<GraphQLSocket> OpenAsync(TestHost host, string token, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = await ConnectAsync(host, configure: configure);
        await socket.SendAsync(new { type = "connection_init", payload = new { authorization = "Bearer " + token } });
        await socket.ExpectAsync("connection_ack");
        return socket;
    }

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public async Task SendTextAsync(string text)
    {
        using var guard = new CancellationTokenSource(Guard);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, guard.Token);
    }

    public Task SubscribeAsync(string id, string query, object? variables = null) =>
        SendAsync(new { id, type = "subscribe", payload = new { query, variables } });

    /// <summary>The next message, or null once the server closed the socket (see <see cref="Closed"/>).</summary>
    public async Task<JsonObject?> ReceiveAsync()
    {
        using var guard = new CancellationTokenSource(Guard);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await Socket.ReceiveAsync(buffer, guard.Token);
            }
            catch (WebSocketException) when (Socket.State is WebSocketState.Aborted or WebSocketState.Closed)
            {
                return null;
            }

            if (received.MessageType == WebSocketMessageType.Close)
            {
                if (Socket.State == WebSocketState.CloseReceived)
                {
                    await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", guard.Token);
                }

                return null;
            }

            message.Write(buffer, 0, received.Count);
            if (received.EndOfMessage)
            {
                return JsonNode.Parse(message.ToArray())!.AsObject();
            }
        }
    }

    /// <summary>The next message, which must be of <paramref name="type"/> (and for <paramref name="id"/>, when given).</summary>
    public async Task<JsonObject> ExpectAsync(string type, string? id = null)
    {
        var message = await ReceiveAsync() ?? throw new InvalidOperationException($"Expected '{type}', the socket closed: {Closed}");
        if (message["type"]?.GetValue<string>() != type || (id is not null && message["id"]?.GetValue<string>() != id))
        {
            throw new InvalidOperationException($"Expected '{type}'{(id is null ? "" : " for " + id)}, got {message.ToJsonString()}");
        }

        return message;
    }

    /// <summary>Reads until the server closes the socket; every message before the close is returned too.</summary>
    public async Task<(int Code, string Reason, List<JsonObject> Before)> ClosedAsync()
    {
        var before = new List<JsonObject>();
        while (await ReceiveAsync() is { } message)
        {
            before.Add(message);
        }

        var (code, reason) = Closed ?? (0, "aborted");
        return (code, reason, before);
    }

    /// <summary>
    /// A ping answered by a pong: the server handles a client's messages in order and sets a subscription up before it
    /// reads the next message, so after this every earlier subscribe is live or refused (its error arrived first).
    /// Returns the messages that came before the pong.
    /// </summary>
    public async Task<List<JsonObject>> BarrierAsync()
    {
        var marker = Guid.NewGuid().ToString("N");
        await SendAsync(new { type = "ping", payload = new { marker } });
        var before = new List<JsonObject>();
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new InvalidOperationException($"The socket closed before the pong: {Closed}");
            if (message["type"]?.GetValue<string>() == "pong" && message["payload"]?["marker"]?.GetValue<string>() == marker)
            {
                return before;
            }

            before.Add(message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", guard.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                Socket.Abort();
            }
        }

        Socket.Dispose();
    }
}
