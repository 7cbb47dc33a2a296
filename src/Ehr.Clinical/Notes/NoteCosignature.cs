using Microsoft.EntityFrameworkCore;
using Ehr.Platform.Persistence;

namespace Ehr.Clinical.Notes;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Status names, not type names.")]
public static class CosignatureStatus
{
    public const string Requested = "requested";
    public const string Cosigned = "cosigned";
}

/// <summary>
/// A signed note's co-signature: requested (the note awaits a supervising clinician), then recorded once, for good, by
/// whoever co-signed it. Kept beside the note rather than on it: a signed note never changes.
/// </summary>
public sealed class NoteCosignature
{
    private NoteCosignature()
    {
    }

    public Guid NoteId { get; private set; }

    public string Status { get; private set; } = CosignatureStatus.Requested;

    public DateTimeOffset RequestedAt { get; private set; }

    public string? RequestKey { get; private set; }

    public string? CosignedBy { get; private set; }

    public DateTimeOffset? CosignedAt { get; private set; }

    public string? CosignKey { get; private set; }

    public int Version { get; private set; }

    internal static NoteCosignature Request(Guid noteId, DateTimeOffset now, string? key) =>
        new() { NoteId = noteId, Status = CosignatureStatus.Requested, RequestedAt = now, RequestKey = key, Version = 1 };

    internal void Cosign(string signer, DateTimeOffset now, string? key)
    {
        if (Status == CosignatureStatus.Cosigned)
        {
            throw new InvalidOperationException($"Note {NoteId} is co-signed already.");
        }

        Status = CosignatureStatus.Cosigned;
        CosignedBy = signer;
        CosignedAt = now;
        CosignKey = key;
        Version++;
    }
}

internal sealed class NoteCosignatureModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<NoteCosignature>(e =>
        {
            e.ToTable("note_cosignatures");
            e.HasKey(c => c.NoteId);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.HasOne<Note>().WithOne(n => n.Cosignature).HasForeignKey<NoteCosignature>(c => c.NoteId);
        });
}
