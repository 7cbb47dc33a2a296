using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Templates;

/// <summary>A preview: the narrative, the answers it was rendered from (processed by the server), and what is wrong with those answers.</summary>
public sealed record NoteTemplatePreview(string Narrative, string Answers, IReadOnlyList<FieldError> AnswerProblems);

/// <summary>
/// Renders a template that need not be saved (the builder's preview; <c>template.manage</c>) with sample answers, or,
/// without answers, with what prefill gives for a fictional sample patient. The content is checked as for publishing
/// (problems are <c>VALIDATION_FAILED</c> on <c>content.*</c>); the answers are checked as a save and their problems
/// listed, not thrown, since sample answers are often partial. Reads and stores nothing.
/// </summary>
public sealed class PreviewNoteTemplate(ActorContext actors, NoteTemplateKind kind, TenantFormEngine forms, TimeProvider clock)
{
    /// <summary>A fictional patient, so a preview shows what prefill and <c>patient.*</c> do without touching anyone's chart.</summary>
    internal static readonly Patient SamplePatient = new()
    {
        Id = "sample",
        Name = [new HumanName { Use = HumanName.NameUse.Official, Given = ["Alex"], Family = "Sample" }],
        BirthDate = "1980-04-15",
        Gender = AdministrativeGender.Unknown,
        Identifier = [new Identifier("urn:ehr-saas:sample", "SAMPLE-0001") { Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR") }],
    };

    public async Task<NoteTemplatePreview> HandleAsync(string? content, string? answers, CancellationToken ct)
    {
        actors.Demand(Permissions.TemplateManage);
        var problems = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(content))
        {
            throw EhrException.Validation([new FieldError("content", ErrorCodes.Required, "The template's content (JSON) is required.")]);
        }

        // The content is checked as for publishing, answer value sets held in the tenant included.
        await forms.LoadAsync(ct);
        var template = kind.Compile(content, problems);
        if (template is null)
        {
            throw EhrException.Validation(problems.Select(p => p with { Path = p.Path.Length == 0 ? "content" : "content." + p.Path }).ToList());
        }

        var now = clock.GetUtcNow();
        var launch = new NoteLaunch(Guid.Empty, "", actors.Current.Id, now);
        QuestionnaireResponse response;
        var answerProblems = new List<FieldError>();
        if (answers is null)
        {
            var context = new Dictionary<string, Resource>(StringComparer.Ordinal)
            {
                ["patient"] = SamplePatient,
                ["user"] = new Practitioner { Identifier = [new Identifier(NoteTemplates.UserSystem, actors.Current.Id)] },
            };
            response = forms.Engine.Prefill(template.Plan, new PrefillContext(context, now)).Response;
        }
        else
        {
            var parsed = QuestionnaireJson.ParseResponse(answers);
            if (parsed.Resource is null)
            {
                throw EhrException.Validation(parsed.Problems.Select(p => new FieldError("answers", p.Code, p.Path is null ? p.Message : $"{p.Message} (at {p.Path})")).ToList());
            }

            var outcome = forms.Engine.Process(template.Plan, parsed.Resource, ResponseCheck.Save);
            answerProblems.AddRange(outcome.Problems.Select(p => NoteTemplates.AnswerProblem(p, "answers")));
            response = outcome.Response;
        }

        var stamped = NoteTemplates.Stamp(response, template, launch, NoteAnswersCheck.Draft);
        stamped.Subject = new ResourceReference("Patient/" + SamplePatient.Id);
        var narrative = NoteTemplates.Render(template, stamped, SamplePatient, null, now, "content.narrative", forms.ValueSets);
        return new NoteTemplatePreview(narrative, QuestionnaireJson.Serialize(stamped), answerProblems);
    }
}
