using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Notes;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "Clinical status names, not type names.")]
public static class NoteStatus
{
    public const string Draft = "draft";
    public const string Signed = "signed";
    public const string Amended = "amended";
    public const string EnteredInError = "entered-in-error";
}

/// <summary>
/// A clinical note about a patient: drafted, then signed; after signing its revisions never change. An amendment adds
/// a revision (with its reason) that becomes current; an addendum is another note pointing at this one; a note made in
/// error is marked so, with the reason, and stays in the chart.
/// </summary>
public sealed class Note
{
    /// <summary>The note types (shared with documentation templates; the table checks the same list).</summary>
    public static IReadOnlyList<string> Types => NoteTypes.All;

    private readonly List<NoteRevision> _revisions = [];

    private Note()
    {
    }

    public Guid Id { get; private set; }

    public Guid PatientId { get; private set; }

    public string NoteType { get; private set; } = "";

    public string Title { get; private set; } = "";

    public string Status { get; private set; } = NoteStatus.Draft;

    /// <summary>The documentation template (a configuration artifact version) it was started from, if any.</summary>
    public Guid? TemplateId { get; private set; }

    /// <summary>The note this one is an addendum to.</summary>
    public Guid? AddendumTo { get; private set; }

    public string AuthorId { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public string? SignedBy { get; private set; }

    public DateTimeOffset? SignedAt { get; private set; }

    public string? ErrorReason { get; private set; }

    public int CurrentRevision { get; private set; }

    public int Version { get; private set; }

    public IReadOnlyList<NoteRevision> Revisions => _revisions;

    /// <summary>The co-signature it awaits or received, when one was asked for (loaded by the reads that show it).</summary>
    public NoteCosignature? Cosignature { get; private set; }

    public NoteRevision Current => _revisions.Single(r => r.Revision == CurrentRevision);

    internal static Note Draft(Guid patientId, string type, string title, string narrative, string? answers, Guid? templateId, Guid? addendumTo,
        string author, DateTimeOffset now, string? freeText = null)
    {
        var note = new Note
        {
            Id = Guid.CreateVersion7(),
            PatientId = patientId,
            NoteType = type,
            Title = title,
            Status = NoteStatus.Draft,
            TemplateId = templateId,
            AddendumTo = addendumTo,
            AuthorId = author,
            CreatedAt = now,
            UpdatedAt = now,
            CurrentRevision = 1,
            Version = 1,
        };
        note._revisions.Add(NoteRevision.Original(note.Id, narrative, answers, freeText, author, now));
        return note;
    }

    /// <summary>Whether the note was started from a documentation template: its text is then rendered from its answers.</summary>
    public bool IsTemplated => TemplateId is not null;

    /// <summary>
    /// Whether <paramref name="actorId"/> wrote the note: only the author edits a draft or withdraws it. One rule for the
    /// use cases that enforce it and the screens that show it.
    /// </summary>
    public bool IsAuthor(string actorId) => AuthorId == actorId;

    internal void EditDraft(int expectedVersion, string title, string narrative, string? answers, DateTimeOffset now, string? freeText = null)
    {
        Expect(expectedVersion);
        RequireStatus("edited", NoteStatus.Draft);
        Title = title;
        Current.Edit(narrative, answers, freeText);
        Touch(now);
    }

    /// <summary>
    /// Signs the draft. A templated note is signed with its final text and answers (checked completely and rendered
    /// just before), which replace the draft's in the same step and are frozen with it.
    /// </summary>
    internal void Sign(int expectedVersion, string signer, DateTimeOffset now, (string Narrative, string Answers)? final = null)
    {
        Expect(expectedVersion);
        RequireStatus("signed", NoteStatus.Draft);
        if (final is { } content)
        {
            Current.Edit(content.Narrative, content.Answers, Current.FreeText);
        }

        Status = NoteStatus.Signed;
        SignedBy = signer;
        SignedAt = now;
        Current.Freeze();
        Touch(now);
    }

    internal NoteRevision Amend(int expectedVersion, string narrative, string? answers, string reason, string author, DateTimeOffset now, string? freeText = null)
    {
        Expect(expectedVersion);
        RequireStatus("amended", NoteStatus.Signed, NoteStatus.Amended);
        var revision = NoteRevision.Amendment(Id, CurrentRevision + 1, narrative, answers, freeText, reason, author, now);
        _revisions.Add(revision);
        CurrentRevision = revision.Revision;
        Status = NoteStatus.Amended;
        Touch(now);
        return revision;
    }

    internal void MarkEnteredInError(int expectedVersion, string reason, DateTimeOffset now)
    {
        Expect(expectedVersion);
        RequireStatus("marked entered-in-error", NoteStatus.Draft, NoteStatus.Signed, NoteStatus.Amended);
        Status = NoteStatus.EnteredInError;
        ErrorReason = reason;
        Touch(now);
    }

    internal void RequireStatus(string what, params string[] allowed)
    {
        if (!allowed.Contains(Status))
        {
            throw new EhrException(ErrorCodes.Conflict, $"Note {Id} is {Status} and cannot be {what}.", 409);
        }
    }

    internal void Expect(int expectedVersion)
    {
        if (Version != expectedVersion)
        {
            throw EhrException.VersionConflict("Note " + Id, expectedVersion, Version);
        }
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>One text of a note: the original (editable while the note is a draft) or an amendment (with its reason).</summary>
public sealed class NoteRevision
{
    private NoteRevision()
    {
    }

    public Guid NoteId { get; private set; }

    public int Revision { get; private set; }

    public string Narrative { get; private set; } = "";

    /// <summary>The answers behind the narrative (a QuestionnaireResponse as JSON) when the note came from a template.</summary>
    public string? Answers { get; private set; }

    /// <summary>
    /// A templated note's own words: what the clinician wrote beside the answers. Kept apart so re-rendering the
    /// narrative from the answers never loses it; the narrative holds it where the template places it, else at its end.
    /// </summary>
    public string? FreeText { get; private set; }

    public string? Reason { get; private set; }

    public string AuthorId { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public bool Frozen { get; private set; }

    internal static NoteRevision Original(Guid noteId, string narrative, string? answers, string? freeText, string author, DateTimeOffset now) =>
        new() { NoteId = noteId, Revision = 1, Narrative = narrative, Answers = answers, FreeText = freeText, AuthorId = author, CreatedAt = now };

    internal static NoteRevision Amendment(Guid noteId, int revision, string narrative, string? answers, string? freeText, string reason, string author,
        DateTimeOffset now) =>
        new()
        {
            NoteId = noteId, Revision = revision, Narrative = narrative, Answers = answers, FreeText = freeText, Reason = reason, AuthorId = author,
            CreatedAt = now, Frozen = true,
        };

    internal void Edit(string narrative, string? answers, string? freeText)
    {
        Narrative = narrative;
        Answers = answers;
        FreeText = freeText;
    }

    internal void Freeze() => Frozen = true;
}

internal sealed class NoteModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Note>(e =>
        {
            e.ToTable("notes");
            e.HasKey(n => n.Id);
            e.Property(n => n.Version).IsConcurrencyToken();
            e.HasMany(n => n.Revisions).WithOne().HasForeignKey(r => r.NoteId);
            e.Navigation(n => n.Revisions).HasField("_revisions").UsePropertyAccessMode(PropertyAccessMode.Field);
            e.Ignore(n => n.Current);
            e.Ignore(n => n.IsTemplated);
        });
        modelBuilder.Entity<NoteRevision>(e =>
        {
            e.ToTable("note_revisions");
            e.HasKey(r => new { r.NoteId, r.Revision });
            e.Property(r => r.Answers).HasColumnType("json");
        });
    }
}
