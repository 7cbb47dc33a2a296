using System.Text.Json;
using GraphQL;

namespace Ehr.GraphQL.Transport;

/// <summary>The graphql-transport-ws protocol's names and close codes.</summary>
internal static class GraphQLWebSocketProtocol
{
    public const string SubProtocol = "graphql-transport-ws";

    public const string ConnectionInit = "connection_init";
    public const string ConnectionAck = "connection_ack";
    public const string Ping = "ping";
    public const string Pong = "pong";
    public const string Subscribe = "subscribe";
    public const string Next = "next";
    public const string Error = "error";
    public const string Complete = "complete";

    public const int BadRequest = 4400;
    public const int Unauthorized = 4401;
    public const int Forbidden = 4403;
    public const int SubprotocolNotAcceptable = 4406;
    public const int ConnectionInitialisationTimeout = 4408;
    public const int SubscriberAlreadyExists = 4409;
    public const int TooManyInitialisationRequests = 4429;
    public const int InternalServerError = 4500;
}

/// <summary>A message a client sent, checked against the protocol's shapes.</summary>
internal sealed record ClientMessage(string Type, string? Id, IReadOnlyDictionary<string, object?>? Payload, GraphQLHttpRequest? Request);

/// <summary>A message that breaks the protocol: the socket closes with 4400 and this reason.</summary>
internal sealed class ProtocolViolation(string reason) : Exception(reason);

/// <summary>
/// Parses client messages exactly as the protocol specifies them: a JSON object with a string <c>type</c>;
/// <c>connection_init</c>, <c>ping</c> and <c>pong</c> with an optional object payload; <c>subscribe</c> with a non-empty
/// string id and a payload whose <c>query</c> is a string, <c>operationName</c> a string or null, <c>variables</c> and
/// <c>extensions</c> objects or null; <c>complete</c> with a non-empty string id. Server-to-client types
/// (<c>connection_ack</c>, <c>next</c>, <c>error</c>) and anything else are violations.
/// </summary>
internal static class ClientMessages
{
    public static ClientMessage Parse(ReadOnlySpan<byte> utf8)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            throw new ProtocolViolation("Invalid message received: not JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ProtocolViolation("Invalid message received: not a JSON object");
            }

            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                throw new ProtocolViolation("Invalid message received: 'type' must be a string");
            }

            var type = typeElement.GetString()!;
            switch (type)
            {
                case GraphQLWebSocketProtocol.ConnectionInit or GraphQLWebSocketProtocol.Ping or GraphQLWebSocketProtocol.Pong:
                    return new ClientMessage(type, null, OptionalObject(root, "payload", type), null);
                case GraphQLWebSocketProtocol.Subscribe:
                    return new ClientMessage(type, RequiredId(root, type), null, SubscribePayload(root));
                case GraphQLWebSocketProtocol.Complete:
                    return new ClientMessage(type, RequiredId(root, type), null, null);
                case GraphQLWebSocketProtocol.ConnectionAck or GraphQLWebSocketProtocol.Next or GraphQLWebSocketProtocol.Error:
                    throw new ProtocolViolation($"Unexpected message of type {Shorten(type)} from a client");
                default:
                    throw new ProtocolViolation($"Invalid message type {Shorten(type)}");
            }
        }
    }

    private static string RequiredId(JsonElement root, string type)
    {
        if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString()!.Length == 0)
        {
            throw new ProtocolViolation($"Invalid {type} message: 'id' must be a non-empty string");
        }

        var value = id.GetString()!;
        if (value.Length > 256)
        {
            throw new ProtocolViolation($"Invalid {type} message: 'id' longer than 256 characters");
        }

        return value;
    }

    private static Dictionary<string, object?>? OptionalObject(JsonElement root, string name, string type)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ProtocolViolation($"Invalid {type} message: '{name}' must be an object");
        }

        return (Dictionary<string, object?>)GraphQLRequestReader.ToObject(value)!;
    }

    private static GraphQLHttpRequest SubscribePayload(JsonElement root)
    {
        if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
        {
            throw new ProtocolViolation("Invalid subscribe message: 'payload' must be an object");
        }

        if (!payload.TryGetProperty("query", out var query) || query.ValueKind != JsonValueKind.String)
        {
            throw new ProtocolViolation("Invalid subscribe message: 'payload.query' must be a string");
        }

        string? operationName = null;
        if (payload.TryGetProperty("operationName", out var name) && name.ValueKind != JsonValueKind.Null)
        {
            operationName = name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : throw new ProtocolViolation("Invalid subscribe message: 'payload.operationName' must be a string or null");
        }

        var variables = OptionalObject(payload, "variables", "subscribe");
        var extensions = OptionalObject(payload, "extensions", "subscribe");
        return new GraphQLHttpRequest(query.GetString()!, operationName,
            variables is null ? null : new Inputs(variables), extensions is null ? null : new Inputs(extensions));
    }

    private static string Shorten(string type) => type.Length <= 40 ? $"'{type}'" : $"'{type[..40]}...'";
}
