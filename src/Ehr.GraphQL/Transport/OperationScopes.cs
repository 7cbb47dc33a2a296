namespace Ehr.GraphQL.Transport;

/// <summary>
/// Scopes for the work a long-lived connection does after its operation started (each event a subscription
/// delivers): the connection's tenant bound, and its actor bound after checking the caller's access again (account,
/// membership, roles, API client, token revocation, token expiry). When that check refuses, the connection is closed
/// (4403) and <see cref="ConnectionClosingException"/> is thrown.
/// </summary>
public interface IOperationScopes
{
    Task<IOperationScope> OpenAsync(CancellationToken ct);
}

/// <summary>A scope opened by <see cref="IOperationScopes"/>; disposing it records its permission denials in the audit log.</summary>
public interface IOperationScope : IAsyncDisposable
{
    IServiceProvider Services { get; }
}

/// <summary>The connection is closing (the caller's access ended): stop quietly, nothing more can be sent.</summary>
public sealed class ConnectionClosingException(string reason) : Exception(reason);
