using System.Globalization;
using Ehr.Forms.Definitions;
using Ehr.Platform.Artifacts;
using Hl7.Fhir.Model;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.Questionnaires;

/// <summary>
/// A form version as a FHIR Questionnaire: its content as authored, with what the server owns set over it: the id (the
/// artifact version's id), <c>meta</c> (the row's version and last change), <c>status</c> from our lifecycle (draft,
/// published = active, retired) and <c>version</c>, the canonical version that with <c>url</c> names exactly this
/// form version (<see cref="FormCanonicals"/>).
/// </summary>
internal static class QuestionnaireMapping
{
    public static R4.Questionnaire ToFhir(FormVersion form, PublishedForms forms)
    {
        // The cached parse of a published version is shared: change a copy.
        var questionnaire = (R4.Questionnaire)forms.Read(form.Definition).DeepCopy();
        var definition = form.Definition;
        questionnaire.Id = definition.Id.ToString();
        questionnaire.Meta = new R4.Meta
        {
            VersionId = definition.RowVersion.ToString(CultureInfo.InvariantCulture),
            LastUpdated = FhirHttp.Stored(definition.UpdatedAt),
        };
        questionnaire.Status = Status(definition.Status);
        questionnaire.Version = form.Canonical.Version;
        return questionnaire;
    }

    public static R4.PublicationStatus Status(string status) => status switch
    {
        ArtifactStatus.Draft => R4.PublicationStatus.Draft,
        ArtifactStatus.Published => R4.PublicationStatus.Active,
        _ => R4.PublicationStatus.Retired,
    };

    /// <summary>FHIR's status search values as our lifecycle's; null for one we do not know.</summary>
    public static string? Lifecycle(string status) => status switch
    {
        "draft" => ArtifactStatus.Draft,
        "active" => ArtifactStatus.Published,
        "retired" => ArtifactStatus.Retired,
        _ => null,
    };
}
