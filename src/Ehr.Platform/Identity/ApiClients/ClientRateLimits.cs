using System.Globalization;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Ehr.Platform.Identity.ApiClients;

/// <summary>How hosts share API clients' request counts (section <c>RateLimits</c>).</summary>
public sealed class ClientRateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>
    /// How often a host adds its counts to the shared table and reads the others' back. The overshoot past a limit
    /// across hosts is about two of these of the client's traffic (README, Sign-in, tokens and API clients).
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Per-API-client rate limits, one limit per client for the whole deployment: beyond the client's
/// <c>RateLimitPerMinute</c> over a sliding minute (<see cref="SlidingWindow"/>) the answer is <c>429</c> with
/// <c>Retry-After</c> (seconds until the estimate is under the limit again) and <c>RATE_LIMITED</c>. Decided from this
/// host's memory (<see cref="ClientRequestCounts"/>), shared with the other hosts in the background
/// (<see cref="ClientRateLimitFlusher"/>), so it adds no database round trip to a request. People and development
/// tokens are not limited here.
/// </summary>
/// <remarks>
/// The bound across hosts: a host's view of a client misses only what the other hosts admitted and it has not read
/// yet, i.e. their counts since their last flush (at most one flush interval old, and about a tenth of the limit each
/// under heavy traffic, when they flush early) plus what they flushed since this host's last read (at most one
/// interval). Each host stops admitting once its view reaches the limit, so the deployment admits at most the limit
/// plus about two flush intervals of the client's traffic on the other hosts, and never more than hosts × limit (each
/// host alone never passes it; that is also the worst case while the database is unreachable). A host new to a client
/// asks for a flush on its first request, so it learns the shared count within one round trip.
/// </remarks>
internal static class ClientRateLimits
{
    /// <summary>Where <see cref="ActorBindingMiddleware"/> leaves the client's current limit (read by the access check).</summary>
    public const string LimitKey = "ehr.client-rate-limit";

    public static IServiceCollection AddEhrClientRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClientRateLimitOptions>().Bind(configuration.GetSection(ClientRateLimitOptions.SectionName))
            .Validate(o => o.FlushInterval > TimeSpan.Zero && o.FlushInterval <= TimeSpan.FromSeconds(30),
                "RateLimits:FlushInterval must be more than zero and at most 30 seconds.")
            .ValidateOnStart();
        services.AddSingleton<ClientRequestCounts>();
        services.AddSingleton(sp => new ApiClientRateLimiter(sp.GetRequiredService<ClientRequestCounts>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ClientRateLimitFlusher>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ClientRateLimitFlusher>());
        return services;
    }

    public static IApplicationBuilder UseEhrClientRateLimits(this IApplicationBuilder app) => app.UseMiddleware<ClientRateLimitMiddleware>();

    private sealed class ClientRateLimitMiddleware(RequestDelegate next, ClientRequestCounts counts, TimeProvider clock)
    {
        public async Task InvokeAsync(HttpContext http, ActorContext actors)
        {
            if (http.Items[LimitKey] is int limit && actors.IsBound && actors.Current.Kind == ActorKind.ApiClient)
            {
                var decision = counts.TryAdmit(actors.Current.Id, limit, clock.GetUtcNow());
                if (!decision.Admitted)
                {
                    var seconds = SlidingWindow.RetryAfterSeconds(decision.RetryAfter);
                    http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                    await ErrorResponse.WriteAsync(http, new EhrException(ErrorCodes.RateLimited,
                        $"This API client made too many requests; retry after {seconds} s.", StatusCodes.Status429TooManyRequests));
                    return;
                }
            }

            await next(http);
        }
    }
}

/// <summary>
/// The same per-client limit for work that does not arrive as HTTP requests: each operation an API client starts on a
/// GraphQL WebSocket counts as one request (events delivered to its subscriptions do not).
/// </summary>
public sealed class ApiClientRateLimiter
{
    private readonly ClientRequestCounts counts;
    private readonly TimeProvider clock;

    internal ApiClientRateLimiter(ClientRequestCounts counts, TimeProvider clock)
    {
        this.counts = counts;
        this.clock = clock;
    }

    /// <summary>Null when admitted (or not an API client, or unlimited); else the whole seconds until it would be.</summary>
    public int? RetryAfterSeconds(Actor actor, int? limitPerMinute)
    {
        if (limitPerMinute is not { } limit || actor.Kind != ActorKind.ApiClient)
        {
            return null;
        }

        var decision = counts.TryAdmit(actor.Id, limit, clock.GetUtcNow());
        return decision.Admitted ? null : SlidingWindow.RetryAfterSeconds(decision.RetryAfter);
    }
}
