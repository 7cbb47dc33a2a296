using System.Security.Cryptography;
using System.Text;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Artifacts;

/// <summary>Where an artifact is in its life: edited, in use, or withdrawn (still readable by what pinned it).</summary>
public static class ArtifactStatus
{
    public const string Draft = "draft";
    public const string Published = "published";
    public const string Retired = "retired";
}

/// <summary>
/// One version of a configuration artifact (ARCHITECTURE.md): a form definition, a documentation template, a workflow
/// definition ... of a <see cref="Kind"/>, under a <see cref="Key"/>, for the tenant (<see cref="LocationId"/> null) or
/// as one location's override. Drafts are edited; publishing freezes the content for good; retiring takes a version
/// out of resolution without changing it. The table's trigger enforces the same rules in the database.
/// </summary>
public sealed class Artifact
{
    private Artifact()
    {
    }

    public Guid Id { get; private set; }

    public string Kind { get; private set; } = "";

    public string Key { get; private set; } = "";

    public Guid? LocationId { get; private set; }

    public int Version { get; private set; }

    public string Status { get; private set; } = ArtifactStatus.Draft;

    public string Title { get; private set; } = "";

    /// <summary>The artifact itself as JSON (a FHIR Questionnaire, a workflow definition ...), interpreted by its kind.</summary>
    public string Content { get; private set; } = "{}";

    public byte[] ContentSha256 { get; private set; } = [];

    /// <summary>The version note given when publishing.</summary>
    public string? Note { get; private set; }

    /// <summary><c>tenant</c>, or <c>pack:&lt;name&gt;</c> when it came from the starter pack.</summary>
    public string Source { get; private set; } = "tenant";

    public string CreatedBy { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public string? PublishedBy { get; private set; }

    public DateTimeOffset? PublishedAt { get; private set; }

    public string? RetiredBy { get; private set; }

    public DateTimeOffset? RetiredAt { get; private set; }

    public int RowVersion { get; private set; }

    public bool IsDraft => Status == ArtifactStatus.Draft;

    internal static Artifact NewDraft(string kind, string key, Guid? locationId, int version, string title, string content, string source,
        string actor, DateTimeOffset now)
    {
        var artifact = new Artifact
        {
            Id = Guid.CreateVersion7(),
            Kind = kind,
            Key = key,
            LocationId = locationId,
            Version = version,
            Status = ArtifactStatus.Draft,
            Source = source,
            CreatedBy = actor,
            CreatedAt = now,
            RowVersion = 1,
        };
        artifact.SetContent(title, content, now);
        return artifact;
    }

    internal void Edit(int expectedRowVersion, string title, string content, DateTimeOffset now)
    {
        Expect(expectedRowVersion);
        RequireDraft("edited");
        SetContent(title, content, now);
        RowVersion++;
    }

    internal void Publish(int expectedRowVersion, string? note, string actor, DateTimeOffset now)
    {
        Expect(expectedRowVersion);
        RequireDraft("published");
        Status = ArtifactStatus.Published;
        Note = note;
        PublishedBy = actor;
        PublishedAt = now;
        UpdatedAt = now;
        RowVersion++;
    }

    internal void Retire(int expectedRowVersion, string actor, DateTimeOffset now)
    {
        Expect(expectedRowVersion);
        if (Status != ArtifactStatus.Published)
        {
            throw new EhrException(ErrorCodes.Conflict, $"{Describe()} is {Status}: only a published version can be retired.", 409);
        }

        Status = ArtifactStatus.Retired;
        RetiredBy = actor;
        RetiredAt = now;
        UpdatedAt = now;
        RowVersion++;
    }

    internal void RequireDraft(string what)
    {
        if (!IsDraft)
        {
            throw new EhrException(ErrorCodes.Conflict, $"{Describe()} is {Status} and cannot be {what}: start a new draft from it.", 409);
        }
    }

    internal string Describe() => $"{Kind} '{Key}' version {Version}" + (LocationId is null ? "" : $" (location {LocationId})");

    private void Expect(int expectedRowVersion)
    {
        if (RowVersion != expectedRowVersion)
        {
            throw EhrException.VersionConflict("Artifact " + Id, expectedRowVersion, RowVersion);
        }
    }

    private void SetContent(string title, string content, DateTimeOffset now)
    {
        Title = title;
        Content = content;
        ContentSha256 = SHA256.HashData(Encoding.UTF8.GetBytes(content));
        UpdatedAt = now;
    }
}

internal sealed class ArtifactModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Artifact>(e =>
        {
            e.ToTable("artifacts");
            e.HasKey(a => a.Id);
            // json, not jsonb: the text is kept exactly as authored (export gives back what was imported), and hashed as such.
            e.Property(a => a.Content).HasColumnType("json");
            e.Property(a => a.RowVersion).IsConcurrencyToken();
            e.Ignore(a => a.IsDraft);
        });
}
