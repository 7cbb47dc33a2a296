using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Definitions;

/// <summary>
/// A form definition version after a change, with what a form builder shows next to it: every problem the complete
/// check finds (publishing refuses while there are any) and the features the engine does not implement, named once.
/// </summary>
public sealed record FormDraftResult(Artifact Definition, IReadOnlyList<FormProblem> Problems, IReadOnlyList<string> UnsupportedFeatures);

/// <summary>What the definition use cases share: finding a form version by id and reporting on its content.</summary>
public sealed class FormDefinitions(TenantDbContext db, TenantAnswerValueSets valueSets)
{
    /// <summary>The artifact, if it is a form version; <c>NOT_FOUND</c> for any other id (another kind's included).</summary>
    internal async Task<Artifact> RequireAsync(Guid id, CancellationToken ct) =>
        await db.Set<Artifact>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.Kind == FormKind.Name, ct)
        ?? throw EhrException.NotFound("Form definition " + id);

    /// <summary>The complete check of a version's content against the tenant's value sets (a report, not a refusal).</summary>
    internal async Task<FormDraftResult> ReportAsync(Artifact definition, CancellationToken ct)
    {
        await valueSets.LoadAsync(ct);
        var report = FormImport.Inspect(definition.Content, new DefinitionValidator(valueSets));
        var problems = report.Questionnaire is { Item.Count: 0 }
            ? [.. report.Problems, new FormProblem(null, ErrorCodes.Required, "A form needs at least one item.", "Questionnaire.item")]
            : report.Problems;
        return new FormDraftResult(definition, problems, report.UnsupportedFeatures);
    }

    /// <summary>An empty Questionnaire to start a form from scratch.</summary>
    internal static string Blank(string? title) => QuestionnaireJson.Serialize(new Questionnaire
    {
        Status = PublicationStatus.Active,
        Title = title?.Trim(),
    });
}
