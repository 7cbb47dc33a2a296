using System.Text;
using Ehr.GraphQL.Transport;

namespace Ehr.Tests.GraphQL;

/// <summary>The graphql-transport-ws message shapes, as the protocol defines them, without a socket.</summary>
public sealed class WebSocketMessagesShould
{
    [Fact]
    public void ReadASubscribeWithItsOperation()
    {
        var message = Parse("""{"id":"7","type":"subscribe","payload":{"query":"subscription { notificationAdded { id } }","operationName":null,"variables":{"n":1},"extensions":null}}""");

        Assert.Equal(("subscribe", "7"), (message.Type, message.Id));
        Assert.Equal("subscription { notificationAdded { id } }", message.Request!.Query);
        Assert.Null(message.Request.OperationName);
        Assert.Equal(1, message.Request.Variables!["n"]);
        Assert.Null(message.Request.Extensions);
    }

    [Theory]
    [InlineData("""{"type":"connection_init"}""", false)]
    [InlineData("""{"type":"connection_init","payload":null}""", false)]
    [InlineData("""{"type":"connection_init","payload":{"authorization":"Bearer x"}}""", true)]
    [InlineData("""{"type":"ping","payload":{"at":1}}""", true)]
    [InlineData("""{"type":"pong"}""", false)]
    public void TakeAnOptionalObjectPayloadOnInitPingAndPong(string json, bool hasPayload)
    {
        var message = Parse(json);

        Assert.Equal(hasPayload, message.Payload is not null);
    }

    [Theory]
    [InlineData("""{"type":"connection_ack"}""", "Unexpected message")]
    [InlineData("""{"type":"next","id":"1","payload":{}}""", "Unexpected message")]
    [InlineData("""{"type":"error","id":"1","payload":[]}""", "Unexpected message")]
    [InlineData("""{"type":"connection_terminate"}""", "Invalid message type")]
    [InlineData("""{"type":"connection_init","payload":[1]}""", "'payload' must be an object")]
    [InlineData("""{"type":"subscribe","id":1,"payload":{"query":"{ a }"}}""", "'id' must be a non-empty string")]
    [InlineData("""{"type":"subscribe","id":"1","payload":{"query":"{ a }","extensions":"x"}}""", "'extensions' must be an object")]
    [InlineData("""{"type":"complete","id":""}""", "'id' must be a non-empty string")]
    [InlineData("""42""", "not a JSON object")]
    [InlineData("""{"type":"ping""", "not JSON")]
    public void NameWhatMakesAMessageInvalid(string json, string reason)
    {
        var violation = Assert.Throws<ProtocolViolation>(() => Parse(json));

        Assert.Contains(reason, violation.Message, StringComparison.Ordinal);
        // Close reasons are at most 123 bytes.
        Assert.True(Encoding.UTF8.GetByteCount(violation.Message) <= 123, violation.Message);
    }

    [Fact]
    public void RefuseAnIdTooLongToEchoInACloseReason()
    {
        var id = new string('x', 300);

        Assert.Throws<ProtocolViolation>(() => Parse($$"""{"type":"complete","id":"{{id}}"}"""));
    }

    private static ClientMessage Parse(string json) => ClientMessages.Parse(Encoding.UTF8.GetBytes(json));
}
