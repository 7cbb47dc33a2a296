using System.Text.Json;
using System.Text.RegularExpressions;
using Bogus;
using Ehr.Clinical.Patients;
using Ehr.Platform.Database;
using Ehr.Platform.Identity;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Ehr.Bench;

/// <summary>
/// Patient search over HTTP (GraphQL, with its audit entry) at 16 concurrent clients against one tenant of many
/// synthetic patients, and the same SQL statement run directly through Npgsql on 16 connections, in the same run.
/// </summary>
internal static partial class SearchBench
{
    private const int Concurrency = 16;
    private const string Query = "query($name: String, $mrn: String) { patients(name: $name, mrn: $mrn, first: 20) { nodes { id mrn name { given family } } } }";

    public static async Task<IReadOnlyList<Metric>> RunAsync(string databaseUrl, string packs, int patients, TimeSpan duration)
    {
        await using var host = await BenchHost.StartAsync(databaseUrl, packs);
        var tenant = await host.Services.GetRequiredService<TenantProvisioner>()
            .CreateAsync(new CreateTenant("search-" + Guid.NewGuid().ToString("N")[..6], "Search bench", BenchPack.Name), PlatformAdministration.Operator("bench"));
        System.Console.Error.WriteLine($"  seeding {patients} patients");
        var families = await SeedAsync(host, tenant, patients);

        var kinds = new (string Kind, Func<Random, PatientSearch> Make)[]
        {
            ("name prefix", r => new PatientSearch(Name: families[r.Next(families.Count)][..3], First: 20)),
            ("fuzzy name", r => new PatientSearch(Name: Typo(families[r.Next(families.Count)]), First: 20)),
            ("MRN", r => new PatientSearch(Mrn: MedicalRecordNumber.FromSequence(1_000_000 + r.Next(patients)), First: 20)),
        };

        var metrics = new List<Metric>();
        using var client = host.Client(tenant.Slug, Concurrency);
        foreach (var (kind, make) in kinds)
        {
            System.Console.Error.WriteLine($"  search: {kind}");
            var http = await Load.RunAsync(Concurrency, duration, (_, r) =>
            {
                var s = make(r);
                return client.PostAsync(Query, new { name = s.Name, mrn = s.Mrn });
            });
            var sql = await DirectAsync(host, tenant, make, duration);
            var p95 = http.Latencies.Percentile(95);
            var ratio = p95 / sql.Latencies.Percentile(95);
            metrics.Add(new("search", $"{kind}: p50 over HTTP", http.Latencies.Percentile(50), "ms", "", null));
            metrics.Add(new("search", $"{kind}: p95 over HTTP", p95, "ms", "<= 15", p95 <= 15));
            metrics.Add(new("search", $"{kind}: requests per second", http.Latencies.Count / http.Elapsed.TotalSeconds, "1/s", "", null));
            metrics.Add(new("search", $"{kind}: p95 direct SQL", sql.Latencies.Percentile(95), "ms", "", null));
            metrics.Add(new("search", $"{kind}: HTTP p95 / SQL p95", ratio, "x", "<= 2.0", ratio <= 2.0));
            if (http.Failures + sql.Failures > 0)
            {
                metrics.Add(new("search", $"{kind}: failed requests", http.Failures + sql.Failures, "", "0", false));
            }
        }

        return metrics;
    }

    /// <summary>Exactly the statement the use case runs (from <c>SearchPatients.Describe</c>), without the rest of the request.</summary>
    private static async Task<(Latencies Latencies, TimeSpan Elapsed, int Failures)> DirectAsync(BenchHost host, Tenant tenant,
        Func<Random, PatientSearch> make, TimeSpan duration)
    {
        await using var scope = host.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Bind(tenant);
        scope.ServiceProvider.GetRequiredService<ActorContext>().Bind(Actor.System("bench", tenant.Slug));
        var search = scope.ServiceProvider.GetRequiredService<SearchPatients>();
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        var connections = new NpgsqlConnection[Concurrency];
        for (var i = 0; i < Concurrency; i++)
        {
            connections[i] = await dataSource.OpenConnectionAsync();
            await Ehr.Platform.Persistence.TenantSession.EnterAsync(connections[i], tenant, null, default);
        }

        try
        {
            return await Load.RunAsync(Concurrency, duration, async (worker, r) =>
            {
                var (sql, parameters, threshold) = search.Describe(make(r));
                // The threshold and the statement travel together in one round trip, as in the use case's transaction.
                await using var cmd = new NpgsqlBatch(connections[worker])
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand("SET pg_trgm.word_similarity_threshold = " + threshold.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)),
                        new NpgsqlBatchCommand(Placeholder().Replace(sql, m => "$" + (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1))),
                    },
                };
                foreach (var p in parameters)
                {
                    cmd.BatchCommands[1].Parameters.Add(new NpgsqlParameter { Value = p });
                }

                await using var reader = await cmd.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    for (var c = 0; c < reader.FieldCount; c++)
                    {
                        _ = reader.GetValue(c);
                    }
                }
            });
        }
        finally
        {
            foreach (var c in connections)
            {
                await c.DisposeAsync();
            }
        }
    }

    /// <summary>Bulk-loads synthetic patients with binary COPY, computing the same derived columns as the entity.</summary>
    private static async Task<List<string>> SeedAsync(BenchHost host, Tenant tenant, int count)
    {
        var faker = new Faker("en") { Random = new Randomizer(20261124) };
        var families = new HashSet<string>();
        var now = DateTimeOffset.UtcNow;
        await using var conn = await host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await Ehr.Platform.Persistence.TenantSession.EnterAsync(conn, tenant, null, default);

        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY patients (id, mrn, given_names, family_name, birth_date, administrative_sex, telecom, identifiers, active, version, " +
            "created_at, updated_at, search_name, sort_key, phone_numbers) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < count; i++)
            {
                var given = faker.Name.FirstName();
                var family = faker.Name.LastName();
                families.Add(family);
                var phone = $"+1312{faker.Random.Int(200, 999)}{faker.Random.Int(0, 9999):D4}";
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(MedicalRecordNumber.FromSequence(1_000_000 + i), NpgsqlDbType.Text);
                await copy.WriteAsync(given, NpgsqlDbType.Text);
                await copy.WriteAsync(family, NpgsqlDbType.Text);
                await copy.WriteAsync(DateOnly.FromDateTime(faker.Date.Past(90, DateTime.UtcNow.AddYears(-1))), NpgsqlDbType.Date);
                await copy.WriteAsync(faker.PickRandom("male", "female", "other", "unknown"), NpgsqlDbType.Text);
                await copy.WriteAsync(JsonSerializer.Serialize(new[] { new { system = "phone", value = phone, use = "mobile" } }), NpgsqlDbType.Jsonb);
                await copy.WriteAsync("[]", NpgsqlDbType.Jsonb);
                await copy.WriteAsync(true, NpgsqlDbType.Boolean);
                await copy.WriteAsync(1, NpgsqlDbType.Integer);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(PatientNames.SearchText(family, given, null), NpgsqlDbType.Text);
                await copy.WriteAsync(PatientNames.Normalize(family + " " + given), NpgsqlDbType.Text);
                await copy.WriteAsync(new[] { phone }, NpgsqlDbType.Array | NpgsqlDbType.Text);
            }

            await copy.CompleteAsync();
        }

        await using (var sequence = new NpgsqlCommand($"SELECT setval('mrn_seq', {1_000_000 + count})", conn))
        {
            await sequence.ExecuteNonQueryAsync();
        }

        // What autovacuum does for a table that grew over time, done now: statistics for the planner, the trigram
        // index's pending list merged, the visibility map set. Only the table's owner may (the tenant role's ANALYZE
        // is skipped with a warning, which left the planner guessing); VACUUM runs outside a transaction, alone.
        var owner = SqlIdentifier.Quote(host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.OwnerRole);
        foreach (var statement in new[] { $"SET ROLE {owner}", "VACUUM (ANALYZE) patients", "VACUUM (ANALYZE) patient_name_words" })
        {
            await using var maintenance = new NpgsqlCommand(statement, conn);
            await maintenance.ExecuteNonQueryAsync();
        }

        return families.Where(f => f.Length >= 5).ToList();
    }

    /// <summary>Swaps two letters in the middle: the kind of slip typo tolerance is for.</summary>
    private static string Typo(string family)
    {
        var chars = family.ToCharArray();
        var i = chars.Length / 2;
        (chars[i], chars[i - 1]) = (chars[i - 1], chars[i]);
        return new string(chars);
    }

    [GeneratedRegex(@"\{(\d+)\}")]
    private static partial Regex Placeholder();
}
