using System.Security.Cryptography;
using System.Text;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Ehr.Workflow.Store;

/// <summary>
/// The runtime's SQL goes straight through Npgsql on the scope's <see cref="TenantDbContext"/> connection and
/// transaction (acting as the tenant's role), so a step's rows, the module changes of an action and the audit entry
/// share one transaction. Batches keep a step to a few round trips.
/// </summary>
internal static class WorkflowSql
{
    public static (NpgsqlConnection Connection, NpgsqlTransaction Transaction) Current(this TenantDbContext db) =>
        db.Database.CurrentTransaction?.GetDbTransaction() is NpgsqlTransaction tx
            ? ((NpgsqlConnection)db.Database.GetDbConnection(), tx)
            : throw new InvalidOperationException("Workflow rows are written inside the step's transaction.");

    public static NpgsqlCommand Command(this TenantDbContext db, string sql, params object?[] values)
    {
        var (conn, tx) = db.Current();
        var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (var value in values)
        {
            cmd.Parameters.Add(Parameter(value));
        }

        return cmd;
    }

    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] values)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            cmd.Parameters.Add(Parameter(value));
        }

        return cmd;
    }

    /// <summary>A positional parameter; nulls are typed by the wrappers below, since PostgreSQL cannot infer them everywhere.</summary>
    public static NpgsqlParameter Parameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value },
        Jsonb j => new NpgsqlParameter { Value = j.Json, NpgsqlDbType = NpgsqlDbType.Jsonb },
        JsonText j => new NpgsqlParameter { Value = j.Text, NpgsqlDbType = NpgsqlDbType.Json },
        JsonTexts j => new NpgsqlParameter { Value = j.Texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Json },
        NullOf n => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = n.Type },
        _ => new NpgsqlParameter { Value = value },
    };

    /// <summary>A jsonb parameter.</summary>
    public sealed record Jsonb(string Json);

    /// <summary>A json parameter (kept as written).</summary>
    public sealed record JsonText(string Text);

    /// <summary>A json[] parameter (each kept as written).</summary>
    public sealed record JsonTexts(string[] Texts);

    /// <summary>A typed null.</summary>
    public sealed record NullOf(NpgsqlDbType Type);

    public static object Uuid(Guid? value) => value is { } v ? v : new NullOf(NpgsqlDbType.Uuid);

    public static object Text(string? value) => value is { } v ? v : new NullOf(NpgsqlDbType.Text);

    public static object Time(DateTimeOffset? value) => value is { } v ? v : new NullOf(NpgsqlDbType.TimestampTz);

    public static string? TextOrNull(this NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    public static Guid? UuidOrNull(this NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetGuid(i);

    public static DateTimeOffset? TimeOrNull(this NpgsqlDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);

    /// <summary>
    /// A UUID derived from a name (SHA-256, version 8 bits set): the same name gives the same id, so a start that is
    /// retried, or an event delivered twice, names the same instance.
    /// </summary>
    public static Guid NameBased(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
