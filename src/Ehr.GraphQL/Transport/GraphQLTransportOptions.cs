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
}
