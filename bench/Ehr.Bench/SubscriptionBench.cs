using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ehr.Platform.Identity;
using Ehr.Platform.Provisioning;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Bench;

/// <summary>
/// Subscriptions across hosts: N auditors subscribed to notificationAdded over WebSocket on one host, M break-the-glass
/// alerts committed through another host sharing the database, one after another. Reported: how many deliveries
/// arrived, and the time from sending the mutation to each subscriber receiving the alert (p50, p95): NOTIFY at
/// commit, the listener, the access re-check and the audited re-read per delivery, the socket.
/// </summary>
internal static class SubscriptionBench
{
    public static async Task<IReadOnlyList<Metric>> RunAsync(string databaseUrl, string packs, int connections, int events)
    {
        await using var publisher = await BenchHost.StartAsync(databaseUrl, packs);
        await using var subscriberHost = await BenchHost.StartAsync(databaseUrl, packs);
        var tenant = await publisher.Services.GetRequiredService<TenantProvisioner>()
            .CreateAsync(new CreateTenant("subs-" + Guid.NewGuid().ToString("N")[..6], "Subscription bench", BenchPack.Name), PlatformAdministration.Operator("bench"));
        using var physician = publisher.Client(tenant.Slug, 4);
        var patient = (await PostAsync(physician, """
            mutation { registerPatient(input: { name: { given: "Bench", family: "Alert" }, birthDate: "1970-01-01", administrativeSex: "female" }) { id } }
            """))["registerPatient"]!["id"]!.GetValue<string>();

        var issuer = subscriberHost.Services.GetRequiredService<DevTokenIssuer>();
        var url = new UriBuilder(subscriberHost.Address) { Scheme = "ws", Path = "/graphql" }.Uri;
        var sent = new ConcurrentDictionary<string, long>();
        var latencies = new Latencies();
        var delivered = 0;
        using var stop = new CancellationTokenSource();
        System.Console.Error.WriteLine($"  {connections} subscribers, {events} alerts");
        var sockets = new List<ClientWebSocket>();
        var readers = new List<Task>();
        for (var i = 0; i < connections; i++)
        {
            var socket = new ClientWebSocket();
            socket.Options.AddSubProtocol("graphql-transport-ws");
            await socket.ConnectAsync(url, CancellationToken.None);
            await SendAsync(socket, new { type = "connection_init", payload = new { authorization = "Bearer " + issuer.Issue(tenant.Slug, $"auditor-{i}", ["auditor"], 60) } });
            await ReceiveAsync(socket, CancellationToken.None);
            await SendAsync(socket, new { id = "alerts", type = "subscribe", payload = new { query = "subscription { notificationAdded { payload } }" } });
            await SendAsync(socket, new { type = "ping" });
            await ReceiveAsync(socket, CancellationToken.None);
            sockets.Add(socket);
            readers.Add(Task.Run(async () =>
            {
                while (await ReceiveAsync(socket, stop.Token) is { } message)
                {
                    var reason = JsonNode.Parse(message["payload"]!["data"]!["notificationAdded"]!["payload"]!.GetValue<string>())!["reason"]!.GetValue<string>();
                    if (sent.TryGetValue(reason, out var at))
                    {
                        lock (latencies)
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(at).TotalMilliseconds);
                        }

                        Interlocked.Increment(ref delivered);
                    }
                }
            }));
        }

        for (var e = 0; e < events; e++)
        {
            var reason = $"Bench alert number {e:D4} for latency";
            sent[reason] = Stopwatch.GetTimestamp();
            await PostAsync(physician, $$"""mutation { breakGlass(patientId: "{{patient}}", reason: "{{reason}}") { id } }""");
        }

        var deadline = Stopwatch.StartNew();
        while (Volatile.Read(ref delivered) < connections * events && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        foreach (var socket in sockets)
        {
            socket.Abort();
            socket.Dispose();
        }

        await Task.WhenAll(readers.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        return
        [
            new("subscriptions", $"alerts delivered ({connections} subscribers x {events})", delivered, "", $"{connections * events}", delivered == connections * events),
            new("subscriptions", "delivery latency (mutation sent -> next), p50", latencies.Percentile(50), "ms", "", null),
            new("subscriptions", "delivery latency (mutation sent -> next), p95", latencies.Percentile(95), "ms", "", null),
        ];
    }

    private static async Task<JsonNode> PostAsync(HttpClient client, string query)
    {
        using var response = await client.PostAsJsonAsync("/graphql", new { query });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return body["errors"] is { } errors ? throw new InvalidOperationException(errors.ToJsonString()) : body["data"]!;
    }

    private static Task SendAsync(ClientWebSocket socket, object message) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonNode?> ReceiveAsync(ClientWebSocket socket, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, ct);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                message.Write(buffer, 0, received.Count);
                if (received.EndOfMessage)
                {
                    return JsonNode.Parse(message.ToArray());
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            return null;
        }
    }
}
