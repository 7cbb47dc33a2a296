using Ehr.GraphQL.Schema;
using Ehr.GraphQL.Transport;
using GraphQL;
using GraphQL.Execution;
using GraphQLParser.AST;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.GraphQL;

/// <summary>The GraphQL API: the schema (<c>Schema/</c>) and our GraphQL-over-HTTP transport (<c>Transport/</c>).</summary>
public static class GraphQLModule
{
    public static IServiceCollection AddEhrGraphQL(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(GraphQLTransportOptions.SectionName).Get<GraphQLTransportOptions>() ?? new GraphQLTransportOptions();
        services.AddOptions<GraphQLTransportOptions>().Bind(configuration.GetSection(GraphQLTransportOptions.SectionName));
        services.AddEhrGraphQLSchema(b => b
            .AddComplexityAnalyzer(o =>
            {
                o.MaxDepth = limits.MaxDepth;
                o.MaxComplexity = limits.MaxComplexity;
            }));
        services.AddSingleton<GraphQLHttpEndpoint>();
        services.AddSingleton<GraphQLWebSocketEndpoint>();
        return services;
    }

    /// <summary>The schema alone (also what the schema snapshot test prints).</summary>
    public static IServiceCollection AddEhrGraphQLSchema(this IServiceCollection services, Action<global::GraphQL.DI.IGraphQLBuilder>? configure = null)
    {
        services.AddGraphQL(b =>
        {
            b.AddSchema<EhrSchema>()
                .AddSystemTextJson()
                .AddGraphTypes(typeof(EhrSchema).Assembly)
                .AddErrorInfoProvider(new EhrErrorInfoProvider())
                // Resolvers share the request's DbContext, which allows one operation at a time.
                .AddExecutionStrategy<SerialExecutionStrategy>(OperationType.Query);
            configure?.Invoke(b);
        });
        return services;
    }

    /// <summary>
    /// GraphQL over HTTP and, on the same path, over WebSocket (graphql-transport-ws). The WebSocket middleware runs for
    /// this endpoint only, as SignalR's endpoints do.
    /// </summary>
    public static IEndpointConventionBuilder MapEhrGraphQL(this IEndpointRouteBuilder endpoints, string pattern = "/graphql")
    {
        var pipeline = endpoints.CreateApplicationBuilder().UseWebSockets();
        pipeline.Run(http => http.WebSockets.IsWebSocketRequest
                ? http.RequestServices.GetRequiredService<GraphQLWebSocketEndpoint>().HandleAsync(http)
                : http.RequestServices.GetRequiredService<GraphQLHttpEndpoint>().HandleAsync(http));
        return endpoints.Map(pattern, pipeline.Build());
    }
}
