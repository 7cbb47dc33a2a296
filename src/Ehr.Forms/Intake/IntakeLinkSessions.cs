using System.Collections.Concurrent;
using System.Text.Json;
using Ehr.Forms.Responses;
using Ehr.Platform.Audit;
using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ehr.Forms.Intake;

/// <summary>Settings of the public intake page (section <c>Intake</c>).</summary>
public sealed class IntakeOptions
{
    public const string SectionName = "Intake";

    /// <summary>Failed lookups (unknown or malformed links) one client address may make within <see cref="FailedLookupWindow"/>.</summary>
    public int FailedLookupLimit { get; set; } = 20;

    public TimeSpan FailedLookupWindow { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>Why a link opens nothing.</summary>
public enum IntakeRefusal
{
    /// <summary>It opens its response.</summary>
    None,

    /// <summary>Malformed, unknown in its tenant, or its tenant unknown or suspended.</summary>
    Unknown,

    Expired,

    /// <summary>Completed through the link, or the response is no longer in progress.</summary>
    Used,

    Revoked,

    /// <summary>Too many failed lookups from this address lately.</summary>
    RateLimited,
}

/// <summary>What a link led to: the value, or why nothing.</summary>
public sealed record IntakeOutcome<T>(IntakeRefusal Refusal, T? Value) where T : class
{
    public bool IsOpen => Refusal == IntakeRefusal.None;
}

/// <summary>The link a token resolved to, in its scope.</summary>
internal sealed record IntakeLinkInHand(Guid LinkId, Guid ResponseId, Guid PatientId, DateTimeOffset ExpiresAt, Tenant Tenant);

/// <summary>
/// Turns an intake link's token into a scope that may act on exactly that response, or into a refusal. The token names
/// the tenant (its slug); the scope gets that tenant and, as its actor, the link itself (<c>intake-link:&lt;id&gt;</c>):
/// patient-scoped to the link's patient and holding only <c>form.respond</c>, so the chart's rules treat it as the
/// patient filling in their own form and every entry it writes names the link. Each operation resolves the token
/// again, so an expiry or a revocation applies to the next click. Refusals are recorded: every one in
/// <c>platform.security_events</c> (<c>intake-link.open</c>, with the address), those of a known link also in the
/// tenant's audit chain (<c>intake.link.refused</c>); failed lookups count towards a per-address limit. Callers are
/// the intake use cases (<see cref="OpenIntakeForm"/>, <see cref="SaveIntakeForm"/>, <see cref="CompleteIntakeForm"/>),
/// which touch nothing but the link's response; no scope is handed out.
/// </summary>
public sealed class IntakeLinkSessions(
    IServiceScopeFactory scopes,
    TenantCatalog catalog,
    IOptions<IntakeOptions> options,
    TimeProvider clock,
    ILogger<IntakeLinkSessions> log)
{
    public const string SecurityEventName = "intake-link.open";

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    internal async Task<IntakeOutcome<T>> RunAsync<T>(string? token, string? clientAddress,
        Func<IServiceProvider, IntakeLinkInHand, CancellationToken, Task<T>> work, CancellationToken ct) where T : class
    {
        var address = clientAddress ?? "unknown";
        if (IsBlocked(address))
        {
            await RecordAsync(null, address, "rate-limited", null, ct);
            return new(IntakeRefusal.RateLimited, null);
        }

        if (!IntakeTokens.TryParse(token, out var slug) || await catalog.FindAsync(slug, ct) is not { Status: TenantStatus.Active } tenant)
        {
            return await UnknownAsync<T>(TenantSlug.IsValid(slug) ? slug : null, address, ct);
        }

        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        services.GetRequiredService<TenantContext>().Bind(tenant);
        var db = services.GetRequiredService<TenantDbContext>();
        var hash = IntakeTokens.Hash(token!);
        var found = await (from l in db.Set<IntakeLink>().AsNoTracking()
                           join r in db.Set<FormResponse>() on l.ResponseId equals r.Id
                           where l.TokenSha256 == hash
                           select new { Link = l, r.Status }).SingleOrDefaultAsync(ct);
        if (found is null)
        {
            return await UnknownAsync<T>(slug, address, ct);
        }

        var link = found.Link;
        var actors = services.GetRequiredService<ActorContext>();
        actors.Bind(new Actor(link.ActorId, tenant.Slug, [Permissions.PatientRole], clientAddress, PurposeOfUse.PatientRequest)
        {
            PatientIds = [link.PatientId],
            Scopes = [Permissions.FormRespond],
        });
        var refusal = link.StatusAt(clock.GetUtcNow(), found.Status) switch
        {
            IntakeLinkStatus.Pending => IntakeRefusal.None,
            IntakeLinkStatus.Expired => IntakeRefusal.Expired,
            IntakeLinkStatus.Revoked => IntakeRefusal.Revoked,
            _ => IntakeRefusal.Used,
        };
        if (refusal != IntakeRefusal.None)
        {
            var reason = refusal.ToString().ToLowerInvariant();
            await db.InTransactionAsync(async t =>
            {
                await services.GetRequiredService<AuditTrail>().RecordAsync(new AuditEvent("intake.link.refused", "IntakeLink", link.Id.ToString(),
                    new { patient = link.PatientId, response = link.ResponseId, reason }, Outcome: "denied"), t);
                return true;
            }, ct);
            await RecordAsync(slug, address, reason, link.Id, ct);
            return new(refusal, null);
        }

        try
        {
            return new(IntakeRefusal.None, await work(services, new IntakeLinkInHand(link.Id, link.ResponseId, link.PatientId, link.ExpiresAt, tenant), ct));
        }
        finally
        {
            await services.GetRequiredService<TenantAuditWriter>().RecordDenialsAsync(tenant, actors, "intake", CancellationToken.None);
        }
    }

    private async Task<IntakeOutcome<T>> UnknownAsync<T>(string? slug, string address, CancellationToken ct) where T : class
    {
        Fail(address);
        await RecordAsync(slug, address, "unknown", null, ct);
        return new(IntakeRefusal.Unknown, null);
    }

    private async Task RecordAsync(string? slug, string address, string reason, Guid? linkId, CancellationToken ct)
    {
        log.LogWarning("Intake link refused ({Reason}) for {Address}{Tenant}", reason, address, slug is null ? "" : " in " + slug);
        await using var scope = scopes.CreateAsyncScope();
        var platform = scope.ServiceProvider.GetRequiredService<PlatformDbContext>();
        platform.SecurityEvents.Add(Platform.Identity.Accounts.SecurityEvent.Create(clock.GetUtcNow(), null, null, slug, SecurityEventName,
            SecurityEvents.Failure, address, JsonSerializer.Serialize(new { reason, linkId })));
        await platform.SaveChangesAsync(ct);
    }

    // A sliding window of failure times per address, in this process: each host counts alone (the 256-bit secret,
    // not this limit, is what makes guessing pointless; the limit keeps a scanner from filling the logs).
    private bool IsBlocked(string address)
    {
        if (!_failures.TryGetValue(address, out var times))
        {
            return false;
        }

        lock (times)
        {
            Prune(times);
            return times.Count >= options.Value.FailedLookupLimit;
        }
    }

    private void Fail(string address)
    {
        var times = _failures.GetOrAdd(address, _ => new Queue<DateTimeOffset>());
        lock (times)
        {
            Prune(times);
            times.Enqueue(clock.GetUtcNow());
        }

        if (_failures.Count > 10_000)
        {
            // Forget addresses with nothing left in the window, so the table cannot grow without bound.
            foreach (var (key, queue) in _failures)
            {
                lock (queue)
                {
                    Prune(queue);
                    if (queue.Count == 0)
                    {
                        _failures.TryRemove(key, out _);
                    }
                }
            }
        }
    }

    private void Prune(Queue<DateTimeOffset> times)
    {
        var since = clock.GetUtcNow() - options.Value.FailedLookupWindow;
        while (times.Count > 0 && times.Peek() <= since)
        {
            times.Dequeue();
        }
    }
}
