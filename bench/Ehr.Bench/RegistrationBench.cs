using Bogus;
using Ehr.Clinical.Patients;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Ehr.Bench;

/// <summary>
/// Registering patients over HTTP (validation, MRN, insert and a hash-chained audit entry in one transaction) at 32
/// concurrent clients, against a bare INSERT of the same row on 32 connections.
/// </summary>
internal static class RegistrationBench
{
    private const int Concurrency = 32;
    private const string Mutation = "mutation($input: PatientInput!) { registerPatient(input: $input) { id mrn } }";

    public static async Task<IReadOnlyList<Metric>> RunAsync(string databaseUrl, string packs, TimeSpan duration)
    {
        await using var host = await BenchHost.StartAsync(databaseUrl, packs);
        var tenant = await host.Services.GetRequiredService<TenantProvisioner>()
            .CreateAsync(new CreateTenant("register-" + Guid.NewGuid().ToString("N")[..6], "Register bench", BenchPack.Name), PlatformAdministration.Operator("bench"));
        using var client = host.Client(tenant.Slug, Concurrency);
        var fakers = Enumerable.Range(0, Concurrency).Select(i => new Faker("en") { Random = new Randomizer(i) }).ToArray();

        System.Console.Error.WriteLine("  registration over HTTP");
        var http = await Load.RunAsync(Concurrency, duration, (worker, _) =>
        {
            var f = fakers[worker];
            return client.PostAsync(Mutation, new
            {
                input = new
                {
                    name = new { given = f.Name.FirstName(), family = f.Name.LastName() },
                    birthDate = f.Date.Past(80, DateTime.UtcNow.AddYears(-1)).ToString("yyyy-MM-dd"),
                    administrativeSex = f.PickRandom("male", "female", "other", "unknown"),
                    telecom = new[] { new { system = "phone", value = $"+1312{f.Random.Int(200, 999)}{f.Random.Int(0, 9999):D4}" } },
                },
            });
        });

        System.Console.Error.WriteLine("  bare INSERT baseline");
        var dataSource = host.Services.GetRequiredService<NpgsqlDataSource>();
        var connections = new NpgsqlConnection[Concurrency];
        for (var i = 0; i < Concurrency; i++)
        {
            connections[i] = await dataSource.OpenConnectionAsync();
            await Ehr.Platform.Persistence.TenantSession.EnterAsync(connections[i], tenant, null, default);
        }

        var bare = await Load.RunAsync(Concurrency, duration, async (worker, _) =>
        {
            var f = fakers[worker];
            var given = f.Name.FirstName();
            var family = f.Name.LastName();
            var phone = $"+1312{f.Random.Int(200, 999)}{f.Random.Int(0, 9999):D4}";
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO patients (id, mrn, given_names, family_name, birth_date, administrative_sex, telecom, identifiers, active, version, " +
                "created_at, updated_at, search_name, sort_key, phone_numbers) VALUES ($1, $2, $3, $4, $5, $6, $7, '[]', true, 1, now(), now(), $8, $9, $10)",
                connections[worker]);
            cmd.Parameters.AddWithValue(Guid.CreateVersion7());
            cmd.Parameters.AddWithValue("b" + Guid.NewGuid().ToString("N"));
            cmd.Parameters.AddWithValue(given);
            cmd.Parameters.AddWithValue(family);
            cmd.Parameters.AddWithValue(DateOnly.FromDateTime(f.Date.Past(80, DateTime.UtcNow.AddYears(-1))));
            cmd.Parameters.AddWithValue("unknown");
            cmd.Parameters.Add(new NpgsqlParameter { Value = $"[{{\"system\":\"phone\",\"value\":\"{phone}\"}}]", NpgsqlDbType = NpgsqlDbType.Jsonb });
            cmd.Parameters.AddWithValue(PatientNames.SearchText(family, given, null));
            cmd.Parameters.AddWithValue(PatientNames.Normalize(family + " " + given));
            cmd.Parameters.AddWithValue(new[] { phone });
            await cmd.ExecuteNonQueryAsync();
        });
        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }

        var perSecond = http.Latencies.Count / http.Elapsed.TotalSeconds;
        var barePerSecond = bare.Latencies.Count / bare.Elapsed.TotalSeconds;
        var metrics = new List<Metric>
        {
            new("registration", "registrations per second over HTTP (with audit)", perSecond, "1/s", ">= 500", perSecond >= 500),
            new("registration", "p95 over HTTP", http.Latencies.Percentile(95), "ms", "", null),
            new("registration", "bare INSERTs per second", barePerSecond, "1/s", "", null),
            new("registration", "bare INSERT / registration throughput", barePerSecond / perSecond, "x", "", null),
        };
        if (http.Failures > 0)
        {
            metrics.Add(new("registration", "failed registrations", http.Failures, "", "0", false));
        }

        return metrics;
    }
}
