using Ehr.Clinical.Notes;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

internal sealed class NoteType : ObjectGraphType<Note>
{
    public NoteType()
    {
        Name = "Note";
        this.ProjectsParent();
        Description = "A clinical note: drafted, signed (then immutable), amended (new revisions with reasons), or marked entered-in-error.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.PatientId);
        Field<NonNullGraphType<StringGraphType>>("noteType").Description("progress, soap, history-and-physical, procedure, telehealth, consult, discharge or other.").Resolve(c => c.Source.NoteType);
        Field<NonNullGraphType<StringGraphType>>("title").Resolve(c => c.Source.Title);
        Field<NonNullGraphType<StringGraphType>>("status").Description("draft, signed, amended or entered-in-error.").Resolve(c => c.Source.Status);
        Field<NonNullGraphType<StringGraphType>>("narrative").Description("The current revision's text.").Resolve(c => c.Source.Current.Narrative);
        Field<StringGraphType>("answers").Description("The current revision's answers (QuestionnaireResponse JSON), when it came from a template.").Resolve(c => c.Source.Current.Answers);
        Field<StringGraphType>("freeText").Description("A templated note's own words beside its answers (part of narrative, kept apart so re-rendering keeps it).").Resolve(c => c.Source.Current.FreeText);
        Field<IdGraphType>("templateId").Description("The exact documentation template version it was started from (noteTemplate(id)); null for a free note.").Resolve(c => c.Source.TemplateId);
        Field<IdGraphType>("addendumTo").Description("The note this one is an addendum to.").Resolve(c => c.Source.AddendumTo);
        Field<NonNullGraphType<StringGraphType>>("authorId").Resolve(c => c.Source.AuthorId);
        Field<StringGraphType>("signedBy").Resolve(c => c.Source.SignedBy);
        Field<DateTimeOffsetGraphType>("signedAt").Resolve(c => c.Source.SignedAt);
        Field<StringGraphType>("errorReason").Resolve(c => c.Source.ErrorReason);
        Field<NoteCosignatureType>("cosignature").Description("The co-signature it awaits or received (shown by note(id) and notes; null when none was asked for).").Resolve(c => c.Source.Cosignature);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NoteRevisionType>>>>("revisions").Description("Oldest first; the last is current.")
            .Resolve(c => c.Source.Revisions.OrderBy(r => r.Revision));
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Send it back as expectedVersion.").Resolve(c => c.Source.Version);
    }
}

internal sealed class NoteRevisionType : ObjectGraphType<NoteRevision>
{
    public NoteRevisionType()
    {
        Name = "NoteRevision";
        this.ProjectsParent();
        Field<NonNullGraphType<IntGraphType>>("revision").Description("1 is the original; later ones are amendments.").Resolve(c => c.Source.Revision);
        Field<NonNullGraphType<StringGraphType>>("narrative").Resolve(c => c.Source.Narrative);
        Field<StringGraphType>("answers").Resolve(c => c.Source.Answers);
        Field<StringGraphType>("freeText").Resolve(c => c.Source.FreeText);
        Field<StringGraphType>("reason").Description("Why it was amended.").Resolve(c => c.Source.Reason);
        Field<NonNullGraphType<StringGraphType>>("authorId").Resolve(c => c.Source.AuthorId);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
    }
}

internal sealed class NoteConnectionType : ObjectGraphType<NotePage>
{
    public NoteConnectionType()
    {
        Name = "NoteConnection";
        this.ProjectsParent();
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<NoteType>>>>("nodes").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => new PageInfo(c.Source.HasNextPage, c.Source.EndCursor));
    }
}

internal sealed class NoteInputType : InputObjectGraphType<NewNote>
{
    public NoteInputType()
    {
        Name = "NoteInput";
        Field<IdGraphType>("patientId").Description("Required.");
        Field<StringGraphType>("noteType").Description("Required: progress, soap, history-and-physical, procedure, telehealth, consult, discharge or other.");
        Field<StringGraphType>("title").Description("Required, 1-200 characters.");
        Field<StringGraphType>("narrative").Description("The text; may be empty while drafting.");
        Field<StringGraphType>("answers").Description("A QuestionnaireResponse (JSON) behind the text, kept as given. Notes from a template start with startNoteFromTemplate.");
    }
}
