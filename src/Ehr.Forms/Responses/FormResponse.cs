using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Responses;

[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "FHIR status names, not type names.")]
public static class FormResponseStatus
{
    public const string InProgress = "in-progress";
    public const string Completed = "completed";
    public const string Amended = "amended";
    public const string EnteredInError = "entered-in-error";
}

/// <summary>
/// A patient's answers to one exact form definition version (<see cref="FormId"/>, a published <c>form</c> artifact):
/// a QuestionnaireResponse as the server processed it. In progress it is saved again and again (autosave, one editable
/// revision); completing freezes it; an amendment adds a revision with its reason that becomes current, the earlier
/// ones kept; made in error, it is marked so with the reason and stays.
/// </summary>
public sealed class FormResponse
{
    private readonly List<FormResponseRevision> _revisions = [];

    private FormResponse()
    {
    }

    public Guid Id { get; private set; }

    public Guid PatientId { get; private set; }

    /// <summary>The exact definition version answered (an artifact id): pinned for good, retired or not.</summary>
    public Guid FormId { get; private set; }

    public string FormKey { get; private set; } = "";

    /// <summary>Where it was filled in, if said (the location whose override was resolved).</summary>
    public Guid? LocationId { get; private set; }

    /// <summary>
    /// Sent to the patient: started by staff for the patient (or a proxy) to fill in through the portal, so the
    /// record's portal users see it while it is in progress. Fixed when started.
    /// </summary>
    public bool ForPatient { get; private set; }

    public string Status { get; private set; } = FormResponseStatus.InProgress;

    public int CurrentRevision { get; private set; }

    public string StartedBy { get; private set; } = "";

    public DateTimeOffset StartedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public string? CompletedBy { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    public string? ErrorReason { get; private set; }

    public int Version { get; private set; }

    public IReadOnlyList<FormResponseRevision> Revisions => _revisions;

    public FormResponseRevision Current => _revisions.Single(r => r.Revision == CurrentRevision);

    public bool IsInProgress => Status == FormResponseStatus.InProgress;

    /// <summary>The reference chart data derived from it carries (FHIR <c>derivedFrom</c>).</summary>
    public string Reference => $"QuestionnaireResponse/{Id}";

    internal static FormResponse Start(Guid id, Guid patientId, Guid formId, string formKey, Guid? locationId, bool forPatient, string content, string actor,
        DateTimeOffset now)
    {
        var response = new FormResponse
        {
            Id = id,
            PatientId = patientId,
            FormId = formId,
            FormKey = formKey,
            LocationId = locationId,
            ForPatient = forPatient,
            Status = FormResponseStatus.InProgress,
            CurrentRevision = 1,
            StartedBy = actor,
            StartedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        response._revisions.Add(FormResponseRevision.Original(id, content, actor, now));
        return response;
    }

    internal void Save(int expectedVersion, string content, DateTimeOffset now)
    {
        Expect(expectedVersion);
        RequireStatus("saved", FormResponseStatus.InProgress);
        Current.Edit(content, now);
        Touch(now);
    }

    internal void Complete(int expectedVersion, string content, IReadOnlyList<string> flagged, IReadOnlyList<Guid> observations, string actor, DateTimeOffset now)
    {
        Expect(expectedVersion);
        RequireStatus("completed", FormResponseStatus.InProgress);
        Current.Edit(content, now);
        Current.Freeze(flagged, observations);
        Status = FormResponseStatus.Completed;
        CompletedBy = actor;
        CompletedAt = now;
        Touch(now);
    }

    internal FormResponseRevision Amend(int expectedVersion, string content, IReadOnlyList<string> flagged, IReadOnlyList<Guid> observations,
        string reason, string actor, DateTimeOffset now)
    {
        Expect(expectedVersion);
        RequireStatus("amended", FormResponseStatus.Completed, FormResponseStatus.Amended);
        var revision = FormResponseRevision.Amendment(Id, CurrentRevision + 1, content, flagged, observations, reason, actor, now);
        _revisions.Add(revision);
        CurrentRevision = revision.Revision;
        Status = FormResponseStatus.Amended;
        Touch(now);
        return revision;
    }

    internal void MarkEnteredInError(int expectedVersion, string reason, DateTimeOffset now)
    {
        Expect(expectedVersion);
        RequireStatus("marked entered-in-error", FormResponseStatus.InProgress, FormResponseStatus.Completed, FormResponseStatus.Amended);
        Status = FormResponseStatus.EnteredInError;
        ErrorReason = reason;
        Touch(now);
    }

    internal void Expect(int expectedVersion)
    {
        if (Version != expectedVersion)
        {
            throw EhrException.VersionConflict("Form response " + Id, expectedVersion, Version);
        }
    }

    internal void RequireStatus(string what, params string[] allowed)
    {
        if (!allowed.Contains(Status))
        {
            throw new EhrException(ErrorCodes.Conflict, $"Form response {Id} is {Status} and cannot be {what}.", 409);
        }
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }
}

/// <summary>
/// One set of answers of a response: the original (edited while in progress, frozen when completed) or an amendment
/// (frozen, with its reason). Carries what was derived from it: the flagged link ids and the chart observations.
/// </summary>
public sealed class FormResponseRevision
{
    private FormResponseRevision()
    {
    }

    public Guid ResponseId { get; private set; }

    public int Revision { get; private set; }

    /// <summary>The QuestionnaireResponse (JSON) as the server processed it.</summary>
    public string Content { get; private set; } = "{}";

    public string? Reason { get; private set; }

    public string AuthorId { get; private set; } = "";

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public bool Frozen { get; private set; }

    /// <summary>Link ids of calculated yes/no items that came out true (e.g. PHQ-9 item 9 positive).</summary>
    public string[] Flagged { get; private set; } = [];

    /// <summary>The chart observations extracted from these answers.</summary>
    public Guid[] ObservationIds { get; private set; } = [];

    internal static FormResponseRevision Original(Guid responseId, string content, string author, DateTimeOffset now) =>
        new() { ResponseId = responseId, Revision = 1, Content = content, AuthorId = author, CreatedAt = now, UpdatedAt = now };

    internal static FormResponseRevision Amendment(Guid responseId, int revision, string content, IReadOnlyList<string> flagged,
        IReadOnlyList<Guid> observations, string reason, string author, DateTimeOffset now) => new()
    {
        ResponseId = responseId,
        Revision = revision,
        Content = content,
        Reason = reason,
        AuthorId = author,
        CreatedAt = now,
        UpdatedAt = now,
        Frozen = true,
        Flagged = [.. flagged],
        ObservationIds = [.. observations],
    };

    internal void Edit(string content, DateTimeOffset now)
    {
        if (Frozen)
        {
            throw new InvalidOperationException($"Revision {Revision} of form response {ResponseId} is frozen.");
        }

        Content = content;
        UpdatedAt = now;
    }

    internal void Freeze(IReadOnlyList<string> flagged, IReadOnlyList<Guid> observations)
    {
        Flagged = [.. flagged];
        ObservationIds = [.. observations];
        Frozen = true;
    }
}

internal sealed class FormResponseModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<FormResponse>(e =>
        {
            e.ToTable("form_responses");
            e.HasKey(r => r.Id);
            e.Property(r => r.Version).IsConcurrencyToken();
            e.HasMany(r => r.Revisions).WithOne().HasForeignKey(r => r.ResponseId);
            e.Navigation(r => r.Revisions).HasField("_revisions").UsePropertyAccessMode(PropertyAccessMode.Field);
            e.Ignore(r => r.Current);
            e.Ignore(r => r.IsInProgress);
            e.Ignore(r => r.Reference);
        });
        modelBuilder.Entity<FormResponseRevision>(e =>
        {
            e.ToTable("form_response_revisions");
            e.HasKey(r => new { r.ResponseId, r.Revision });
            e.Property(r => r.Content).HasColumnType("json");
        });
    }
}
