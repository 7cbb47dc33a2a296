using System.Diagnostics;
using System.Text.Json;
using Ehr.Platform.Audit;
using Ehr.Platform.Database;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Ehr.Platform.Schema;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Ehr.Platform.Provisioning;

public sealed record CreateTenant(string Slug, string DisplayName, string Pack);

/// <summary>
/// Creates a tenant all or nothing, in one transaction: catalog row, role, schema, schema script and starter pack.
/// PostgreSQL DDL is transactional, so a failure at any step leaves no role, no schema and no catalog row behind.
/// </summary>
public sealed class TenantProvisioner(
    NpgsqlDataSource dataSource,
    SchemaMigrator migrator,
    TenantCatalog catalog,
    StarterPacks packs,
    IEnumerable<IStarterPackSection> sections,
    IServiceScopeFactory scopes,
    AuditSealer sealer,
    IOptions<DatabaseOptions> options,
    TimeProvider clock,
    ILogger<TenantProvisioner> log)
{
    /// <summary>
    /// Provisions a tenant on behalf of <paramref name="actors"/>: a platform admin, or the operator
    /// (<see cref="PlatformAdministration.Operator"/>); anyone else is refused before anything is read or written.
    /// </summary>
    public async Task<Tenant> CreateAsync(CreateTenant command, ActorContext actors, CancellationToken ct = default)
    {
        PlatformAdministration.Demand(actors);
        var pack = Validate(command);
        var started = Stopwatch.GetTimestamp();
        var now = clock.GetUtcNow();
        var tenant = new Tenant(Guid.CreateVersion7(), command.Slug, command.DisplayName.Trim(), TenantStatus.Active,
            pack.Name, 0, now, now);
        var role = SqlIdentifier.Quote(tenant.SchemaName);
        var owner = SqlIdentifier.Quote(options.Value.OwnerRole);

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO platform.tenants (id, slug, display_name, status, starter_pack, schema_version, created_at, updated_at) " +
                "VALUES ($1, $2, $3, 'active', $4, 0, $5, $5)", conn, tx))
            {
                insert.Parameters.AddWithValue(tenant.Id);
                insert.Parameters.AddWithValue(tenant.Slug);
                insert.Parameters.AddWithValue(tenant.DisplayName);
                insert.Parameters.AddWithValue(tenant.StarterPack);
                insert.Parameters.AddWithValue(now);
                await insert.ExecuteNonQueryAsync(ct);
            }

            var appRole = SqlIdentifier.Quote((string)(await new NpgsqlCommand("SELECT session_user", conn, tx).ExecuteScalarAsync(ct))!);
            // The tenant role logs in never; the app's login role (NOINHERIT) may only SET ROLE to it. The schema
            // belongs to the owner role, so the tenant role cannot alter its tables or the audit grants.
            await SchemaMigrator.ExecAsync(conn,
                $"CREATE ROLE {role} NOLOGIN NOINHERIT; GRANT {role} TO {appRole}; " +
                $"SET LOCAL ROLE {owner}; CREATE SCHEMA {role}; GRANT USAGE ON SCHEMA {role} TO {role}; " +
                $"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {role} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}; " +
                $"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {role} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}; " +
                "RESET ROLE;", ct);
            await migrator.ApplyTenantAsync(conn, tenant, ct);
            tenant = tenant with { SchemaVersion = migrator.LatestTenantVersion };

            await SchemaMigrator.ExecAsync(conn, $"SET LOCAL ROLE {role}; SET LOCAL search_path = {role}, ext;", ct);
            await LoadPackAsync(conn, tx, tenant, pack, ct);
            await SchemaMigrator.ExecAsync(conn, "RESET ROLE; SET LOCAL search_path TO DEFAULT;", ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation || e.SqlState == PostgresErrorCodes.DuplicateObject || e.SqlState == PostgresErrorCodes.DuplicateSchema)
        {
            throw EhrException.Validation([new FieldError("slug", ErrorCodes.Duplicate, $"A tenant '{command.Slug}' already exists.")]);
        }

        catalog.Forget(tenant.Slug);
        await sealer.SealAsync(tenant, ct);
        log.LogInformation("Tenant {Tenant} created from pack {Pack} by {Actor} in {Ms:F0} ms", tenant.Slug, pack.Name,
            actors.Current.Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return tenant;
    }

    private StarterPack Validate(CreateTenant command)
    {
        var errors = new List<FieldError>(TenantSlug.Validate(command.Slug));
        if (string.IsNullOrWhiteSpace(command.DisplayName))
        {
            errors.Add(new FieldError("name", ErrorCodes.Required, "A display name is required."));
        }
        else if (command.DisplayName.Trim().Length > 200)
        {
            errors.Add(new FieldError("name", ErrorCodes.TooLong, "A display name has at most 200 characters."));
        }

        var pack = string.IsNullOrWhiteSpace(command.Pack) ? null : packs.Find(command.Pack);
        if (pack is null)
        {
            errors.AddRange(StarterPacks.Unknown(command.Pack ?? "", packs.List()).FieldErrors);
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return pack!;
    }

    private async Task LoadPackAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Tenant tenant, StarterPack pack,
        CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(Actor.System("provisioning", tenant.Slug));
        var db = scope.ServiceProvider.GetRequiredService<TenantDbContext>();
        db.Database.SetDbConnection(conn, contextOwnsConnection: false);
        await db.Database.UseTransactionAsync(tx, ct);

        var known = sections.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var files = Directory.EnumerateFiles(pack.Directory, "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => n != "pack")
            .ToList();
        var unsupported = files.Where(f => !known.ContainsKey(f)).ToList();
        if (unsupported.Count > 0)
        {
            throw new InvalidOperationException(
                $"Starter pack '{pack.Name}' has sections no module loads: {string.Join(", ", unsupported)}.");
        }

        foreach (var section in known.Values.Where(s => files.Contains(s.Name)).OrderBy(s => s.Order))
        {
            using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(pack.Directory, section.Name + ".json"), ct));
            await section.LoadAsync(new StarterPackScope(db, scope.ServiceProvider, pack.Name), doc.RootElement, ct);
        }

        await scope.ServiceProvider.GetRequiredService<AuditTrail>().RecordAsync(
            new AuditEvent("tenant.provision", "Tenant", tenant.Id.ToString(), new { pack = pack.Name, sections = files }), ct);
    }
}
