using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Templates;

/// <summary>A note template whose content checked completely: ready to prefill, check answers and render.</summary>
internal sealed record CompiledNoteTemplate(string NoteType, Coding? Code, string? Description, Questionnaire Questionnaire, LiquidNarrative Narrative)
{
    /// <summary>The Questionnaire's plan, kept with the compiled template (once per published version).</summary>
    public FormPlan Plan { get; } = FormPlan.Of(Questionnaire);
}

/// <summary>
/// The artifact kind <c>note-template</c>: a documentation template (a Questionnaire, a Liquid narrative and a note
/// type). Read by whoever sees the tenant's configuration (<c>location.read</c>: clinicians starting notes), managed
/// with <c>template.manage</c>. A draft needs only to be readable (well-formed members, a known note type, a
/// Questionnaire Firely reads); publishing checks everything: the Questionnaire through the
/// <see cref="DefinitionValidator"/> as forms are checked (<see cref="TenantFormEngine"/>: answer value sets held in
/// the tenant resolve, so the caller loads them first), the narrative parsed with its link ids checked against the Questionnaire, and
/// one rendering of an empty response.
/// </summary>
public sealed class NoteTemplateKind(TenantFormEngine forms, TimeProvider clock) : IArtifactKind
{
    public const string Name = "note-template";

    public string Kind => Name;

    public string ReadPermission => Permissions.LocationRead;

    public string ManagePermission => Permissions.TemplateManage;

    public IReadOnlyList<FieldError> Check(string content, bool publishing)
    {
        var problems = new List<FieldError>();
        if (publishing)
        {
            Compile(content, problems, dryRun: true);
        }
        else
        {
            NoteTemplateContent.Read(content, problems);
        }

        return problems;
    }

    /// <summary>The content checked completely, or null with its problems (paths inside the content).</summary>
    internal CompiledNoteTemplate? Compile(string content, List<FieldError> problems, bool dryRun = false)
    {
        var before = problems.Count;
        var read = NoteTemplateContent.Read(content, problems);
        if (read is null)
        {
            return null;
        }

        if (read.NoteType is null)
        {
            problems.Add(new FieldError("noteType", ErrorCodes.Required, "The note type is required."));
        }

        if (read.Questionnaire is null)
        {
            problems.Add(new FieldError("questionnaire", ErrorCodes.Required, "The questionnaire (a FHIR R4 Questionnaire) is required."));
        }
        else
        {
            problems.AddRange(forms.Validate(read.Questionnaire).Select(p => NoteTemplateContent.ToField(p, "questionnaire")));
        }

        if (string.IsNullOrWhiteSpace(read.Narrative))
        {
            problems.Add(new FieldError("narrative", ErrorCodes.Required, "The narrative (Liquid that renders the note's text) is required."));
            return null;
        }

        // Link ids are checked only against a questionnaire that is itself valid (else every reference would be suspect).
        var items = read.Questionnaire is not null && problems.Count == before ? TemplateItems.Of(read.Questionnaire) : null;
        var narrative = LiquidNarrative.Compile(read.Narrative, items, "narrative", problems);
        if (problems.Count > before || narrative is null)
        {
            return null;
        }

        var compiled = new CompiledNoteTemplate(read.NoteType!, read.Code, read.Description, read.Questionnaire!, narrative);
        if (dryRun)
        {
            narrative.Render(NarrativeModel.Of(compiled.Questionnaire, new QuestionnaireResponse(), null, null, clock.GetUtcNow()), "narrative", problems);
        }

        return problems.Count > before ? null : compiled;
    }
}
