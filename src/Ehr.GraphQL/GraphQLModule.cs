using Ehr.GraphQL.Schema;
using GraphQL;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.GraphQL;

/// <summary>The GraphQL API: the schema (here) and its HTTP transport (<c>Transport/</c>).</summary>
public static class GraphQLModule
{
    public static IServiceCollection AddEhrGraphQLSchema(this IServiceCollection services)
    {
        services.AddGraphQL(b => b
            .AddSchema<EhrSchema>()
            .AddSystemTextJson()
            .AddGraphTypes(typeof(EhrSchema).Assembly));
        return services;
    }
}
