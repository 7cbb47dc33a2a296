using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Ehr.Workflow.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Workflow.Webhooks;

/// <summary>
/// Delivers one web hook attempt: POSTs the body the engine built (the same bytes and delivery id on every attempt),
/// signed as <see cref="WebhookSignature"/> describes, and turns the answer into the engine's input: 2xx delivered
/// (a JSON answer of at most 64 KiB becomes the node's output); a network failure, a timeout, 408, 429 or 5xx a
/// retryable failure; any other status a refusal. Redirects are not followed (a moved endpoint is the tenant's
/// setting to change, and a redirect must not carry the signature elsewhere).
/// </summary>
internal sealed class WebhookSender(IHttpClientFactory clients, TimeProvider clock)
{
    public const string ClientName = "ehr-workflow-webhooks";

    /// <summary>The largest answer body kept (the test run refuses a larger sample).</summary>
    internal const int MaxAnswerBytes = 64 * 1024;

    public static void Register(IServiceCollection services) =>
        services.AddHttpClient(ClientName, c =>
            {
                c.Timeout = Timeout.InfiniteTimeSpan; // each attempt carries its own (the node's timeout, at most 60 s)
                c.DefaultRequestHeaders.UserAgent.ParseAdd("Ehr.Saas-Webhooks/1");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    public async Task<WorkflowInput> SendAsync(CallWebhook call, WebhookTarget target, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url)
        {
            Content = new StringContent(call.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(target.Secret, clock.GetUtcNow(), call.Body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, call.DeliveryId);
        request.Headers.Add("X-Ehr-Event", call.Event);
        request.Headers.Add("X-Ehr-Attempt", call.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(call.Timeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new WebhookDelivered(call.BookmarkId, status, await JsonAnswerAsync(response, timeout.Token));
            }

            var retryable = status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
            return new WebhookFailed(call.BookmarkId, $"HTTP {status} {response.ReasonPhrase}", retryable);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new WebhookFailed(call.BookmarkId, $"no answer within {call.Timeout.TotalSeconds:0.#} s", Retryable: true);
        }
        catch (HttpRequestException e)
        {
            return new WebhookFailed(call.BookmarkId, "network: " + e.Message, Retryable: true);
        }
    }

    private static async Task<JsonElement?> JsonAnswerAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentType is not MediaTypeHeaderValue { MediaType: "application/json" }
            || response.Content.Headers.ContentLength is > MaxAnswerBytes)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxAnswerBytes + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
        {
            read += n;
        }

        if (read > MaxAnswerBytes)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, read));
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
