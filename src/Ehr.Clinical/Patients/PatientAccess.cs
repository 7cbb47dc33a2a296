using Ehr.Platform.Audit;
using Ehr.Platform.Disclosures;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Patients;

/// <summary>A time-limited right to read one restricted patient, taken by breaking the glass. Never changed or removed.</summary>
public sealed class BreakGlassGrant
{
    private BreakGlassGrant()
    {
    }

    public Guid Id { get; private set; }

    public Guid PatientId { get; private set; }

    public string ActorId { get; private set; } = "";

    public string Reason { get; private set; } = "";

    public DateTimeOffset GrantedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    internal static BreakGlassGrant Create(Guid patientId, string actorId, string reason, DateTimeOffset now, TimeSpan lifetime) => new()
    {
        Id = Guid.CreateVersion7(),
        PatientId = patientId,
        ActorId = actorId,
        Reason = reason,
        GrantedAt = now,
        ExpiresAt = now + lifetime,
    };
}

internal sealed class BreakGlassGrantModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<BreakGlassGrant>(e =>
        {
            e.ToTable("break_glass_grants");
            e.HasKey(g => g.Id);
        });
}

/// <summary>Which of some patients the actor may read, and under which break-the-glass grant where one was needed.</summary>
internal sealed record AccessDecision(IReadOnlyList<Patient> Readable, IReadOnlyList<Patient> Refused, IReadOnlyDictionary<Guid, Guid> Grants);

/// <summary>
/// Who may read a restricted record: its care team, the patient themselves (patient role), the system, and whoever
/// holds an unexpired break-the-glass grant for it. Everyone else is refused with <c>RESTRICTED_RECORD</c>.
/// </summary>
public sealed class PatientAccess(TenantDbContext db, ActorContext actors, TimeProvider clock, AuditTrail audit, DisclosureLog disclosures)
{
    internal async Task<AccessDecision> DecideAsync(IReadOnlyList<Patient> patients, CancellationToken ct)
    {
        var actor = actors.Current;
        var needGrant = patients.Where(p => !ReadableWithoutGrant(p, actor)).ToList();
        if (needGrant.Count == 0)
        {
            return new AccessDecision(patients, [], new Dictionary<Guid, Guid>());
        }

        var ids = needGrant.Select(p => p.Id).ToList();
        var now = clock.GetUtcNow();
        var grants = (await db.Set<BreakGlassGrant>().AsNoTracking()
                .Where(g => g.ActorId == actor.Id && ids.Contains(g.PatientId) && g.ExpiresAt > now)
                .Select(g => new { g.PatientId, g.Id, g.ExpiresAt })
                .ToListAsync(ct))
            .GroupBy(g => g.PatientId)
            .ToDictionary(g => g.Key, g => g.MaxBy(x => x.ExpiresAt)!.Id);
        return new AccessDecision(
            patients.Where(p => ReadableWithoutGrant(p, actor) || grants.ContainsKey(p.Id)).ToList(),
            needGrant.Where(p => !grants.ContainsKey(p.Id)).ToList(),
            grants);
    }

    /// <summary>
    /// The patients a change is about, each existing (<c>NOT_FOUND</c>) and open to the actor (<c>RESTRICTED_RECORD</c>:
    /// changing a restricted record needs the same right as reading it).
    /// </summary>
    internal async Task<IReadOnlyList<Patient>> RequireOpenAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var patients = await db.Set<Patient>().AsNoTracking().Where(p => ids.Contains(p.Id)).ToListAsync(ct);
        if (patients.Count != ids.Count)
        {
            throw EhrException.NotFound("Patient " + ids.First(id => patients.All(p => p.Id != id)));
        }

        var decision = await DecideAsync(patients, ct);
        return decision.Refused.Count > 0 ? throw EhrException.RestrictedRecord("Patient " + decision.Refused[0].Id) : patients;
    }

    /// <summary>
    /// A read of part of <paramref name="patient"/>'s chart (in the caller's transaction): decides access, writes the
    /// read's audit entry (outcome <c>restricted</c> when refused, with the break-the-glass grant when one was used)
    /// and, when the chart is open and something was released (<paramref name="released"/> not null), the disclosure
    /// to an API client. Returns whether it is open.
    /// </summary>
    internal async Task<bool> RecordChartReadAsync(Patient patient, string action, string resourceType, string resourceId,
        Func<Guid?, object> details, string? released, CancellationToken ct)
    {
        var decision = await DecideAsync([patient], ct);
        if (decision.Refused.Count > 0)
        {
            await audit.RecordAsync(new AuditEvent(action, resourceType, resourceId, new { patient = patient.Id, patient.Restriction }, Outcome: "restricted"), ct);
            return false;
        }

        await audit.RecordAsync(new AuditEvent(action, resourceType, resourceId,
            details(decision.Grants.TryGetValue(patient.Id, out var grant) ? grant : null)), ct);
        if (released is not null)
        {
            await disclosures.RecordAsync([patient.Id], released, ct);
        }

        return true;
    }

    private static bool ReadableWithoutGrant(Patient p, Actor actor) =>
        p.Restriction is null || actor.IsSystem || p.CareTeam.Contains(actor.Id) ||
        (actor.IsPatientScoped && actor.PatientIds.Contains(p.Id));
}
