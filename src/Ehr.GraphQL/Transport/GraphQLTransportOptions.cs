namespace Ehr.GraphQL.Transport;

/// <summary>Limits of the GraphQL endpoint (section <c>GraphQL</c>).</summary>
public sealed class GraphQLTransportOptions
{
    public const string SectionName = "GraphQL";

    public int MaxDepth { get; set; } = 15;

    public int MaxComplexity { get; set; } = 2000;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Every operation needs a bearer token; introspection never runs for anonymous callers either way.</summary>
    public bool RequireAuthentication { get; set; } = true;

    /// <summary>The WebSocket transport (section <c>GraphQL:WebSocket</c>).</summary>
    public GraphQLWebSocketOptions WebSocket { get; set; } = new();
}

/// <summary>Limits of GraphQL over WebSocket (graphql-transport-ws).</summary>
public sealed class GraphQLWebSocketOptions
{
    /// <summary>How long a new socket may take to send <c>connection_init</c> before it is closed with 4408.</summary>
    public TimeSpan ConnectionInitTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Operations running at once on one connection (subscriptions and single results together).</summary>
    public int MaxOperations { get; set; } = 25;

    /// <summary>The largest message a client may send (UTF-8 bytes); a larger one closes the socket with 1009.</summary>
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    /// <summary>A connection with no operation running that has received nothing for this long is closed (1000).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// WebSocket Ping frames are sent this often; a peer that does not answer within as long again is dropped (a dead
    /// network path, which no close frame would ever report).
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often the caller's access (account, membership, API client, token revocation, tenant status) is checked
    /// again while the connection stays open; it is also checked before every operation and every delivered event.
    /// </summary>
    public TimeSpan AccessRecheckInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Origins of browser pages allowed to open a socket, besides the host's own origin and the authorization server's
    /// issuer (where the console is served). Sockets without an Origin header (not from a browser) are not affected.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Messages queued for a client that does not read them; past this the socket is closed (1008).</summary>
    public int MaxPendingMessages { get; set; } = 1000;
}
