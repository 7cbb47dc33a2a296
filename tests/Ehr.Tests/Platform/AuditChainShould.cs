using Ehr.Platform.Audit;

namespace Ehr.Tests.Platform;

public sealed class AuditChainShould
{
    private static readonly DateTimeOffset Time = new(2026, 11, 24, 10, 30, 15, TimeSpan.Zero);

    private static AuditRecord Entry(DateTimeOffset? at = null, string actor = "dr.a", string? details = "{\"mrn\":\"10000009\"}") =>
        new(1, at ?? Time, "demo", actor, "physician", "patient.read", "Patient", "p1", "127.0.0.1", "TREAT", "success",
            details, AuditChain.Genesis, []);

    [Fact]
    public void HashTheSameEntryTheSameWay() =>
        Assert.Equal(AuditChain.Hash(Entry()), AuditChain.Hash(Entry()));

    [Fact]
    public void ChangeTheHashWhenAnyFieldChanges()
    {
        var original = AuditChain.Hash(Entry());

        Assert.NotEqual(original, AuditChain.Hash(Entry(actor: "dr.b")));
        Assert.NotEqual(original, AuditChain.Hash(Entry(details: null)));
        Assert.NotEqual(original, AuditChain.Hash(Entry(at: Time.AddTicks(10))));
        Assert.NotEqual(original, AuditChain.Hash(Entry() with { PrevHash = new byte[32] .Select((_, i) => (byte)i).ToArray() }));
    }

    [Fact]
    public void NotConfuseFieldBoundaries()
    {
        // "ab" + "c" and "a" + "bc" must not hash alike.
        var one = Entry() with { ActorId = "ab", ActorRoles = "c" };
        var two = Entry() with { ActorId = "a", ActorRoles = "bc" };

        Assert.NotEqual(AuditChain.Hash(one), AuditChain.Hash(two));
    }

    [Fact]
    public void HashOnlyThePrecisionPostgresKeeps()
    {
        var precise = Time.AddTicks(1234567);
        var stored = AuditChain.ToStoredPrecision(precise);

        Assert.Equal(0, stored.Ticks % 10);
        Assert.Equal(AuditChain.Hash(Entry(stored)), AuditChain.Hash(Entry(AuditChain.ToStoredPrecision(stored.ToOffset(TimeSpan.FromHours(2))))));
    }
}
