using System.Collections.Concurrent;
using System.Security.Claims;
using Ehr.Platform.Errors;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Types;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Ehr.GraphQL.Transport;

/// <summary>What resolvers can read about the caller.</summary>
public sealed class EhrUserContext : Dictionary<string, object?>
{
    public EhrUserContext(ClaimsPrincipal user) => User = user;

    public ClaimsPrincipal User { get; }

    /// <summary>The caller's IP address, for security events of callers without an actor (accepting an invitation).</summary>
    public string? ClientAddress { get; init; }

    /// <summary>
    /// Over WebSocket: fresh scopes, with the caller's access checked again, for the events a subscription delivers
    /// after the operation's own scope. Null over HTTP, which serves no subscription.
    /// </summary>
    public IOperationScopes? Scopes { get; init; }
}

/// <summary>
/// GraphQL over HTTP (graphql.github.io/graphql-over-http): GET for queries, POST with application/json, answers in
/// application/graphql-response+json or application/json as the client accepts. Checked by the graphql-http audit
/// suite in the tests.
/// </summary>
internal sealed class GraphQLHttpEndpoint(
    IDocumentExecuter executer,
    ISchema schema,
    IGraphQLTextSerializer serializer,
    IOptions<GraphQLTransportOptions> options,
    ILogger<GraphQLHttpEndpoint> log)
{
    internal const string GraphQLResponseJson = "application/graphql-response+json";
    internal const string Json = "application/json";
    internal const int MaxValidatedDocuments = 500;
    internal const int MaxValidatedQueryLength = 8 * 1024;

    /// <summary>
    /// Documents that passed every validation rule, by query text, for authenticated callers (whose rules never
    /// differ by caller). A repeated document is neither parsed nor validated again, as graphql-dotnet's own document
    /// cache does; what depends on the request still runs: variable coercion, and the complexity analysis (first/last
    /// come from variables), which AddComplexityAnalyzer adds to every execution (a test guards both). Parsing and
    /// validating were about a third of the server's CPU time for a patient search by MRN. Bounded (500 documents of
    /// at most 8 KB, some tens of MB at worst): once full, further documents are simply validated every time.
    /// </summary>
    private readonly ConcurrentDictionary<string, GraphQLDocument> _validated = new(StringComparer.Ordinal);

    public async Task HandleAsync(HttpContext http)
    {
        var settings = options.Value;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Headers.Allow = "GET, POST";
            await WriteProblemAsync(http, Json, new RequestProblem(405, "METHOD_NOT_ALLOWED", "Use GET for queries or POST."));
            return;
        }

        var mediaType = Negotiate(http.Request.Headers.Accept.Where(a => a is not null).Select(a => a!).ToList());
        if (mediaType is null)
        {
            await WriteProblemAsync(http, Json, new RequestProblem(406, "NOT_ACCEPTABLE",
                $"Accept {GraphQLResponseJson} or {Json}."));
            return;
        }

        var authenticated = http.User.Identity?.IsAuthenticated == true;
        var (request, problem) = await GraphQLRequestReader.ReadAsync(http, settings.MaxBodyBytes);
        GraphQLDocument? document = null;
        var cacheable = authenticated && problem is null && request!.Query is { Length: > 0 and <= MaxValidatedQueryLength };
        var validated = cacheable && _validated.TryGetValue(request!.Query!, out document);
        if (problem is null && !validated)
        {
            try
            {
                document = Parser.Parse(request!.Query);
            }
            catch (GraphQLParserException)
            {
                // The executer reports it with its position.
            }
        }

        // Anonymous callers may only run the operations that exist for people without a token yet (accepting an
        // invitation); anything else, malformed requests included, is 401 as before.
        if (settings.RequireAuthentication && !authenticated &&
            (document is null || SelectedOperation(document, request!.OperationName) is not { } anonymous || !IsAnonymousOperation(anonymous)))
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteProblemAsync(http, mediaType, new RequestProblem(401, ErrorCodes.Unauthenticated, "A bearer token is required."));
            return;
        }

        if (problem is not null)
        {
            await WriteProblemAsync(http, mediaType, problem);
            return;
        }

        if (document is not null && HttpMethods.IsGet(http.Request.Method) && SelectedOperation(document, request!.OperationName) is { Operation: not OperationType.Query })
        {
            http.Response.Headers.Allow = "POST";
            await WriteProblemAsync(http, mediaType, new RequestProblem(405, "METHOD_NOT_ALLOWED", "Mutations and subscriptions need POST."));
            return;
        }

        if (document is not null && SelectedOperation(document, request!.OperationName) is { Operation: OperationType.Subscription })
        {
            await WriteProblemAsync(http, mediaType, new RequestProblem(400, "BAD_REQUEST",
                "Subscriptions are served over WebSocket (subprotocol graphql-transport-ws) at this path."));
            return;
        }

        var result = await executer.ExecuteAsync(o =>
        {
            o.Schema = schema;
            o.Query = request!.Query;
            o.Document = document;
            o.OperationName = request.OperationName;
            o.Variables = request.Variables;
            o.Extensions = request.Extensions;
            o.RequestServices = http.RequestServices;
            o.User = http.User;
            o.UserContext = new EhrUserContext(http.User) { ClientAddress = http.Connection.RemoteIpAddress?.ToString() };
            o.CancellationToken = http.RequestAborted;
            o.Timeout = settings.Timeout;
            o.TimeoutAction = TimeoutAction.ReturnTimeoutError;
            o.ThrowOnUnhandledException = false;
            o.UnhandledExceptionDelegate = context =>
            {
                if (context.OriginalException is not EhrException)
                {
                    log.LogError(context.OriginalException, "GraphQL resolver failed in {Field}", context.FieldContext?.FieldDefinition.Name);
                }

                return Task.CompletedTask;
            };
            if (!authenticated)
            {
                o.ValidationRules = global::GraphQL.Validation.DocumentValidator.CoreRules.Append(NoIntrospectionValidationRule.Instance);
            }
            else if (validated)
            {
                o.ValidationRules = [];
            }
        });

        // Executed means every validation rule passed.
        if (cacheable && !validated && result.Executed && document is not null && _validated.Count < MaxValidatedDocuments)
        {
            _validated.TryAdd(request!.Query!, document);
        }

        // With graphql-response+json a request that never executed (parse or validation failure) is a 400; with
        // application/json every well-formed request answers 200, as the spec asks.
        http.Response.StatusCode = mediaType == GraphQLResponseJson && !result.Executed ? 400 : 200;
        http.Response.ContentType = mediaType + "; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, result, http.RequestAborted);
    }

    /// <summary>The media type to answer in, or null when the client accepts neither of ours.</summary>
    internal static string? Negotiate(IList<string> accept)
    {
        if (accept.Count == 0 || accept.All(string.IsNullOrWhiteSpace))
        {
            return Json;
        }

        if (!MediaTypeHeaderValue.TryParseList(accept, out var types))
        {
            return Json;
        }

        string? best = null;
        double bestQuality = 0;
        foreach (var type in types)
        {
            var quality = type.Quality ?? 1;
            var candidate = type.MediaType.Value?.ToLowerInvariant() switch
            {
                GraphQLResponseJson => GraphQLResponseJson,
                Json => Json,
                "application/*" or "*/*" => Json,
                _ => null,
            };
            if (candidate is not null && quality > 0 &&
                (quality > bestQuality || (quality == bestQuality && candidate == GraphQLResponseJson && best != GraphQLResponseJson)))
            {
                best = candidate;
                bestQuality = quality;
            }
        }

        return best;
    }

    /// <summary>Mutation fields that work without an access token; the use case behind each demands no actor.</summary>
    internal static readonly IReadOnlySet<string> AnonymousMutations = new HashSet<string>(StringComparer.Ordinal) { "acceptInvitation" };

    private static bool IsAnonymousOperation(GraphQLOperationDefinition operation) =>
        operation.Operation == OperationType.Mutation &&
        operation.SelectionSet.Selections.All(s => s is GraphQLField f && (AnonymousMutations.Contains(f.Name.StringValue) || f.Name.StringValue == "__typename"));

    private static GraphQLOperationDefinition? SelectedOperation(GraphQLDocument document, string? name)
    {
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        return name is null
            ? operations.Count == 1 ? operations[0] : null
            : operations.FirstOrDefault(o => o.Name?.StringValue == name);
    }

    private async Task WriteProblemAsync(HttpContext http, string mediaType, RequestProblem problem)
    {
        http.Response.StatusCode = problem.Status;
        http.Response.ContentType = mediaType + "; charset=utf-8";
        await serializer.WriteAsync(http.Response.Body, new
        {
            errors = new[] { new { message = problem.Message, extensions = new { code = problem.Code } } },
        }, http.RequestAborted);
    }
}
