using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Definitions;

/// <summary>
/// The <c>form</c> artifact kind: a FHIR R4 Questionnaire. A draft only has to read as a Questionnaire (it is work in
/// progress); publishing runs the whole <see cref="DefinitionValidator"/> against the tenant's answer value sets, and
/// each problem becomes a field error whose path points into the content and which carries the item's link id.
/// Definitions are tenant configuration: every staff member reads them (<c>location.read</c>); <c>form.manage</c>
/// changes them. Patients read the version they answer through their response, not through this kind.
/// </summary>
internal sealed class FormKind(TenantFormEngine forms) : IArtifactKind
{
    public const string Name = "form";

    public string Kind => Name;

    public string ReadPermission => Permissions.LocationRead;

    public string ManagePermission => Permissions.FormManage;

    public IReadOnlyList<FieldError> Check(string content, bool publishing)
    {
        var parsed = QuestionnaireJson.ParseQuestionnaire(content);
        if (parsed.Resource is not { } questionnaire)
        {
            return FormProblemFields.ToFieldErrors(parsed.Problems, "");
        }

        if (!publishing)
        {
            return [];
        }

        var errors = FormProblemFields.ToFieldErrors(forms.Validate(questionnaire), "").ToList();
        if (questionnaire.Item.Count == 0)
        {
            errors.Add(new FieldError("item", ErrorCodes.Required, "A form needs at least one item."));
        }

        return errors;
    }
}
