using System.Globalization;
using System.Threading.RateLimiting;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Platform.Identity.ApiClients;

/// <summary>
/// Per-API-client rate limits: a sliding one-minute window of the client's <c>RateLimitPerMinute</c> requests,
/// answered beyond that with <c>429</c>, <c>Retry-After</c> and <c>RATE_LIMITED</c>. People and development tokens
/// are not limited here. Counted per host: behind a load balancer each host allows the limit (noted in the README).
/// </summary>
internal static class ClientRateLimits
{
    public static IServiceCollection AddEhrClientRateLimits(this IServiceCollection services) =>
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var actors = http.RequestServices.GetRequiredService<ActorContext>();
                var limit = http.Items[LimitKey] as int?;
                if (!actors.IsBound || actors.Current.Kind != ActorKind.ApiClient || limit is null)
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                // The limit is part of the key, so changing a client's limit starts a fresh window at the new size.
                return RateLimitPartition.GetSlidingWindowLimiter(actors.Current.Id + "/" + limit.Value.ToString(CultureInfo.InvariantCulture),
                    _ => new SlidingWindowRateLimiterOptions
                    {
                        PermitLimit = limit.Value,
                        Window = TimeSpan.FromMinutes(1),
                        SegmentsPerWindow = 6,
                        QueueLimit = 0,
                    });
            });
            o.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(10);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ErrorResponse.WriteAsync(context.HttpContext, new EhrException(ErrorCodes.RateLimited,
                    $"This API client made too many requests; retry after {seconds} s.", StatusCodes.Status429TooManyRequests));
            };
        });

    /// <summary>Where <see cref="ActorBindingMiddleware"/> leaves the client's current limit for the limiter.</summary>
    public const string LimitKey = "ehr.client-rate-limit";
}
