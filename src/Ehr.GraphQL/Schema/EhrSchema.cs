using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.GraphQL.Schema;

/// <summary>
/// The one GraphQL schema for every tenant. Resolvers only translate: each calls a module use case, which checks the
/// permission, validates, audits and raises errors with stable codes. Checked in as <c>schema.graphql</c>.
/// </summary>
public sealed class EhrSchema : global::GraphQL.Types.Schema
{
    public EhrSchema(IServiceProvider services) : base(services)
    {
        Query = services.GetRequiredService<QueryType>();
        Mutation = services.GetRequiredService<MutationType>();
        Subscription = services.GetRequiredService<SubscriptionType>();
        Description = "Ehr.Saas: a multi-tenant electronic health record.";
    }
}
