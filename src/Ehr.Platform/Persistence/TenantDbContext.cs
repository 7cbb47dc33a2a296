using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Ehr.Platform.Persistence;

/// <summary>A module's entity mappings, added to the one tenant model. The model carries no schema: the connection's search_path does.</summary>
public interface ITenantModelConfiguration
{
    void Configure(ModelBuilder modelBuilder);
}

/// <summary>
/// The unit of work over one tenant's schema. Its tenant is fixed when it is created (from the scope's
/// <see cref="TenantContext"/>) and every connection it opens runs as that tenant's role, so even a hand-written
/// query cannot reach another tenant's tables.
/// </summary>
public sealed class TenantDbContext : DbContext
{
    private readonly IEnumerable<ITenantModelConfiguration> _configurations;

    public TenantDbContext(DbContextOptions<TenantDbContext> options, TenantContext tenantContext,
        IEnumerable<ITenantModelConfiguration> configurations)
        : this(options, tenantContext.Required, configurations)
    {
    }

    internal TenantDbContext(DbContextOptions<TenantDbContext> options, Tenant tenant,
        IEnumerable<ITenantModelConfiguration> configurations)
        : base(options)
    {
        Tenant = tenant;
        _configurations = configurations;
    }

    public Tenant Tenant { get; }

    private readonly List<Action> _afterCommit = [];

    /// <summary>Runs <paramref name="action"/> once the current transaction has committed (never if it rolls back).</summary>
    public void AfterCommit(Action action) => _afterCommit.Add(action);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction (or in the caller's, when one is already open) so a change, its
    /// audit entry and its events commit or vanish together.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        if (Database.CurrentTransaction is not null)
        {
            return await work(ct);
        }

        await using var tx = await Database.BeginTransactionAsync(ct);
        T result;
        try
        {
            result = await work(ct);
            await tx.CommitAsync(ct);
        }
        catch
        {
            _afterCommit.Clear();
            throw;
        }

        var actions = _afterCommit.ToArray();
        _afterCommit.Clear();
        foreach (var action in actions)
        {
            action();
        }

        return result;
    }

    /// <summary>
    /// The open transaction and its connection, for writes that must belong to the caller's change (audit entries,
    /// domain events); <paramref name="what"/> names them in the error when there is no transaction.
    /// </summary>
    internal (Npgsql.NpgsqlConnection Connection, Npgsql.NpgsqlTransaction Transaction) RequireTransaction(string what) =>
        Database.CurrentTransaction?.GetDbTransaction() is Npgsql.NpgsqlTransaction tx
            ? ((Npgsql.NpgsqlConnection)Database.GetDbConnection(), tx)
            : throw new InvalidOperationException($"{what} are written inside the change's transaction.");

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        foreach (var configuration in _configurations)
        {
            configuration.Configure(modelBuilder);
        }
    }
}
