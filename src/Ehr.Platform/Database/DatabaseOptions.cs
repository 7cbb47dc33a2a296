using Npgsql;

namespace Ehr.Platform.Database;

/// <summary>Where the database is and which roles the schemas belong to.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary>
    /// A <c>postgres://user:password@host:port/db</c> URL or an Npgsql connection string. Bound from
    /// <c>EHR_DATABASE_URL</c> when that variable is set.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>The NOLOGIN role that owns every schema; the login role is a member and sets it only to run DDL.</summary>
    public string OwnerRole { get; set; } = "ehr_owner";

    /// <summary>The schema of the job store (Hangfire's tables); the platform migration installs and upgrades it.</summary>
    public string JobsSchema { get; set; } = "hangfire";

    /// <summary>Parallel tenants during <c>migrate</c>.</summary>
    public int MigrationParallelism { get; set; } = 4;

    /// <summary>Recycle backends so per-backend catalog caches do not grow with thousands of schemas.</summary>
    public int ConnectionLifetimeSeconds { get; set; } = 600;

    public int MaxPoolSize { get; set; } = 64;

    /// <summary>
    /// Statements each backend keeps prepared (Npgsql's automatic preparation: a statement text run twice on a
    /// connection is prepared and then only bound and executed). Parsing and planning were a fifth of PostgreSQL's CPU
    /// on the workflow runtime's hot path. Safe across tenants: PostgreSQL re-plans a prepared statement when the
    /// search_path or role it was planned under changes, and Npgsql's pool reset keeps prepared statements while
    /// clearing the session's role and search_path. 0 turns it off.
    /// </summary>
    public int MaxAutoPrepare { get; set; } = 128;

    internal string BuildConnectionString()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            throw new InvalidOperationException(
                "No database configured: set EHR_DATABASE_URL (postgres://user:password@host:port/database) or Database:Url.");
        }

        var builder = Url.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
                      Url.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? FromUrl(Url)
            : new NpgsqlConnectionStringBuilder(Url);

        // Session state (ROLE, search_path) must be discarded when a connection returns to the pool.
        builder.NoResetOnClose = false;
        builder.SearchPath = null;
        builder.ConnectionLifetime = ConnectionLifetimeSeconds;
        builder.MaxPoolSize = MaxPoolSize;
        if (MaxAutoPrepare > 0 && builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
            builder.AutoPrepareMinUsages = 2;
        }
        builder.ApplicationName ??= "ehr";
        return builder.ConnectionString;
    }

    internal static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        var uri = new Uri(url);
        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
            Username = Uri.UnescapeDataString(userInfo[0]),
        };
        if (userInfo.Length > 1)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
            builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = value;
        }

        return builder;
    }
}
