using System.Diagnostics;
using System.Net.Http.Headers;
using Ehr.Platform.Identity;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Ehr.Bench;

/// <summary>
/// Completed PHQ-9 responses per second through GraphQL at 16 concurrent clients: each iteration starts a response
/// (pinned, prefilled, audited) and completes it (strict check, scores recomputed, the total and the item-9 flag
/// extracted into the chart as an observation, <c>form.submitted</c>, audit), two HTTP requests, each its own
/// transaction, as a clinic's tablets would. The host, the database and the clients share the machine.
/// </summary>
internal static class FormResponsesBench
{
    private const int Concurrency = 16;
    private const int Patients = 64;

    private const string Start = "mutation($input: StartFormResponseInput!) { startFormResponse(input: $input) { id version } }";
    private const string Complete = "mutation($id: ID!, $v: Int!, $content: String!) { completeFormResponse(id: $id, expectedVersion: $v, content: $content) { status observationIds } }";

    // Answers worth 0-3 each (LA6568-5 ... LA6571-9): the clients vary them so the scores and flags vary too.
    private static readonly string[] Answers = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"];

    public static async Task<IReadOnlyList<Metric>> RunAsync(string databaseUrl, string packs, TimeSpan duration)
    {
        await using var host = await BenchHost.StartAsync(databaseUrl, packs);
        var tenant = await host.Services.GetRequiredService<TenantProvisioner>()
            .CreateAsync(new CreateTenant("responses-" + Guid.NewGuid().ToString("N")[..6], "Responses bench", BenchPack.Name), PlatformAdministration.Operator("bench"));
        var issuer = host.Services.GetRequiredService<DevTokenIssuer>();
        using (var admin = Client(host, issuer.Issue(tenant.Slug, "bench-admin", ["tenant-admin"], 60)))
        {
            await admin.PostAsync("mutation { importLibraryForm(file: \"phq-9.json\", publish: true) { definition { id } } }");
        }

        using var client = host.Client(tenant.Slug, Concurrency);
        var patients = new List<string>();
        for (var i = 0; i < Patients; i++)
        {
            var registered = await client.PostAsync("mutation($input: PatientInput!) { registerPatient(input: $input) { id } }", new
            {
                input = new { name = new { given = "Bench", family = $"Responder{i:D3}" }, birthDate = "1970-01-01", administrativeSex = "unknown" },
            });
            patients.Add(registered["registerPatient"]!["id"]!.GetValue<string>());
        }

        var contents = Enumerable.Range(0, 32).Select(Phq9).ToArray();
        var completeLatencies = new Latencies();
        async Task OneAsync(int worker, Random random)
        {
            var started = (await client.PostAsync(Start, new { input = new { patientId = patients[random.Next(Patients)], formKey = "phq-9" } }))["startFormResponse"]!;
            var at = Stopwatch.GetTimestamp();
            var completed = (await client.PostAsync(Complete, new
            {
                id = started["id"]!.GetValue<string>(), v = started["version"]!.GetValue<int>(), content = contents[random.Next(contents.Length)],
            }))["completeFormResponse"]!;
            completeLatencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            if (completed["status"]!.GetValue<string>() != "completed" || completed["observationIds"]!.AsArray().Count == 0)
            {
                throw new InvalidOperationException("a response did not complete with its extraction: " + completed.ToJsonString());
            }
        }

        // Alone first: JIT, caches and the pool warm up, and the per-request cost shows without contention.
        System.Console.Error.WriteLine("  one client alone");
        var alone = new Latencies();
        for (var i = 0; i < 40; i++)
        {
            var at = Stopwatch.GetTimestamp();
            await OneAsync(0, new Random(i));
            if (i >= 10)
            {
                alone.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
            }
        }

        var warmedUp = completeLatencies.Count;
        System.Console.Error.WriteLine($"  start + complete, {Concurrency} clients");
        var run = await Load.RunAsync(Concurrency, duration, OneAsync);
        var perSecond = run.Latencies.Count / run.Elapsed.TotalSeconds;

        // Every completed response put its total in the chart: count what the database holds, not what the clients saw.
        await using var connection = await host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await Ehr.Platform.Persistence.TenantSession.EnterAsync(connection, tenant, null, default);
        await using var count = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM form_responses WHERE status = 'completed'), (SELECT count(DISTINCT derived_from) FROM observations)", connection);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        var (stored, extracted) = (reader.GetInt64(0), reader.GetInt64(1));

        var metrics = new List<Metric>
        {
            new("responses", $"PHQ-9 completed per second over GraphQL ({Concurrency} clients)", perSecond, "1/s", "", null),
            new("responses", "start + complete, one client alone, p50", alone.Percentile(50), "ms", "", null),
            new("responses", "start + complete, p50", run.Latencies.Percentile(50), "ms", "", null),
            new("responses", "start + complete, p95", run.Latencies.Percentile(95), "ms", "", null),
            new("responses", "complete alone (check, score, extract), p95", Tail(completeLatencies, warmedUp).Percentile(95), "ms", "", null),
            new("responses", "completed responses with their extraction stored", extracted == stored ? 1 : 0, "", "1", extracted == stored),
        };
        if (run.Failures > 0)
        {
            metrics.Add(new("responses", "failed start + complete", run.Failures, "", "0", false));
        }

        return metrics;
    }

    private static Latencies Tail(Latencies all, int skip)
    {
        // The warm-up's completions are not part of the measured run.
        var tail = new Latencies();
        tail.AddRange(all, skip);
        return tail;
    }

    private static string Phq9(int seed)
    {
        var random = new Random(seed);
        // Item 1 is never "not at all": the difficulty question is asked only when the total is above 0.
        var items = string.Join(",", Enumerable.Range(1, 9).Select(i =>
            $$$"""{"linkId":"phq9-item{{{i}}}","answer":[{"valueCoding":{"system":"http://loinc.org","code":"{{{Answers[random.Next(i == 1 ? 1 : 0, Answers.Length)]}}}"}}]}"""));
        return $$$"""{"resourceType":"QuestionnaireResponse","status":"in-progress","item":[{"linkId":"phq9","item":[{{{items}}}]},{"linkId":"phq9-difficulty","answer":[{"valueCoding":{"system":"http://loinc.org","code":"LA6572-7"}}]}]}""";
    }

    private static HttpClient Client(BenchHost host, string token)
    {
        var client = new HttpClient { BaseAddress = host.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
