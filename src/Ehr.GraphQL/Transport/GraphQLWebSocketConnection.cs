using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.ApiClients;
using Ehr.Platform.Identity.Authorization;
using Ehr.Platform.Tenancy;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Types;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Ehr.GraphQL.Transport.GraphQLWebSocketProtocol;

namespace Ehr.GraphQL.Transport;

/// <summary>
/// One socket speaking graphql-transport-ws (github.com/enisdenjo/graphql-ws, PROTOCOL.md), with the HTTP
/// transport's rules: a bearer token (the <c>connection_init</c> payload's <c>authorization</c> or <c>token</c>, else
/// the upgrade's Authorization header), the tenant resolved as for HTTP (token claim, host, <c>X-Tenant</c>; any
/// disagreement refused), the caller's access checked at <c>connection_init</c>, before every operation, before every
/// delivered event and every <see cref="GraphQLWebSocketOptions.AccessRecheckInterval"/>: a deactivated person or
/// client, a revoked or expired token or a suspended tenant closes the socket with 4403. Every operation and every
/// delivery runs in a scope of its own. A subscription is live (or refused with an <c>error</c>) before the next
/// message of the client is read, so a <c>ping</c> sent after a <c>subscribe</c> is answered after the subscription
/// was set up; queries and mutations run beside the reading and answer one <c>next</c> and <c>complete</c>.
/// </summary>
internal sealed class GraphQLWebSocketConnection(
    HttpContext http,
    WebSocket socket,
    IDocumentExecuter executer,
    ISchema schema,
    IGraphQLTextSerializer serializer,
    IServiceScopeFactory scopes,
    BearerTokenAuthenticator authenticator,
    TenantResolver tenants,
    TimeProvider clock,
    IOptions<GraphQLTransportOptions> options,
    ILogger<GraphQLWebSocketConnection> log) : IOperationScopes
{
    private const string Where = "/graphql (WebSocket)";

    private readonly GraphQLTransportOptions _settings = options.Value;
    private readonly ConcurrentDictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly Channel<Outgoing> _outbox = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closing = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
    private long _lastActivity = Stopwatch.GetTimestamp();
    private int _pending;
    private int _closeStarted;
    private volatile bool _initReceived;
    private volatile bool _acknowledged;

    private AuthenticatedToken? _token;
    private Actor? _tokenActor;
    private Tenant? _tenant;

    private GraphQLWebSocketOptions Limits => _settings.WebSocket;

    public async Task RunAsync()
    {
        var writer = Task.Run(WriteLoopAsync);
        var watchdog = Task.Run(WatchAsync);
        try
        {
            await ReadLoopAsync();
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The peer went away (or the host is stopping): nothing to answer.
        }
        finally
        {
            // What was queued goes out, then the close frame (ours, or the answer to the client's), then everything stops.
            Close(WebSocketCloseStatus.NormalClosure, "");
            _outbox.Writer.TryComplete();
            await Swallow(writer.WaitAsync(TimeSpan.FromSeconds(5)));
            await _closing.CancelAsync();
            foreach (var operation in _operations.Values)
            {
                await operation.EndAsync();
            }

            _operations.Clear();
            await Task.WhenAll(Swallow(writer), Swallow(watchdog));
            if (socket.State is not (WebSocketState.Closed or WebSocketState.Aborted))
            {
                socket.Abort();
            }

            _closing.Dispose();
        }
    }

    private static async Task Swallow(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Ending anyway.
        }
    }

    // ------------------------------------------------------------------ reading

    private async Task ReadLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var message = new MemoryStream();
        try
        {
            // After the server started closing, frames are read (and dropped) until the client's close frame arrives,
            // so the close code reaches it instead of a reset connection.
            while (!_closing.IsCancellationRequested)
            {
                message.SetLength(0);
                var tooBig = false;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(), _closing.Token);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        // The client's closing (1000 for a normal one), or its answer to ours.
                        Close(WebSocketCloseStatus.NormalClosure, "");
                        return;
                    }

                    if (tooBig || message.Length + received.Count > Limits.MaxMessageBytes)
                    {
                        tooBig = true;
                        Close(WebSocketCloseStatus.MessageTooBig, $"Message larger than {Limits.MaxMessageBytes} bytes");
                        continue;
                    }

                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);

                Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
                if (Volatile.Read(ref _closeStarted) == 1)
                {
                    continue;
                }

                if (received.MessageType != WebSocketMessageType.Text)
                {
                    Close(BadRequest, "Invalid message received: binary messages are not part of the protocol");
                    continue;
                }

                ClientMessage parsed;
                try
                {
                    parsed = ClientMessages.Parse(message.GetBuffer().AsSpan(0, (int)message.Length));
                }
                catch (ProtocolViolation violation)
                {
                    Close(BadRequest, violation.Message);
                    continue;
                }

                try
                {
                    await HandleAsync(parsed);
                }
                catch (Exception e) when (e is not (OperationCanceledException or WebSocketException))
                {
                    log.LogError(e, "GraphQL WebSocket message of type {Type} failed", parsed.Type);
                    Close(InternalServerError, "Internal server error");
                    continue;
                }

                // Handling (an init's checks, a subscription's set-up) counts as activity, not idleness.
                Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task HandleAsync(ClientMessage message)
    {
        switch (message.Type)
        {
            case ConnectionInit:
                if (_initReceived)
                {
                    Close(TooManyInitialisationRequests, "Too many initialisation requests");
                    return;
                }

                _initReceived = true;
                await InitAsync(message.Payload);
                return;
            case Ping:
                Send(message.Payload is null ? new { type = Pong } : new { type = Pong, payload = message.Payload });
                return;
            case Pong:
                return;
            case Subscribe:
                await SubscribeAsync(message.Id!, message.Request!);
                return;
            case Complete:
                if (_operations.TryRemove(message.Id!, out var operation))
                {
                    await operation.EndAsync();
                }

                return;
        }
    }

    // ------------------------------------------------------------------ connection_init

    private async Task InitAsync(IReadOnlyDictionary<string, object?>? payload)
    {
        var presented = TokenFrom(payload);
        var token = presented is not null
            ? await authenticator.AuthenticateAsync(http.Request, presented)
            : await authenticator.FromRequestAsync(http);
        if (token is null)
        {
            Close(Forbidden, presented is null ? "Forbidden: a bearer token is required" : "Forbidden: invalid bearer token");
            return;
        }

        var purpose = payload?.GetValueOrDefault("purposeOfUse") as string ?? http.Request.Headers[PurposeHeader].ToString();
        if (string.IsNullOrEmpty(purpose))
        {
            purpose = PurposeOfUse.Treatment;
        }
        else if (!PurposeOfUse.Known.Contains(purpose))
        {
            Close(Forbidden, "Forbidden: unknown purpose of use");
            return;
        }

        try
        {
            _tenant = await tenants.ResolveAsync(token.Principal.FindFirst(EhrClaims.Tenant)?.Value, http.Request, _closing.Token);
        }
        catch (EhrException refusal)
        {
            Close(Forbidden, "Forbidden: " + refusal.Code);
            return;
        }

        _token = token;
        _tokenActor = Actor.FromPrincipal(token.Principal, http.Connection.RemoteIpAddress, purpose);
        if (await CheckAccessAsync() is { } refusal2)
        {
            Close(Forbidden, refusal2);
            return;
        }

        _acknowledged = true;
        Send(new { type = ConnectionAck });
    }

    private const string PurposeHeader = "X-Purpose-Of-Use";

    /// <summary><c>authorization</c> ("Bearer x" or x, any capitalisation of the key) or <c>token</c>.</summary>
    private static string? TokenFrom(IReadOnlyDictionary<string, object?>? payload)
    {
        if (payload is null)
        {
            return null;
        }

        foreach (var (key, value) in payload)
        {
            if ((key.Equals("authorization", StringComparison.OrdinalIgnoreCase) || key.Equals("token", StringComparison.OrdinalIgnoreCase)) &&
                value is string text && text.Length > 0)
            {
                return text.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? text[7..] : text;
            }
        }

        return null;
    }

    /// <summary>Null when the caller may go on; otherwise the close reason.</summary>
    private async Task<string?> CheckAccessAsync()
    {
        if (_token!.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
        {
            return "Forbidden: token expired";
        }

        await using var scope = scopes.CreateAsyncScope();
        if (_tenant is not null)
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(_tenant);
        }

        var resolved = await scope.ServiceProvider.GetRequiredService<ActorBinding>().RecheckAsync(_tokenActor!, _token.IsDevelopmentToken, _closing.Token);
        return resolved.Actor is null ? "Forbidden: access revoked" : null;
    }

    // ------------------------------------------------------------------ operations

    private async Task SubscribeAsync(string id, GraphQLHttpRequest request)
    {
        if (!_acknowledged)
        {
            Close(Unauthorized, "Unauthorized");
            return;
        }

        if (_operations.ContainsKey(id))
        {
            Close(SubscriberAlreadyExists, $"Subscriber for {Truncate(id, 80)} already exists");
            return;
        }

        if (_operations.Count >= Limits.MaxOperations)
        {
            Send(new
            {
                id,
                type = Error,
                payload = new[] { new { message = $"At most {Limits.MaxOperations} operations may run at once on one connection.", extensions = new { code = "TOO_MANY_OPERATIONS" } } },
            });
            return;
        }

        var operation = new Operation(id, _closing.Token);
        _operations[id] = operation;
        GraphQLDocument? document = null;
        try
        {
            document = Parser.Parse(request.Query);
        }
        catch (GraphQLParserException)
        {
            // The executer reports it with its position.
        }

        var streaming = document?.Definitions.OfType<GraphQLOperationDefinition>()
            .Where(o => request.OperationName is null || o.Name?.StringValue == request.OperationName)
            .Select(o => (OperationType?)o.Operation).FirstOrDefault() is OperationType.Subscription;
        if (streaming)
        {
            await RunAsync(operation, request, document, streaming);
        }
        else
        {
            _ = Task.Run(() => RunAsync(operation, request, document, streaming));
        }
    }

    private async Task RunAsync(Operation operation, GraphQLHttpRequest request, GraphQLDocument? document, bool streaming)
    {
        try
        {
            var scope = await OpenAsync(operation.Token, startsOperation: true);
            operation.Own(scope);
            var result = await executer.ExecuteAsync(o =>
            {
                o.Schema = schema;
                o.Query = request.Query;
                o.Document = document;
                o.OperationName = request.OperationName;
                o.Variables = request.Variables;
                o.Extensions = request.Extensions;
                o.RequestServices = scope.Services;
                o.User = _token!.Principal;
                o.UserContext = new EhrUserContext(_token.Principal) { ClientAddress = http.Connection.RemoteIpAddress?.ToString(), Scopes = this };
                o.CancellationToken = operation.Token;
                o.ThrowOnUnhandledException = false;
                o.UnhandledExceptionDelegate = context =>
                {
                    if (context.OriginalException is not (EhrException or ConnectionClosingException or OperationCanceledException))
                    {
                        log.LogError(context.OriginalException, "GraphQL resolver failed in {Field}", context.FieldContext?.FieldDefinition.Name);
                    }

                    return Task.CompletedTask;
                };
                if (!streaming)
                {
                    o.Timeout = _settings.Timeout;
                    o.TimeoutAction = TimeoutAction.ReturnTimeoutError;
                }
            });
            await scope.RecordDenialsAsync();

            if (!ReferenceEquals(_operations.GetValueOrDefault(operation.Id), operation))
            {
                // Completed by the client (or the connection closed) before the result was ready: nothing is sent.
                await operation.EndAsync();
                return;
            }

            if (result.Streams is { Count: 1 } streams)
            {
                operation.Listen(streams.Values.Single(), new Observer(this, operation));
                return;
            }

            if (!result.Executed || streaming)
            {
                // Nothing executed (parse, validation, limits), or a subscription refused before it started.
                Finish(operation, new { id = operation.Id, type = Error, payload = result.Errors ?? [] });
                return;
            }

            Send(new { id = operation.Id, type = Next, payload = result });
            Finish(operation, new { id = operation.Id, type = Complete });
        }
        catch (ConnectionClosingException)
        {
            await operation.EndAsync();
        }
        catch (EhrException refusal)
        {
            // Refused before it ran (an API client over its rate limit).
            Finish(operation, new { id = operation.Id, type = Error, payload = new[] { new { message = refusal.Message, extensions = new { code = refusal.Code } } } });
        }
        catch (OperationCanceledException) when (operation.Token.IsCancellationRequested)
        {
            await operation.EndAsync();
        }
        catch (Exception e)
        {
            log.LogError(e, "GraphQL WebSocket operation failed");
            Finish(operation, new
            {
                id = operation.Id,
                type = Error,
                payload = new[] { new { message = "Something went wrong on our side; it has been logged.", extensions = new { code = ErrorCodes.Internal } } },
            });
        }
    }

    /// <summary>Sends the operation's last message, unless the client completed it first, and forgets it.</summary>
    private void Finish(Operation operation, object last)
    {
        if (_operations.TryRemove(new KeyValuePair<string, Operation>(operation.Id, operation)))
        {
            Send(last);
        }

        _ = operation.EndAsync();
    }

    /// <summary>Forwards a subscription's results; its end (or failure) ends the operation.</summary>
    private sealed class Observer(GraphQLWebSocketConnection connection, Operation operation) : IObserver<ExecutionResult>
    {
        public void OnNext(ExecutionResult value)
        {
            if (ReferenceEquals(connection._operations.GetValueOrDefault(operation.Id), operation))
            {
                connection.Send(new { id = operation.Id, type = Next, payload = value });
            }
        }

        public void OnError(Exception error)
        {
            if (Find<ConnectionClosingException>(error) is not null || Volatile.Read(ref connection._closeStarted) == 1)
            {
                _ = operation.EndAsync();
                return;
            }

            var failure = error as ExecutionError ?? new UnhandledError("The subscription failed.", error);
            connection.Finish(operation, new { id = operation.Id, type = Error, payload = new[] { failure } });
        }

        public void OnCompleted() => connection.Finish(operation, new { id = operation.Id, type = Complete });

        private static T? Find<T>(Exception? e) where T : Exception
        {
            for (; e is not null; e = e.InnerException)
            {
                if (e is T match)
                {
                    return match;
                }
            }

            return null;
        }
    }

    /// <summary>One running operation: its cancellation, its scope and, for a subscription, the stream it listens to.</summary>
    private sealed class Operation(string id, CancellationToken connection)
    {
        private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(connection);
        private readonly Lock _gate = new();
        private OperationScope? _scope;
        private IDisposable? _listening;
        private bool _ended;

        public string Id { get; } = id;

        public CancellationToken Token => _cancel.Token;

        public void Own(OperationScope scope)
        {
            lock (_gate)
            {
                if (!_ended)
                {
                    _scope = scope;
                    return;
                }
            }

            _ = scope.DisposeAsync().AsTask();
        }

        public void Listen(IObservable<ExecutionResult> stream, IObserver<ExecutionResult> observer)
        {
            var listening = stream.Subscribe(observer);
            lock (_gate)
            {
                if (!_ended)
                {
                    _listening = listening;
                    return;
                }
            }

            listening.Dispose();
        }

        public async Task EndAsync()
        {
            OperationScope? scope;
            IDisposable? listening;
            lock (_gate)
            {
                if (_ended)
                {
                    return;
                }

                _ended = true;
                scope = _scope;
                listening = _listening;
            }

            try
            {
                await _cancel.CancelAsync();
                listening?.Dispose();
                if (scope is not null)
                {
                    await scope.DisposeAsync();
                }
            }
            catch (ObjectDisposedException)
            {
                // The connection's token source is gone already.
            }
        }
    }

    // ------------------------------------------------------------------ scopes

    async Task<IOperationScope> IOperationScopes.OpenAsync(CancellationToken ct) => await OpenAsync(ct);

    /// <summary>
    /// A scope with the connection's tenant and its actor, checked again now (4403 when refused). An operation's scope
    /// (<paramref name="startsOperation"/>) counts against an API client's rate limit, as an HTTP request would.
    /// </summary>
    private async Task<OperationScope> OpenAsync(CancellationToken ct, bool startsOperation = false)
    {
        if (Volatile.Read(ref _closeStarted) == 1)
        {
            throw new ConnectionClosingException("The connection is closing.");
        }

        var scope = scopes.CreateAsyncScope();
        try
        {
            if (_tenant is not null)
            {
                scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(_tenant);
            }

            if (_token!.ExpiresAt is { } expires && expires <= clock.GetUtcNow())
            {
                Close(Forbidden, "Forbidden: token expired");
                throw new ConnectionClosingException("The token expired.");
            }

            var binding = scope.ServiceProvider.GetRequiredService<ActorBinding>();
            var resolved = await binding.RecheckAsync(_tokenActor!, _token.IsDevelopmentToken, ct);
            if (resolved.Actor is null)
            {
                Close(Forbidden, "Forbidden: access revoked");
                throw new ConnectionClosingException("The caller's access was revoked.");
            }

            if (startsOperation && scope.ServiceProvider.GetRequiredService<ApiClientRateLimiter>()
                    .RetryAfterSeconds(resolved.Actor, resolved.RateLimitPerMinute) is { } seconds)
            {
                throw new EhrException(ErrorCodes.RateLimited, $"This API client made too many requests; retry after {seconds} s.", 429);
            }

            await binding.BindAsync(resolved.Actor, ct);
            return new OperationScope(scope, _tenant);
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }
    }

    private sealed class OperationScope(AsyncServiceScope scope, Tenant? tenant) : IOperationScope
    {
        private int _disposed;

        public IServiceProvider Services => scope.ServiceProvider;

        /// <summary>Permission refusals are recorded as the HTTP pipeline records them (<c>access.denied</c>).</summary>
        public async Task RecordDenialsAsync()
        {
            var actors = scope.ServiceProvider.GetRequiredService<ActorContext>();
            var denials = actors.Denials.Count;
            if (denials > 0)
            {
                await scope.ServiceProvider.GetRequiredService<TenantAuditWriter>().RecordDenialsAsync(tenant, actors, Where, CancellationToken.None);
                _recorded = denials;
            }
        }

        private int _recorded;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            try
            {
                if (scope.ServiceProvider.GetRequiredService<ActorContext>().Denials.Count > _recorded)
                {
                    await RecordDenialsAsync();
                }
            }
            finally
            {
                await scope.DisposeAsync();
            }
        }
    }

    // ------------------------------------------------------------------ timers

    private async Task WatchAsync()
    {
        var tick = TimeSpan.FromTicks(Math.Clamp(
            new[] { Limits.ConnectionInitTimeout, Limits.IdleTimeout, Limits.AccessRecheckInterval }.Min().Ticks / 4,
            TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
        var opened = Stopwatch.StartNew();
        var sinceCheck = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(tick);
        while (await timer.WaitForNextTickAsync(_closing.Token))
        {
            if (Volatile.Read(ref _closeStarted) == 1)
            {
                return;
            }

            if (!_initReceived && opened.Elapsed >= Limits.ConnectionInitTimeout)
            {
                Close(ConnectionInitialisationTimeout, "Connection initialisation timeout");
                return;
            }

            if (_operations.IsEmpty && Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity)) >= Limits.IdleTimeout)
            {
                Close(WebSocketCloseStatus.NormalClosure, "Idle timeout");
                return;
            }

            if (_acknowledged && sinceCheck.Elapsed >= Limits.AccessRecheckInterval)
            {
                sinceCheck.Restart();
                string? refusal;
                try
                {
                    refusal = await CheckAccessAsync() ?? await TenantRefusalAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The database is unreachable: operations and deliveries check again (and fail) on their own.
                    log.LogWarning(e, "Could not re-check a WebSocket caller's access");
                    continue;
                }

                if (refusal is not null)
                {
                    Close(Forbidden, refusal);
                    return;
                }
            }
        }
    }

    /// <summary>The tenant read again from the catalog: suspended (or gone) closes the connection.</summary>
    private async Task<string?> TenantRefusalAsync()
    {
        if (_tenant is null)
        {
            return null;
        }

        await using var scope = scopes.CreateAsyncScope();
        var now = await scope.ServiceProvider.GetRequiredService<TenantCatalog>().FindAsync(_tenant.Slug, _closing.Token);
        return now is null || now.Status == TenantStatus.Suspended ? "Forbidden: " + ErrorCodes.TenantSuspended : null;
    }

    // ------------------------------------------------------------------ writing

    private abstract record Outgoing;

    private sealed record Text(object Message) : Outgoing;

    private sealed record Closing(WebSocketCloseStatus Status, string Reason) : Outgoing;

    private void Send(object message)
    {
        if (Volatile.Read(ref _closeStarted) == 1)
        {
            return;
        }

        if (Interlocked.Increment(ref _pending) > Limits.MaxPendingMessages)
        {
            Close(WebSocketCloseStatus.PolicyViolation, "Client too slow: messages not read");
            return;
        }

        _outbox.Writer.TryWrite(new Text(message));
    }

    private void Close(int code, string reason) => Close((WebSocketCloseStatus)code, reason);

    /// <summary>Closes once: what was queued before goes out first, then the close frame.</summary>
    private void Close(WebSocketCloseStatus status, string reason)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) == 0)
        {
            _outbox.Writer.TryWrite(new Closing(status, reason));
        }
    }

    private async Task WriteLoopAsync()
    {
        await foreach (var item in _outbox.Reader.ReadAllAsync(_closing.Token))
        {
            switch (item)
            {
                case Text text:
                    Interlocked.Decrement(ref _pending);
                    var bytes = Encoding.UTF8.GetBytes(serializer.Serialize(text.Message));
                    await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _closing.Token);
                    break;
                case Closing closing:
                    await CloseOutputAsync(socket, closing.Status, closing.Reason, _closing.Token);
                    // The client answers with its own close frame, which ends the read loop; one that does not is dropped.
                    _ = Task.Delay(TimeSpan.FromSeconds(5), _closing.Token).ContinueWith(_ => _closing.Cancel(),
                        CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    return;
            }
        }
    }

    private static async Task CloseOutputAsync(WebSocket socket, WebSocketCloseStatus status, string reason, CancellationToken ct)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(status, Truncate(reason, 120), ct);
        }
    }

    /// <summary>Closes a socket nobody will talk to (a refused subprotocol) and waits briefly for the client's answer.</summary>
    internal static async Task CloseQuietlyAsync(WebSocket socket, int code, string reason)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await CloseOutputAsync(socket, (WebSocketCloseStatus)code, reason, timeout.Token);
            var buffer = new byte[1024];
            while (socket.State == WebSocketState.CloseSent)
            {
                await socket.ReceiveAsync(buffer, timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            socket.Abort();
        }
    }

    /// <summary>Close reasons are limited to 123 UTF-8 bytes; ours are ASCII but for echoed ids.</summary>
    private static string Truncate(string text, int max)
    {
        if (Encoding.UTF8.GetByteCount(text) <= max)
        {
            return text;
        }

        var cut = text[..Math.Min(text.Length, max)];
        while (Encoding.UTF8.GetByteCount(cut) > max)
        {
            cut = cut[..^1];
        }

        return cut;
    }
}
