using System.Globalization;
using System.Text.RegularExpressions;
using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Caching.Memory;

namespace Ehr.Forms.Templates;

/// <summary>
/// The platform's <see cref="INoteTemplates"/>: documentation templates as the notes module uses them. Reads templates
/// through the artifact store (resolution for a location, or the exact pinned version, retired or not), prefills with
/// the <see cref="ResponseEngine"/> over <c>%patient</c> and <c>%user</c> and the tenant's answer value sets (as forms
/// do, through <see cref="TenantFormEngine"/>), checks answers against the pinned version
/// (never the client's idea of it: only the processed items are kept, with the subject, status and time set here) and
/// renders the narrative.
/// </summary>
internal sealed partial class NoteTemplates(ReadArtifacts artifacts, NoteTemplateKind kind, TenantFormEngine forms) : INoteTemplates
{
    /// <summary>The identifier system of a user as a launch context (<c>%user</c>): the account or API client id.</summary>
    public const string UserSystem = "https://ehr-saas.org/fhir/sid/user";

    // Published versions never change: compiled once per version (and content hash, to be sure), a bounded number kept.
    private static readonly MemoryCache Compiled = new(new MemoryCacheOptions { SizeLimit = 500 });

    public async Task<TemplatedNote> StartAsync(string? key, Guid? locationId, NoteLaunch launch, string keyPath, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(key) || !KeyPattern().IsMatch(key))
        {
            throw EhrException.Validation([new FieldError(keyPath, key is null ? ErrorCodes.Required : ErrorCodes.InvalidFormat,
                "The key of a note template, e.g. soap-progress-note.")]);
        }

        var artifact = await artifacts.ResolveAsync(NoteTemplateKind.Name, key, locationId, ct)
                       ?? throw EhrException.Validation([new FieldError(keyPath, ErrorCodes.UnknownReference,
                           $"No published note template '{key}' for this location or the tenant.")]);
        var template = await CompileAsync(artifact, keyPath, ct);
        var patient = Patient(launch);
        var launchContext = new Dictionary<string, Resource>(StringComparer.Ordinal)
        {
            ["patient"] = patient,
            ["user"] = new Practitioner { Identifier = [new Identifier(UserSystem, launch.AuthorId)] },
        };

        // Prefill problems (an initialExpression that gives nothing usable) are the template's, not the clinician's:
        // the item simply starts empty.
        var prefilled = forms.Engine.Prefill(template.Plan, new PrefillContext(launchContext, launch.Now)).Response;
        var answers = Stamp(prefilled, template, launch, NoteAnswersCheck.Draft);
        var narrative = Render(template, answers, patient, null, launch.Now, keyPath, forms.ValueSets);
        return new TemplatedNote(artifact.Id, template.NoteType, artifact.Title, QuestionnaireJson.Serialize(answers), narrative);
    }

    public async Task<TemplatedNote> ReviseAsync(Guid templateId, string answers, string? freeText, NoteAnswersCheck check, NoteLaunch launch,
        string answersPath, CancellationToken ct)
    {
        var artifact = await artifacts.GetAsync(templateId, ct);
        if (artifact is null || artifact.Kind != NoteTemplateKind.Name)
        {
            throw EhrException.NotFound("Note template " + templateId);
        }

        var template = await CompileAsync(artifact, answersPath, ct);
        var parsed = QuestionnaireJson.ParseResponse(answers);
        if (parsed.Resource is null)
        {
            throw EhrException.Validation(parsed.Problems.Select(p => new FieldError(
                p.Path is { Length: > 0 } path && path != "$" ? answersPath + "." + path.Replace("QuestionnaireResponse.", "", StringComparison.Ordinal) : answersPath,
                p.Code, p.Message)).ToList());
        }

        var outcome = forms.Engine.Process(template.Plan, parsed.Resource, check == NoteAnswersCheck.Draft ? ResponseCheck.Save : ResponseCheck.Complete);
        if (!outcome.IsValid)
        {
            throw EhrException.Validation(outcome.Problems.Select(p => AnswerProblem(p, answersPath)).ToList());
        }

        var stamped = Stamp(outcome.Response, template, launch, check);
        var narrative = Render(template, stamped, Patient(launch), freeText, launch.Now, answersPath, forms.ValueSets);
        return new TemplatedNote(artifact.Id, template.NoteType, artifact.Title, QuestionnaireJson.Serialize(stamped), narrative);
    }

    /// <summary>
    /// A problem with an answer as a field naming its link id: <c>answers.chief-complaint</c> (brackets when the link
    /// id is not a plain name: <c>answers["1.2"]</c>), or the whole response.
    /// </summary>
    internal static FieldError AnswerProblem(FormProblem problem, string answersPath)
    {
        var path = problem.LinkId switch
        {
            null or "" => answersPath,
            var id when PlainLinkId().IsMatch(id) => $"{answersPath}.{id}",
            var id => $"{answersPath}[\"{id}\"]",
        };
        return new FieldError(path, problem.Code, problem.Path is null ? problem.Message : $"{problem.Message} (at {problem.Path})");
    }

    /// <summary>
    /// The rendered narrative, and the clinician's free text where the template puts it (<c>free_text</c>), else after
    /// the rendered text, separated by a blank line. Rendering problems are refused at <paramref name="path"/>.
    /// </summary>
    internal static string Render(CompiledNoteTemplate template, QuestionnaireResponse answers, Patient? patient, string? freeText, DateTimeOffset now, string path,
        IAnswerValueSets? valueSets = null)
    {
        var problems = new List<FieldError>();
        var rendered = template.Narrative.Render(NarrativeModel.Of(template.Questionnaire, answers, patient, freeText, now, valueSets), path, problems);
        if (rendered is null)
        {
            throw EhrException.Validation(problems.Select(p => p with { Message = "The template could not render these answers: " + p.Message }).ToList());
        }

        if (template.Narrative.PlacesFreeText || string.IsNullOrWhiteSpace(freeText))
        {
            return rendered;
        }

        var body = rendered.TrimEnd();
        return body.Length == 0 ? freeText : body + "\n\n" + freeText;
    }

    /// <summary>Only what the server decided: the processed items, about this patient, of this questionnaire, at this time.</summary>
    internal static QuestionnaireResponse Stamp(QuestionnaireResponse processed, CompiledNoteTemplate template, NoteLaunch launch, NoteAnswersCheck check)
    {
        var q = template.Questionnaire;
        var response = new QuestionnaireResponse
        {
            Questionnaire = q.Url is null ? null : q.Version is null ? q.Url : $"{q.Url}|{q.Version}",
            Status = check switch
            {
                NoteAnswersCheck.Sign => QuestionnaireResponse.QuestionnaireResponseStatus.Completed,
                NoteAnswersCheck.Amend => QuestionnaireResponse.QuestionnaireResponseStatus.Amended,
                _ => QuestionnaireResponse.QuestionnaireResponseStatus.InProgress,
            },
            Subject = new ResourceReference("Patient/" + launch.PatientId),
            Authored = launch.Now.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
        };
        response.Item.AddRange(processed.Item);
        return response;
    }

    /// <summary>
    /// The version compiled (kept once published) with the tenant's value sets loaded when it names one: checking the
    /// Questionnaire (on compiling) and its answers resolve them.
    /// </summary>
    internal async Task<CompiledNoteTemplate> CompileAsync(Artifact artifact, string path, CancellationToken ct)
    {
        var cacheKey = (artifact.Id, Convert.ToHexString(artifact.ContentSha256));
        if (!artifact.IsDraft && Compiled.TryGetValue(cacheKey, out CompiledNoteTemplate? cached) && cached is not null)
        {
            await forms.LoadForAsync(cached.Plan, ct);
            return cached;
        }

        await forms.LoadAsync(ct);

        var problems = new List<FieldError>();
        var compiled = kind.Compile(artifact.Content, problems)
                       ?? throw EhrException.Validation([new FieldError(path, ErrorCodes.InvalidFormat,
                           $"The note template '{artifact.Key}' version {artifact.Version} does not check: {string.Join("; ", problems.Select(p => $"{p.Path}: {p.Message}"))}")]);
        if (!artifact.IsDraft)
        {
            Compiled.Set(cacheKey, compiled, new MemoryCacheEntryOptions { Size = 1 });
        }

        return compiled;
    }

    private static Patient Patient(NoteLaunch launch)
    {
        var parsed = QuestionnaireJson.ParsePatient(launch.PatientJson);
        return parsed.Resource ?? throw new InvalidOperationException("The launch context's patient is not a FHIR R4 Patient: " + string.Join("; ", parsed.Problems));
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex PlainLinkId();
}
