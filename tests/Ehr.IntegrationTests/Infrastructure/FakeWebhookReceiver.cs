using System.Collections.Concurrent;
using System.Text;
using Ehr.Workflow.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>One delivery as the receiver saw it, with whether its signature checked out against the shared secret.</summary>
public sealed record ReceivedDelivery(string DeliveryId, string Event, int Attempt, string Body, bool SignatureValid, DateTimeOffset At);

/// <summary>
/// A web hook receiver on 127.0.0.1, written as a tenant would write one from our documentation: it verifies
/// <c>X-Ehr-Signature</c> (HMAC-SHA256 over "t.body" with the shared secret, at most five minutes old), answers 401 to
/// a bad signature, and keeps every delivery. Statuses to answer can be queued (503, 500 ...); otherwise 200 with a
/// small JSON body.
/// </summary>
public sealed class FakeWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[] _secret;

    private FakeWebhookReceiver(WebApplication app, string secret)
    {
        _app = app;
        _secret = Encoding.UTF8.GetBytes(secret);
    }

    public ConcurrentQueue<ReceivedDelivery> Received { get; } = new();

    /// <summary>Statuses to answer next, in order, before going back to 200.</summary>
    public ConcurrentQueue<int> Answers { get; } = new();

    public Uri Url { get; private set; } = null!;

    /// <summary>Distinct delivery ids seen with a valid signature: what a receiver that drops repeats acts on.</summary>
    public IReadOnlyCollection<string> Accepted => Received.Where(r => r.SignatureValid).Select(r => r.DeliveryId).Distinct().ToList();

    public static async Task<FakeWebhookReceiver> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new FakeWebhookReceiver(app, secret);
        app.MapPost("/hooks", (Func<HttpContext, Task<IResult>>)receiver.ReceiveAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hooks");
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var signature = http.Request.Headers[WebhookSignature.SignatureHeader].ToString();
        var valid = WebhookSignature.Verify(_secret, signature, body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        Received.Enqueue(new ReceivedDelivery(http.Request.Headers[WebhookSignature.DeliveryHeader].ToString(), http.Request.Headers["X-Ehr-Event"].ToString(),
            int.TryParse(http.Request.Headers["X-Ehr-Attempt"].ToString(), out var attempt) ? attempt : 0, body, valid, DateTimeOffset.UtcNow));
        if (!valid)
        {
            return Results.Unauthorized();
        }

        return Answers.TryDequeue(out var status) ? Results.StatusCode(status) : Results.Json(new { received = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
