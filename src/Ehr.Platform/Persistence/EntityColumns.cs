using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Ehr.Platform.Persistence;

/// <summary>
/// The columns an entity is mapped to, spelled out for raw SQL that EF materialises (<c>FromSql</c>). Raw SQL must not
/// say <c>SELECT *</c> on a tenant table: the same text is automatically prepared once per backend and reused for
/// every tenant, and while a rolling migration has given one tenant's table a column another's lacks, PostgreSQL
/// refuses the reused statement ("cached plan must not change result type") each time the backend moves between
/// them. Read from the model, so a column added to the entity is read without touching the SQL.
/// </summary>
public static class EntityColumns
{
    private static readonly ConcurrentDictionary<(Type Context, Type Entity, string Alias), string> Lists = new();

    /// <summary>
    /// The entity's columns, comma separated, each qualified by <paramref name="alias"/> when given (for a join), in
    /// the order of the model's properties.
    /// </summary>
    public static string Of<TEntity>(DbContext db, string? alias = null) where TEntity : class =>
        Lists.GetOrAdd((db.GetType(), typeof(TEntity), alias ?? ""), key =>
        {
            var entity = db.Model.FindEntityType(key.Entity)
                ?? throw new InvalidOperationException($"{key.Entity.Name} is not mapped by {key.Context.Name}.");
            var prefix = key.Alias.Length == 0 ? "" : key.Alias + ".";
            return string.Join(", ", entity.GetProperties().Select(p => prefix + "\"" + p.GetColumnName() + "\""));
        });

    /// <summary>
    /// <c>FromSql</c> with the entity's columns named: <paramref name="fromOn"/> is the statement after its select list
    /// (<c>$"FROM platform.users WHERE id = {id} FOR UPDATE"</c>), its values parameters as with <c>FromSql</c>.
    /// </summary>
    public static IQueryable<TEntity> SelectFrom<TEntity>(this DbSet<TEntity> set, FormattableString fromOn) where TEntity : class
    {
        var db = set.GetService<ICurrentDbContext>().Context;
        return set.FromSql(FormattableStringFactory.Create("SELECT " + Of<TEntity>(db) + " " + fromOn.Format, fromOn.GetArguments()));
    }
}
