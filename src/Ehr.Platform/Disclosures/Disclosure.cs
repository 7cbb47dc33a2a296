using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Disclosures;

/// <summary>One release of a patient's information outside the tenant: to whom, why, what, when, by whom.</summary>
public sealed class Disclosure
{
    private Disclosure()
    {
    }

    public long Id { get; private set; }

    public Guid PatientId { get; private set; }

    public string Recipient { get; private set; } = "";

    /// <summary><c>api-client</c> for now.</summary>
    public string RecipientKind { get; private set; } = "";

    /// <summary>The HL7 v3 PurposeOfUse the recipient declared.</summary>
    public string Purpose { get; private set; } = "";

    /// <summary>What left the tenant, for example <c>Patient demographics (read)</c>.</summary>
    public string Released { get; private set; } = "";

    public DateTimeOffset DisclosedAt { get; private set; }

    public string ActorId { get; private set; } = "";

    internal static Disclosure Create(Guid patientId, Actor actor, string released, DateTimeOffset now) => new()
    {
        PatientId = patientId,
        Recipient = actor.Id,
        RecipientKind = "api-client",
        Purpose = actor.Purpose,
        Released = released,
        DisclosedAt = now,
        ActorId = actor.Id,
    };
}

/// <summary>
/// Records disclosures in the transaction that releases the data. What counts as a disclosure is decided here, once:
/// for now, every patient record delivered to an API client (<see cref="ActorKind.ApiClient"/>).
/// </summary>
public sealed class DisclosureLog(TenantDbContext db, ActorContext actors, TimeProvider clock)
{
    public async Task RecordAsync(IReadOnlyCollection<Guid> patientIds, string released, CancellationToken ct)
    {
        var actor = actors.Current;
        if (actor.Kind != ActorKind.ApiClient || patientIds.Count == 0)
        {
            return;
        }

        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("Disclosures are recorded inside the transaction that releases the data.");
        }

        var now = clock.GetUtcNow();
        db.AddRange(patientIds.Distinct().Select(id => Disclosure.Create(id, actor, released, now)));
        await db.SaveChangesAsync(ct);
    }
}

internal sealed class DisclosureModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Disclosure>(e =>
        {
            e.ToTable("disclosures");
            e.HasKey(d => d.Id);
            e.Property(d => d.Id).UseIdentityAlwaysColumn();
        });
}
